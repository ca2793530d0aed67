"""The conversation: (event, stored state) -> (replies, new stored state).

Every adapter calls ``Conversation.handle`` and renders the Outcome; nothing is kept in memory
between events, so a restart or a second process continues exactly where the learner was.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta

from bot.core import callbacks
from bot.core.assessments import Assessments, Finished, ReviewFinished, Served
from bot.core.campaigns import CampaignFlows
from bot.core.chat import (
    Blocked,
    ChatKind,
    Command,
    Edit,
    Event,
    InlineQuery,
    Message,
    Outcome,
    Person,
    Press,
    Text,
    Unsupported,
    cleaned,
)
from bot.core.checking import check_choice, check_fields, check_text, pretreat
from bot.core.engines import Engine
from bot.core.flood import OncePer
from bot.core.group_screens import GroupScreens
from bot.core.groups import GroupFlows
from bot.core.habits import Habits
from bot.core.i18n import Catalogs, resolve_language
from bot.core.library import LibraryFlows
from bot.core.ports import (
    AlreadyAnswered,
    AssessmentStatus,
    Attempt,
    Clock,
    Store,
    StoreFactory,
    User,
)
from bot.core.retesting import retest
from bot.core.scoring import DEFAULT_MAX_LEVEL
from bot.core.screens import Screens
from bot.core.text import ANSWER_LIMIT
from bot.core.views import Home
from content.bank import ContentBank
from content.models import INTERFACE_LANGUAGES, ChallengeType

log = logging.getLogger(__name__)
UPDATE_MEMORY = timedelta(days=2)


class Conversation(Habits, GroupFlows, CampaignFlows, LibraryFlows):
    def __init__(
        self,
        bank: ContentBank,
        stores: StoreFactory,
        engine: Engine,
        clock: Clock,
        catalogs: Catalogs | None = None,
        default_language: str = "en",
        max_level: int = DEFAULT_MAX_LEVEL,
        new_seed: Callable[[], int] | None = None,
    ) -> None:
        self.bank = bank
        self.stores = stores
        self.clock = clock
        self.default_language = resolve_language(default_language)
        self.assessments = (
            Assessments(bank, engine, clock, max_level, new_seed)
            if new_seed
            else Assessments(bank, engine, clock, max_level)
        )
        self.views = Screens(bank, catalogs or Catalogs())
        self.group_views = GroupScreens(bank, self.views.catalogs)
        self.group_replies = OncePer()
        self._charts = OrderedDict()
        self.prepare_library()  # the tips' search indexes, so no search waits for them

    async def handle(self, event: Event) -> Outcome:
        event = cleaned(event)  # no NUL nor control characters in what is stored or shown
        self.bot_username = event.bot_username or self.bot_username  # for campaign deep links
        learner = event.chat is ChatKind.PRIVATE and not isinstance(
            event.input, InlineQuery | Blocked
        )
        if event.update_id is not None and not learner and not await self._claim(event):
            return Outcome()
        if event.chat is not ChatKind.PRIVATE:
            return await self._group_event(event)
        if isinstance(event.input, InlineQuery):
            return await self._inline(event)
        if isinstance(event.input, Blocked):
            await self.set_blocked(event.person.id, event.input.blocked)
            return Outcome()
        try:
            async with self.stores() as store:
                # In the same transaction as its effects: a crash before the commit leaves the
                # update unclaimed, so its redelivery is handled; a handled one is skipped.
                if event.update_id is not None and not await store.claim_update(
                    event.update_id, self.clock()
                ):
                    return Outcome()
                user = await self._user(store, event.person)
                outcome = await self._route(store, user, event)
                await store.commit()
                return outcome
        except AlreadyAnswered:
            # Rolled back: a double tap or a second process got there first.
            return Outcome(notice=self.views.closed(self.language_of(event.person)))

    async def _claim(self, event: Event) -> bool:
        assert event.update_id is not None
        async with self.stores() as store:
            claimed = await store.claim_update(event.update_id, self.clock())
            await store.commit()
        return claimed

    async def forget_updates(self, keep: timedelta = UPDATE_MEMORY) -> int:
        """Drop update ids older than ``keep`` (Telegram redelivers within hours, not days)."""
        async with self.stores() as store:
            forgotten = await store.forget_updates(self.clock() - keep)
            await store.commit()
        return forgotten

    async def message_sent(self, track: str, message_id: int) -> None:
        """Remember where a challenge was shown, to close its buttons once answered."""
        async with self.stores() as store:
            await store.set_message_id(track, message_id)
            await store.commit()

    def language_of(self, person: Person) -> str:
        return resolve_language(person.language_code, self.default_language)

    def apology(self, person: Person, unavailable: bool = False) -> str:
        """What to say when handling failed; ``unavailable``: the database is out of reach."""
        return self.views.apology(self.language_of(person), unavailable)

    def slow_down(self, person: Person) -> str:
        """What to tell a person some of whose updates were dropped for flooding."""
        return self.views.slow_down(self.language_of(person))

    # --- routing -------------------------------------------------------------------------

    async def _user(self, store: Store, person: Person) -> User:
        now = self.clock()
        user = await store.get_user(person.id)
        if user is None:
            user = User(person.id, self.language_of(person), person.first_name[:64])
            await store.add_user(user, now)
            return user
        fresh_language = user.language if user.language_chosen else self.language_of(person)
        fresh = (fresh_language, person.first_name[:64], True)
        if fresh != (user.language, user.first_name, user.active):
            # Writing to the bot again also means it is no longer blocked.
            user.language, user.first_name, user.active = fresh
            await store.save_user(user, now)
        return user

    async def _home(self, store: Store, user: User) -> Home:
        return Home(
            await self._resume(store, user),
            await store.count_due_reviews(user.id, self.clock()),
        )

    async def _route(self, store: Store, user: User, event: Event) -> Outcome:
        match event.input:
            case Command(name=name, args=args):
                return await self._command(store, user, name, args)
            case Press(data=data):
                return await self._press(store, user, data)
            case Text(text=text):
                return await self._text(store, user, text)
            case Unsupported():
                return await self._unsupported(store, user)
        return Outcome()  # pragma: no cover

    async def _command(self, store: Store, user: User, name: str, args: str = "") -> Outcome:
        lang = user.language
        if user.awaiting is not None:  # a command means the person moved on
            user.awaiting = None
            await store.save_user(user, self.clock())
        if name == "start" and args:  # a deep link's payload
            hooked = await self._library_start(store, user, args)
            if hooked is None:
                hooked = await self._campaign_start_payload(store, user, args)
            if hooked is not None:
                return hooked
        if name == "library":
            return await self._library_command(store, user, args)
        hooked = await self._campaign_command(store, user, name, args)
        if hooked is not None:
            return hooked
        if name in ("start", "help"):
            home = await self._home(store, user)
            return Outcome([self.views.welcome(lang, user.first_name, home)])
        if name == "profile":
            return Outcome(await self._profile(store, user))
        if name == "test":
            return Outcome([self.views.areas(lang)])
        if name == "review":
            return await self._review(store, user)
        if name == "tutorials":
            return Outcome([await self._tutorials(store, user, 0)])
        if name == "tip":
            return Outcome([await self._tip(store, user)])
        if name == "language":
            return Outcome([self.views.languages(lang)])
        if name == "settings":
            return Outcome([self.views.settings(lang, user, self.clock())])
        if name == "mydata":
            return Outcome([self.views.my_data(lang, await store.export_user(user.id))])
        if name == "deleteme":
            return Outcome([self.views.erase_confirm(lang)])
        return Outcome([self.views.menu(lang, await self._home(store, user))])

    async def _resume(self, store: Store, user: User) -> Served | None:
        active = await store.active_assessment(user.id)
        if active is None:
            return None
        served = await self.assessments.next(store, active, user.language)
        return served if isinstance(served, Served) else None

    # --- buttons -------------------------------------------------------------------------

    async def _press(self, store: Store, user: User, data: str) -> Outcome:
        lang = user.language
        parsed = callbacks.parse(data)
        if parsed is None:
            log.info("unknown callback data from user %s: %r", user.id, data[:80])
            return Outcome(notice=self.views.closed(lang))
        if parsed.token:
            return await self._challenge_press(store, user, parsed)
        if parsed.kind == "cmp":
            return await self._campaign_press(store, user, parsed)
        if parsed.kind == "lib":
            return await self._library_press(store, user, parsed)
        kind = parsed.kind
        if user.awaiting is not None:  # a button means the person moved on
            user.awaiting = None
            await store.save_user(user, self.clock())
        if kind == callbacks.MENU:
            return _replace(self.views.menu(lang, await self._home(store, user)))
        if kind == callbacks.TEST:
            return _replace(self.views.areas(lang))
        if kind == callbacks.AGAIN:
            return Outcome([self.views.areas(lang)], [Edit(None, None)])
        if kind == "area" and parsed.arg in self.bank.areas:
            results = await store.latest_results(user.id)
            return _replace(self.views.competences(lang, parsed.arg, results))
        if kind == "comp" and parsed.arg in self.bank.competences:
            result = (await store.latest_results(user.id)).get(parsed.arg)
            if result is None:
                return await self._start_test(store, user, parsed.arg)
            area = self.bank.area_of[parsed.arg]
            return _replace(self.views.retest(lang, retest(result), self.clock(), area))
        if kind in ("improve", "reset") and parsed.arg in self.bank.competences:
            result = (await store.latest_results(user.id)).get(parsed.arg)
            if result is None:
                return await self._start_test(store, user, parsed.arg)
            rules, now = retest(result), self.clock()
            if kind == "improve" and rules.can_improve(now):
                return await self._start_test(store, user, parsed.arg, result.assessment_id)
            if kind == "reset" and rules.can_reset(now):
                return await self._start_test(store, user, parsed.arg)
        if kind == callbacks.RESUME:
            resume = await self._resume(store, user)
            if resume is None:
                return Outcome(notice=self.views.closed(lang))
            edits = [Edit(None, None)]
            if resume.attempt.message_id is not None:  # the same challenge shown earlier
                edits.append(Edit(resume.attempt.message_id, None))
            return Outcome([self.views.challenge(lang, resume)], edits)
        if kind == callbacks.PROFILE:
            return Outcome(await self._profile(store, user), [Edit(None, None)])
        if kind == callbacks.REVIEW:
            outcome = await self._review(store, user)
            outcome.edits.append(Edit(None, None))
            return outcome
        if kind == callbacks.TUTORIALS:
            return Outcome([await self._tutorials(store, user, 0)], [Edit(None, None)])
        if kind == "page" and parsed.arg.isdigit():
            return _replace(await self._tutorials(store, user, int(parsed.arg)))
        if kind in ("save", "useful"):
            return await self._tutorial_press(store, user, kind, parsed.arg)
        if kind == callbacks.TIP:
            return Outcome([await self._tip(store, user)], [Edit(None, None)])
        if kind == callbacks.SETTINGS:
            return _replace(self.views.settings(lang, user, self.clock()))
        if kind == callbacks.TIMEZONE:
            user.awaiting = "timezone"
            await store.save_user(user, self.clock())
            return _replace(self.views.timezones(lang))
        if kind == "tz" and (name := self.timezone_choice(parsed.arg)) is not None:
            outcome = await self._pick_timezone(store, user, name)
            return _replace(outcome.messages[0])
        if kind == callbacks.REMINDER:
            return _replace(self.views.reminder(lang, user))
        if kind in ("remind", "hour"):
            return await self._reminder_press(store, user, kind, parsed.arg)
        if kind == "erase" and parsed.arg == "yes":
            await store.delete_user(user.id)
            return Outcome(edits=[Edit(None, self.views.erased(lang))])
        if kind == callbacks.LANGUAGE:
            return _replace(self.views.languages(lang))
        if kind == "lang" and parsed.arg in INTERFACE_LANGUAGES:
            user.language, user.language_chosen = parsed.arg, True
            await store.save_user(user, self.clock())
            menu = self.views.menu(user.language, await self._home(store, user))
            return Outcome([menu], [Edit(None, self.views.language_set(user.language))])
        return Outcome(notice=self.views.closed(lang))

    async def _start_test(
        self, store: Store, user: User, competence: str, based_on: int | None = None
    ) -> Outcome:
        edits = [Edit(None, self.views.test_intro(user.language, competence))]
        active = await store.active_assessment(user.id)
        if active is not None:
            pending = await self.assessments.pending(store, active)
            if pending is not None and pending.attempt.message_id is not None:
                edits.append(Edit(pending.attempt.message_id, None))
        then = await self.assessments.start(store, user.id, competence, user.language, based_on)
        return Outcome([self._after(user.language, then)], edits)

    async def _challenge_press(
        self, store: Store, user: User, parsed: callbacks.Parsed
    ) -> Outcome:
        lang = user.language
        attempt = await store.attempt_by_token(parsed.token)
        served = await self._open(store, user, attempt)
        if served is None:
            return Outcome(notice=self.views.closed(lang))
        challenge, attempt = served.challenge, served.attempt
        if parsed.kind == "skip":
            return await self._answer(store, user, served, "", correct=False, skipped=True)
        is_choice = challenge.type in (ChallengeType.SINGLE, ChallengeType.MULTIPLE)
        if parsed.kind == "opt" and is_choice and parsed.position < len(attempt.option_order):
            index = attempt.option_order[parsed.position]
            if challenge.type is ChallengeType.SINGLE:
                return await self._answer(
                    store, user, served, str(index), correct=check_choice(challenge, [index])
                )
            chosen = set(attempt.selection) ^ {index}
            attempt.selection = sorted(chosen)
            await store.save_attempt_progress(attempt)
            buttons = self.views.challenge_buttons(lang, challenge, attempt)
            return Outcome(edits=[Edit(None, None, buttons)])
        if parsed.kind == "sub" and challenge.type is ChallengeType.MULTIPLE:
            if not attempt.selection:
                return Outcome(notice=self.views.select_first(lang))
            value = ",".join(map(str, attempt.selection))
            correct = check_choice(challenge, attempt.selection)
            return await self._answer(store, user, served, value, correct=correct)
        return Outcome(notice=self.views.closed(lang))

    async def _open(self, store: Store, user: User, attempt: Attempt | None) -> Served | None:
        """The attempt's Served view if this user may still answer it, else None."""
        if attempt is None or attempt.user_id != user.id or attempt.answered:
            return None
        assessment = await store.get_assessment(attempt.assessment_id)
        if assessment is None or assessment.status is not AssessmentStatus.STARTED:
            return None
        served = await self.assessments.pending(store, assessment)
        if served is None or served.attempt.id != attempt.id:
            return None
        return served

    async def _answer(
        self,
        store: Store,
        user: User,
        served: Served,
        value: str,
        correct: bool,
        skipped: bool = False,
        pressed: bool = True,
    ) -> Outcome:
        """Record the answer; the challenge message loses its buttons and shows the answer."""
        lang = user.language
        corrected = await self.assessments.answer(store, served, value, correct, skipped)
        shown = self.views.shown_answer(lang, corrected.attempt, corrected.challenge)
        text = self.views.answered_text(lang, served, shown)
        target = None if pressed else served.attempt.message_id
        edits = [Edit(target, text)] if pressed or target is not None else []
        streak = await self._count_answer_in_streak(store, user)
        correction = self.views.correction(lang, corrected, streak)
        messages = [correction, self._after(lang, corrected.then)]
        if isinstance(corrected.then, Finished):
            messages += await self._campaign_after(store, user, corrected.then)
        return Outcome(messages, edits)

    def _after(self, language: str, then: Served | Finished | ReviewFinished) -> Message:
        if isinstance(then, Finished):
            return self.views.result(language, then)
        if isinstance(then, ReviewFinished):
            return self.views.review_done(language, then)
        return self.views.challenge(language, then)

    # --- typed text --------------------------------------------------------------------

    async def _text(self, store: Store, user: User, text: str) -> Outcome:
        lang = user.language
        if user.awaiting == "timezone":
            return await self._typed_timezone(store, user, text)
        if user.awaiting is not None and user.awaiting.startswith("library"):
            hooked = await self._library_text(store, user, text)
            if hooked is not None:
                return hooked
        if user.awaiting is not None and user.awaiting.startswith("campaign"):
            hooked = await self._campaign_text(store, user, text)
            if hooked is not None:
                return hooked
        served = await self._pending(store, user)
        if served is None:
            return Outcome([self.views.menu(lang, await self._home(store, user))])
        challenge, attempt = served.challenge, served.attempt
        if attempt.message_id is None:
            # Its message never arrived (or was not recorded): show it, score nothing unseen.
            return Outcome([self.views.challenge(lang, served)])
        if challenge.type in (ChallengeType.SINGLE, ChallengeType.MULTIPLE):
            return Outcome([self.views.use_buttons(lang)])
        if len(text) > ANSWER_LIMIT:
            return Outcome([self.views.answer_too_long(lang)])
        answer = pretreat(text).strip()
        if not answer:
            return Outcome([self.views.text_only(lang)])
        if challenge.type is ChallengeType.TEXT:
            correct = check_text(challenge, attempt.language, answer)
            return await self._answer(store, user, served, answer, correct, pressed=False)
        count = len(challenge.text(attempt.language).fields)
        attempt.fields = [
            *attempt.fields,
            *(line.strip() for line in answer.splitlines() if line.strip()),
        ]
        if len(attempt.fields) < count:
            await store.save_attempt_progress(attempt)
            return Outcome([self.views.next_field(lang, challenge, attempt)])
        values = attempt.fields[:count]
        correct = check_fields(challenge, attempt.language, values)
        return await self._answer(store, user, served, "\n".join(values), correct, pressed=False)

    async def _pending(self, store: Store, user: User) -> Served | None:
        active = await store.active_assessment(user.id)
        return None if active is None else await self.assessments.pending(store, active)

    async def _unsupported(self, store: Store, user: User) -> Outcome:
        served = await self._pending(store, user)
        if served is not None and served.challenge.type in (
            ChallengeType.TEXT,
            ChallengeType.FIELDS,
        ):
            return Outcome([self.views.text_only(user.language)])
        if served is not None:
            return Outcome([self.views.use_buttons(user.language)])
        home = await self._home(store, user)
        return Outcome([self.views.not_understood(user.language, home)])


def _replace(message: Message) -> Outcome:
    """Navigation screens replace the menu whose button was pressed."""
    return Outcome(edits=[Edit(None, message.text, message.buttons)])
