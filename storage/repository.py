"""The core's Store over an SQLAlchemy async session. Never commits by itself but in commit()."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Final

from sqlalchemy import (
    CursorResult,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    select,
    union,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.core.ports import (
    REVIEW,
    AlreadyAnswered,
    Assessment,
    AssessmentStatus,
    Attempt,
    CompetenceResult,
    Sitting,
    Store,
    StoreFactory,
    User,
)
from bot.core.review import ReviewCard
from bot.core.scoring import Knowledge, Source, Status
from storage.campaigns import CampaignQueries
from storage.database import single_statements
from storage.feedback import FeedbackQueries
from storage.groups import GroupQueries, QuizAnswerRow, QuizPollRow
from storage.library import LibraryQueries
from storage.mapping import USER_FIELDS, Columns, aware, user_record, user_values
from storage.models import (
    AnswerRow,
    AssessmentRow,
    AttemptRow,
    KnowledgeRow,
    ProcessedUpdateRow,
    ReviewCardRow,
    UserRow,
)
from storage.retention import RetentionQueries
from storage.sharing import SharingQueries
from storage.upsert import insert_new, run, table_of

_ASSESSMENTS: Final = table_of(AssessmentRow)
# The statements of every update, built once (building one costs about as much as running
# it); their values are bound at execution.
_ACTIVE: Final = (
    select(_ASSESSMENTS)
    .where(
        AssessmentRow.user_id == bindparam("user_id"),
        AssessmentRow.status == AssessmentStatus.STARTED,
    )
    .order_by(AssessmentRow.id.desc())
    .limit(1)
)
_WITH_ANSWERS: Final = select(AttemptRow, AnswerRow).outerjoin(
    AnswerRow, AnswerRow.attempt_id == AttemptRow.id
)
_ATTEMPTS: Final = _WITH_ANSWERS.where(
    AttemptRow.assessment_id == bindparam("assessment_id")
).order_by(AttemptRow.position)
_ATTEMPT: Final = _WITH_ANSWERS.where(AttemptRow.token == bindparam("token"))
_USER: Final = select(table_of(UserRow)).where(UserRow.id == bindparam("user_id"))
# PostgreSQL: an update's claim and its person's row in one round trip instead of two (each
# round trip is about a tenth of an answer's CPU, issue 19). The INSERT in the WITH runs once
# whatever the SELECT reads; the outer join gives one row when the person is new.
_CLAIM: Final = (
    postgresql.insert(table_of(ProcessedUpdateRow))
    .values(update_id=bindparam("update_id"), seen_at=bindparam("seen_at"))
    .on_conflict_do_nothing()
    .returning(ProcessedUpdateRow.update_id)
    .cte("claim")
)
_ONE: Final = select(literal_column("1").label("one")).subquery("one")
_CLAIM_AND_USER: Final = select(
    exists(select(_CLAIM.c.update_id)).label("claimed"), *table_of(UserRow).c
).select_from(_ONE.outerjoin(table_of(UserRow), UserRow.id == bindparam("user_id")))
# SQLite (no INSERT in a WITH): the claim returns the person's row, a subquery per column,
# in one statement where it was two (each is a trip to aiosqlite's thread: half a
# millisecond of CPU, issue 19). A claim already made returns no row.
_CLAIM_RETURNING_USER: Final = (
    sqlite.insert(table_of(ProcessedUpdateRow))
    .values(update_id=bindparam("update_id"), seen_at=bindparam("seen_at"))
    .on_conflict_do_nothing()
    .returning(
        *(
            select(column).where(UserRow.id == bindparam("user_id")).scalar_subquery().label(name)
            for name, column in table_of(UserRow).c.items()
        )
    )
)
_ANSWER_FIELDS: Final = (
    "attempt_id",
    "user_id",
    "challenge_id",
    "value",
    "correct",
    "skipped",
    "answered_at",
)
# PostgreSQL: an answer and, when it is a test's failure, the skill's review card unless it has
# one, in one round trip instead of two (issue 19). The card goes in only with the answer.
_ANSWER_ROW: Final = (
    postgresql.insert(table_of(AnswerRow))
    .values({name: bindparam(name) for name in _ANSWER_FIELDS})
    .on_conflict_do_nothing()
    .returning(AnswerRow.id)
    .cte("answer")
)
_CARDS: Final = table_of(ReviewCardRow)
_CARD_FIELDS: Final = ("user_id", "skill", "card", "due", "reviews", "created_at")
_CARD_ROW: Final = (
    postgresql.insert(_CARDS)
    .from_select(
        list(_CARD_FIELDS),
        select(
            *(bindparam(f"card_{name}", type_=_CARDS.c[name].type) for name in _CARD_FIELDS)
        ).where(exists(select(_ANSWER_ROW.c.id))),
    )
    .on_conflict_do_nothing()
    .returning(ReviewCardRow.id)
    .cte("card")
)
_ANSWER_AND_CARD: Final = select(
    exists(select(_ANSWER_ROW.c.id)).label("answered"),
    exists(select(_CARD_ROW.c.id)).label("carded"),
)
_ASSESSMENT: Final = select(_ASSESSMENTS).where(AssessmentRow.id == bindparam("assessment_id"))
_NEW_ASSESSMENT: Final = insert(_ASSESSMENTS).returning(AssessmentRow.id)
# An assessment with its attempts and their answers, one row per attempt (none: no attempt):
# plain columns, the assessment's prefixed "test_" (no attempt column starts so), read past
# the ORM.
_SITTING: Final = (
    select(
        *(column.label(f"test_{column.key}") for column in _ASSESSMENTS.c),
        *table_of(AttemptRow).c,
        AnswerRow.id.label("answer_id"),
        AnswerRow.value,
        AnswerRow.correct,
        AnswerRow.skipped,
    )
    .outerjoin(AttemptRow, AttemptRow.assessment_id == AssessmentRow.id)
    .outerjoin(AnswerRow, AnswerRow.attempt_id == AttemptRow.id)
    .order_by(AttemptRow.position)
)
_TOKEN_HOLDER: Final = aliased(AttemptRow)
_SITTING_OF: Final = _SITTING.where(
    AssessmentRow.id
    == select(_TOKEN_HOLDER.assessment_id)
    .where(_TOKEN_HOLDER.token == bindparam("token"))
    .scalar_subquery()
)
_ACTIVE_SITTING: Final = _SITTING.where(
    AssessmentRow.id == _ACTIVE.with_only_columns(AssessmentRow.id).scalar_subquery()
)
_MESSAGE_ID: Final = (
    update(AttemptRow)
    .where(AttemptRow.token == bindparam("attempt_token"))
    .values(message_id=bindparam("shown_as"))
)
# Met in a test or a review, or answered in a group's quiz poll (which shows its answer to the
# whole group): a learner's next tests prefer the others.
_SEEN: Final = union(
    select(AttemptRow.challenge_id).where(AttemptRow.user_id == bindparam("user_id")),
    select(QuizPollRow.challenge_id)
    .join(QuizAnswerRow, QuizAnswerRow.poll_id == QuizPollRow.poll_id)
    .where(QuizAnswerRow.user_id == bindparam("user_id")),
)
_LATEST_IDS: Final = (
    select(AssessmentRow.competence, func.max(AssessmentRow.id).label("id"))
    .where(
        AssessmentRow.user_id == bindparam("user_id"),
        AssessmentRow.status == AssessmentStatus.COMPLETED,
        AssessmentRow.competence != REVIEW,  # review sessions have no result
    )
    .group_by(AssessmentRow.competence)
    .subquery()
)
_LAST_ANSWERS: Final = (  # per competence, the learner's last answer in any of its tests
    select(AssessmentRow.competence, func.max(AnswerRow.answered_at).label("last"))
    .join(AttemptRow, AttemptRow.assessment_id == AssessmentRow.id)
    .join(AnswerRow, AnswerRow.attempt_id == AttemptRow.id)
    .where(AssessmentRow.user_id == bindparam("user_id"))
    .group_by(AssessmentRow.competence)
    .subquery()
)
# Each competence's latest result with its last answer: one statement where it was two.
_LATEST: Final = (
    select(AssessmentRow, _LAST_ANSWERS.c.last)
    .join(_LATEST_IDS, AssessmentRow.id == _LATEST_IDS.c.id)
    .outerjoin(_LAST_ANSWERS, _LAST_ANSWERS.c.competence == AssessmentRow.competence)
)
_ABANDON: Final = (
    update(AssessmentRow)
    .where(
        AssessmentRow.user_id == bindparam("owner_id"),
        AssessmentRow.status == AssessmentStatus.STARTED,
    )
    .values(status=AssessmentStatus.ABANDONED, finished_at=bindparam("ended_at"))
)
_FINISH: Final = (  # only a started assessment finishes: a second process's finish conflicts
    update(AssessmentRow)
    .where(
        AssessmentRow.id == bindparam("assessment_id"),
        AssessmentRow.status == AssessmentStatus.STARTED,
    )
    .values(
        status=AssessmentStatus.COMPLETED,
        finished_at=bindparam("ended_at"),
        pix=bindparam("final_pix"),
        level=bindparam("final_level"),
    )
)
_PROGRESS: Final = (
    update(AttemptRow)
    .where(AttemptRow.id == bindparam("attempt_id"))
    .values(selection=bindparam("ticked"), fields=bindparam("filled"))
)
_SAVE_USER: Final = (
    update(UserRow)
    .where(UserRow.id == bindparam("user_id"))
    .values(
        updated_at=bindparam("saved_at"),
        **{name: bindparam(f"new_{name}") for name in USER_FIELDS},
    )
)
_KNOWLEDGE: Final = select(KnowledgeRow).where(
    KnowledgeRow.assessment_id == bindparam("assessment_id")
)


def _assessment(row: Columns) -> Assessment:
    return Assessment(
        id=row.id,
        user_id=row.user_id,
        competence=row.competence,
        engine=row.engine,
        seed=row.seed,
        status=AssessmentStatus(row.status),
        started_at=aware(row.started_at),
        finished_at=aware(row.finished_at) if row.finished_at else None,
        pix=row.pix,
        level=row.level,
        based_on=row.based_on_id,
        seen_before=None if row.seen_before is None else frozenset(row.seen_before),
    )


def _attempt(row: Columns, answer: Columns | None) -> Attempt:
    return Attempt(
        id=row.id,
        token=row.token,
        assessment_id=row.assessment_id,
        user_id=row.user_id,
        challenge_id=row.challenge_id,
        position=row.position,
        language=row.language,
        option_order=list(row.option_order or []),
        selection=list(row.selection or []),
        fields=list(row.fields or []),
        message_id=row.message_id,
        answered=answer is not None,
        correct=answer.correct if answer else None,
        skipped=answer.skipped if answer else False,
        value=answer.value if answer else None,
    )


def _sitting(rows: CursorResult[Any]) -> Sitting | None:
    sitting: Sitting | None = None
    for row in rows:
        if sitting is None:
            values = row._mapping
            columns = {c.key: values[f"test_{c.key}"] for c in _ASSESSMENTS.c}
            sitting = Sitting(_assessment(SimpleNamespace(**columns)), [])
        if row.id is not None:  # the assessment has attempts (outer join)
            sitting.attempts.append(_attempt(row, row if row.answer_id is not None else None))
    return sitting


class SqlStore(
    RetentionQueries,
    CampaignQueries,
    GroupQueries,
    LibraryQueries,
    FeedbackQueries,
    SharingQueries,
    Store,
):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- users ---------------------------------------------------------------------------

    async def get_user(self, user_id: int) -> User | None:
        row = (await run(self.session, _USER, {"user_id": user_id})).first()
        return None if row is None else user_record(row)

    async def add_user(self, user: User, now: datetime) -> None:
        # Another process may meet this user at the same moment: its row stands.
        await insert_new(
            self.session,
            UserRow,
            {"id": user.id, "created_at": now, "updated_at": now, **user_values(user)},
        )

    async def save_user(self, user: User, now: datetime) -> None:
        values = {f"new_{name}": value for name, value in user_values(user).items()}
        await run(self.session, _SAVE_USER, {"user_id": user.id, "saved_at": now, **values})

    # --- assessments ---------------------------------------------------------------------

    async def active_assessment(self, user_id: int) -> Assessment | None:
        row = (await run(self.session, _ACTIVE, {"user_id": user_id})).first()
        return _assessment(row) if row else None

    async def active_sitting(self, user_id: int) -> Sitting | None:
        return _sitting(await run(self.session, _ACTIVE_SITTING, {"user_id": user_id}))

    async def sitting_of(self, token: str) -> Sitting | None:
        return _sitting(await run(self.session, _SITTING_OF, {"token": token}))

    async def get_assessment(self, assessment_id: int) -> Assessment | None:
        found = await run(self.session, _ASSESSMENT, {"assessment_id": assessment_id})
        row = found.first()
        return _assessment(row) if row else None

    async def add_assessment(
        self,
        user_id: int,
        competence: str,
        engine: str,
        seed: int,
        now: datetime,
        based_on: int | None = None,
        seen_before: frozenset[str] | None = None,
    ) -> Assessment:
        values = {
            "user_id": user_id,
            "competence": competence,
            "engine": engine,
            "seed": seed,
            "status": AssessmentStatus.STARTED,
            "started_at": now,
            "finished_at": None,
            "pix": None,
            "level": None,
            "based_on_id": based_on,
            "seen_before": None if seen_before is None else sorted(seen_before),
        }
        added = await run(self.session, _NEW_ASSESSMENT, values)
        return _assessment(SimpleNamespace(id=added.scalar_one(), **values))

    async def abandon_assessments(self, user_id: int, now: datetime) -> None:
        await run(self.session, _ABANDON, {"owner_id": user_id, "ended_at": now})

    async def finish_assessment(
        self, assessment: Assessment, knowledge: Mapping[str, Knowledge], now: datetime
    ) -> None:
        result = await run(
            self.session,
            _FINISH,
            {
                "assessment_id": assessment.id,
                "ended_at": now,
                "final_pix": assessment.pix,
                "final_level": assessment.level,
            },
        )
        if result.rowcount != 1:
            raise AlreadyAnswered(f"assessment {assessment.id} already finished")
        rows = [
            {
                "user_id": assessment.user_id,
                "assessment_id": assessment.id,
                "competence": assessment.competence,
                "skill": known.skill,
                "status": known.status,
                "source": known.source,
                "created_at": now,
            }
            for known in knowledge.values()
        ]
        if rows:  # one statement for all of them (the ORM sent one per row)
            await run(self.session, insert(table_of(KnowledgeRow)), rows)
        assessment.status, assessment.finished_at = AssessmentStatus.COMPLETED, now

    # --- attempts and answers ------------------------------------------------------------

    async def attempts(self, assessment_id: int) -> list[Attempt]:
        rows = await self.session.execute(_ATTEMPTS, {"assessment_id": assessment_id})
        return [_attempt(attempt, answer) for attempt, answer in rows]

    async def attempt_by_token(self, token: str) -> Attempt | None:
        row = await self.session.execute(_ATTEMPT, {"token": token})
        found = row.first()
        return _attempt(*found) if found else None

    async def add_attempt(self, attempt: Attempt, now: datetime) -> Attempt:
        values = {
            "token": attempt.token,
            "assessment_id": attempt.assessment_id,
            "user_id": attempt.user_id,
            "challenge_id": attempt.challenge_id,
            "position": attempt.position,
            "language": attempt.language,
            "option_order": attempt.option_order,
            "selection": [],
            "fields": [],
            "served_at": now,
        }
        attempt_id = await insert_new(self.session, AttemptRow, values)
        if attempt_id is None:  # another process served this position first
            raise AlreadyAnswered(attempt.token)
        attempt.id = attempt_id
        return attempt

    async def save_attempt_progress(self, attempt: Attempt) -> None:
        values = {"attempt_id": attempt.id, "ticked": attempt.selection, "filled": attempt.fields}
        await run(self.session, _PROGRESS, values)

    async def record_answer(
        self,
        attempt: Attempt,
        value: str,
        correct: bool,
        skipped: bool,
        now: datetime,
        card: ReviewCard | None = None,
    ) -> bool:
        values = {
            "attempt_id": attempt.id,
            "user_id": attempt.user_id,
            "challenge_id": attempt.challenge_id,
            "value": value,
            "correct": correct,
            "skipped": skipped,
            "answered_at": now,
        }
        if card is not None and self.session.get_bind().dialect.name == "postgresql":
            rows = {
                "card_user_id": card.user_id,
                "card_skill": card.skill,
                "card_card": card.card,
                "card_due": card.due,
                "card_reviews": card.reviews,
                "card_created_at": now,
            }
            row = (await run(self.session, _ANSWER_AND_CARD, {**values, **rows})).one()
            if not row.answered:
                raise AlreadyAnswered(attempt.token)
            return bool(row.carded)
        if await insert_new(self.session, AnswerRow, values) is None:  # answered already
            raise AlreadyAnswered(attempt.token)
        return card is not None and await self.add_review_card(card, now)

    async def seen_challenges(self, user_id: int) -> set[str]:
        return set((await run(self.session, _SEEN, {"user_id": user_id})).scalars())

    async def latest_results(self, user_id: int) -> dict[str, CompetenceResult]:
        rows = await self.session.execute(_LATEST, {"user_id": user_id})
        results = {}
        for row, last in rows:
            finished = aware(row.finished_at or row.started_at)
            results[row.competence] = CompetenceResult(
                row.competence,
                row.pix or 0,
                row.level or 0,
                finished,
                row.id,
                max(finished, aware(last)) if last else finished,
            )
        return results

    async def knowledge_of(self, assessment_id: int) -> dict[str, Knowledge]:
        rows = await self.session.scalars(_KNOWLEDGE, {"assessment_id": assessment_id})
        return {
            row.skill: Knowledge(row.skill, Status(row.status), Source(row.source)) for row in rows
        }

    async def claim_update(self, update_id: int, now: datetime) -> bool:
        values = {"update_id": update_id, "seen_at": now}
        return await insert_new(self.session, ProcessedUpdateRow, values) is not None

    async def claim_update_of(
        self, update_id: int, now: datetime, user_id: int
    ) -> tuple[bool, User | None]:
        values = {"update_id": update_id, "seen_at": now, "user_id": user_id}
        if self.session.get_bind().dialect.name == "sqlite":
            claimed = (await run(self.session, _CLAIM_RETURNING_USER, values)).first()
            if claimed is None:  # handled already: whose it was does not matter
                return False, None
            return True, None if claimed.id is None else user_record(claimed)
        row = (await run(self.session, _CLAIM_AND_USER, values)).one()
        return bool(row.claimed), None if row.id is None else user_record(row)

    async def forget_updates(self, before: datetime) -> int:
        result = await self.session.execute(
            delete(ProcessedUpdateRow).where(ProcessedUpdateRow.seen_at < before)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def commit(self) -> None:
        await self.session.commit()


class SqlStores(StoreFactory):
    """The core's StoreFactory: one session and transaction per use."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self.single_statements = single_statements(sessions.kw["bind"])

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Store]:
        async with self.sessions() as session:
            yield SqlStore(session)

    async def set_message_id(self, token: str, message_id: int) -> None:
        # On a bare connection: a session around one statement cost about 0.1 ms of CPU more
        # (issue 19; pixbot bench updates' echo+db+write+shown records a reply the same way).
        async with self.single_statements.connect() as connection:
            values = {"attempt_token": token, "shown_as": message_id}
            await connection.execute(_MESSAGE_ID, values)


def store_factory(sessions: async_sessionmaker[AsyncSession]) -> StoreFactory:
    return SqlStores(sessions)
