"""Campaigns (Pix Orga in a chat): educators create them, learners join with a code, take the
targeted competences and share their results. Mixed into Conversation, which calls the hooks
below; each returns None when the input is not for campaigns.

Every step is stored (the draft being created, the participation, the tests linked to it), so
a learner can stop at any point and come back with ``/join CODE``.
"""

from __future__ import annotations

import logging
import re
import secrets
import string
from collections.abc import Sequence
from functools import cached_property
from typing import Final

from bot.core import callbacks
from bot.core.assessments import Assessments, Finished, Served
from bot.core.campaign_ports import Campaign, CampaignDraft, Participation
from bot.core.campaign_screens import CampaignScreens
from bot.core.chat import Edit, Message, Outcome
from bot.core.ports import Clock, Store, User
from bot.core.screens import Screens
from content.bank import ContentBank

log = logging.getLogger(__name__)

CODE_FORMAT: Final = re.compile(r"[A-Z]{6}[0-9]{3}")
NAME_LENGTH: Final = 100
AWAITING_NAME: Final = "campaign_name"
CODE_ATTEMPTS: Final = 20  # 26^6 * 1000 codes: a collision twice in a row is already unlikely
_random = secrets.SystemRandom()


def normalise_code(text: str) -> str:
    """What people type or paste to a code: "abc def-123" -> "ABCDEF123"."""
    return re.sub(r"[\s._\-]+", "", text).upper()


def new_code() -> str:
    letters = "".join(_random.choice(string.ascii_uppercase) for _ in range(6))
    digits = "".join(_random.choice(string.digits) for _ in range(3))
    return letters + digits


class CampaignFlows:
    bank: ContentBank
    clock: Clock
    views: Screens
    assessments: Assessments
    # The bot's @username, for deep links: Conversation.handle keeps the latest one seen
    # (it is the same for every update of a bot; empty in the terminal chat).
    bot_username: str = ""

    @cached_property
    def campaign_views(self) -> CampaignScreens:
        return CampaignScreens(self.bank, self.views.catalogs)

    def _framework_order(self, codes: Sequence[str] | set[str]) -> tuple[str, ...]:
        chosen = set(codes)
        return tuple(
            competence.code
            for area in self.bank.framework.areas
            for competence in area.competences
            if competence.code in chosen
        )

    # --- hooks called by Conversation --------------------------------------------------

    async def _campaign_command(
        self, store: Store, user: User, name: str, args: str
    ) -> Outcome | None:
        """/educator, /campaign …, /join CODE."""
        if name == "educator":
            return await self._educator(store, user)
        if name == "campaign":
            return await self._campaign_admin(store, user, args)
        if name == "join":
            return await self._join(store, user, args)
        return None

    async def _campaign_start_payload(
        self, store: Store, user: User, payload: str
    ) -> Outcome | None:
        """/start <payload> from a deep link (a campaign code)."""
        code = normalise_code(payload)
        if not CODE_FORMAT.fullmatch(code):
            return None  # another feature's payload, or none of ours: the welcome follows
        return await self._join(store, user, code)

    async def _campaign_press(self, store: Store, user: User, parsed: callbacks.Parsed) -> Outcome:
        """Buttons whose kind is "cmp"."""
        lang = user.language
        screens = self.campaign_views
        if user.awaiting is not None:  # a button means the person moved on
            user.awaiting = None
            await store.save_user(user, self.clock())
        action, _, arg = parsed.arg.partition(".")
        if action == "edu":
            await store.add_educator(user.id, self.clock())
            return Outcome([Message(screens.educator_registered(lang))], [Edit(None, None)])
        if action in ("t", "mk", "x"):
            return await self._draft_press(store, user, action, arg)
        if action not in ("ok", "go", "sh", "no") or not CODE_FORMAT.fullmatch(arg):
            log.info("campaign button not ours from user %s: %r", user.id, parsed.arg)
            return Outcome(notice=screens.stale(lang))
        campaign = await store.campaign_by_code(arg)
        if campaign is None:  # deleted with its educator's account
            return Outcome([screens.unknown_code(lang, arg)], [Edit(None, None)])
        participation = await store.participation(campaign.id, user.id)
        if action == "ok":
            if participation is None:
                if campaign.closed_at is not None:
                    return Outcome([screens.closed_campaign(lang, campaign)], [Edit(None, None)])
                participation = await store.add_participation(campaign.id, user.id, self.clock())
            return await self._continue(store, user, campaign, participation, [Edit(None, None)])
        if participation is None:
            return Outcome(notice=screens.stale(lang))
        if action == "go":
            return await self._continue(store, user, campaign, participation, [Edit(None, None)])
        if action == "sh":
            scores = await store.participation_scores(participation.id)
            if any(code not in scores for code in self._targeted(campaign)):
                return Outcome(notice=screens.stale(lang))
            await store.share_participation(participation.id, self.clock())
            return Outcome([Message(screens.shared(lang, campaign))], [Edit(None, None)])
        return Outcome([Message(screens.not_shared(lang, campaign))], [Edit(None, None)])

    async def _campaign_text(self, store: Store, user: User, text: str) -> Outcome | None:
        """Typed text while ``user.awaiting`` starts with "campaign"."""
        if user.awaiting != AWAITING_NAME:
            return None
        lang = user.language
        screens = self.campaign_views
        name = " ".join(text.split())
        if not name or len(name) > NAME_LENGTH:
            return Outcome([screens.name_invalid(lang)])
        user.awaiting = None
        await store.save_user(user, self.clock())
        if not await store.is_educator(user.id):
            return Outcome([screens.educator_first(lang)])
        draft = CampaignDraft(name)
        await store.save_campaign_draft(user.id, draft, self.clock())
        return Outcome([screens.draft(lang, draft)])

    async def _campaign_after(self, store: Store, user: User, finished: Finished) -> list[Message]:
        """Messages after a test ends (the next targeted competence, or sharing)."""
        participation = await store.participation_of_assessment(finished.assessment.id)
        if participation is None or participation.shared_at is not None:
            return []
        campaign = await store.campaign_by_id(participation.campaign_id)
        if campaign is None:
            return []
        lang = user.language
        scores = await store.participation_scores(participation.id)
        targeted = self._targeted(campaign)
        remaining = [code for code in targeted if code not in scores]
        if remaining:
            done = len(targeted) - len(remaining)
            return [self.campaign_views.next_competence(lang, campaign, done, remaining[0])]
        return [self.campaign_views.share_prompt(lang, campaign, scores)]

    # --- educators -----------------------------------------------------------------------

    async def _educator(self, store: Store, user: User) -> Outcome:
        if await store.is_educator(user.id):
            return Outcome([self.campaign_views.educator_already(user.language)])
        return Outcome([self.campaign_views.educator_intro(user.language)])

    async def _campaign_admin(self, store: Store, user: User, args: str) -> Outcome:
        lang = user.language
        screens = self.campaign_views
        words = args.split(maxsplit=1)
        sub = words[0].lower() if words else ""
        rest = words[1] if len(words) > 1 else ""
        educator = await store.is_educator(user.id)
        if sub not in ("new", "list", "results", "close") or (sub != "new" and not educator):
            return Outcome([screens.campaign_help(lang, educator)])
        if sub == "new":
            if not educator:
                return Outcome([screens.educator_first(lang)])
            user.awaiting = AWAITING_NAME
            await store.save_user(user, self.clock())
            return Outcome([screens.ask_name(lang)])
        if sub == "list":
            return Outcome([screens.campaign_list(lang, await store.owned_campaigns(user.id))])
        if not rest.strip():
            return Outcome([screens.campaign_help(lang, educator)])
        code = normalise_code(rest)
        if not CODE_FORMAT.fullmatch(code):
            return Outcome([screens.bad_code(lang)])
        campaign = await store.campaign_by_code(code)
        if campaign is None:
            return Outcome([screens.unknown_code(lang, code)])
        if campaign.owner_id != user.id:
            return Outcome([screens.not_owner(lang)])
        if sub == "close":
            if campaign.closed_at is not None:
                return Outcome([screens.already_closed(lang, campaign)])
            await store.close_campaign(campaign.id, self.clock())
            return Outcome([screens.closed_now(lang, campaign)])
        results = await store.campaign_results(campaign.id)
        return Outcome(
            [
                screens.results_summary(lang, campaign, results),
                screens.results_file(lang, campaign, results),
            ]
        )

    async def _draft_press(self, store: Store, user: User, action: str, arg: str) -> Outcome:
        lang = user.language
        screens = self.campaign_views
        draft = await store.campaign_draft(user.id)
        if action == "x":
            if draft is not None:
                await store.delete_campaign_draft(user.id)
            return Outcome([Message(screens.cancelled(lang))], [Edit(None, None)])
        if draft is None or not await store.is_educator(user.id):
            return Outcome(notice=screens.stale(lang))
        if action == "t":
            if arg not in self.bank.competences:
                return Outcome(notice=screens.stale(lang))
            chosen = self._framework_order(set(draft.competences) ^ {arg})
            draft = CampaignDraft(draft.name, chosen)
            await store.save_campaign_draft(user.id, draft, self.clock())
            screen = screens.draft(lang, draft)
            return Outcome(edits=[Edit(None, screen.text, screen.buttons)])
        if not draft.competences:
            return Outcome(notice=screens.select_one(lang))
        campaign: Campaign | None = None
        for _ in range(CODE_ATTEMPTS):
            campaign = await store.add_campaign(
                new_code(), draft.name, user.id, draft.competences, self.clock()
            )
            if campaign is not None:
                break
        if campaign is None:  # pragma: no cover - 20 collisions in a row
            raise RuntimeError("no free campaign code")
        await store.delete_campaign_draft(user.id)
        created = screens.created(lang, campaign, self.bot_username)
        return Outcome([Message(created)], [Edit(None, None)])

    # --- learners ------------------------------------------------------------------------

    def _targeted(self, campaign: Campaign) -> list[str]:
        """The campaign's competences that the framework still has."""
        return [code for code in campaign.competences if code in self.bank.competences]

    async def _join(self, store: Store, user: User, args: str) -> Outcome:
        lang = user.language
        screens = self.campaign_views
        if not args.strip():
            return Outcome([screens.join_help(lang, await store.open_participations(user.id))])
        code = normalise_code(args)
        if not CODE_FORMAT.fullmatch(code):
            return Outcome([screens.bad_code(lang)])
        campaign = await store.campaign_by_code(code)
        if campaign is None:
            return Outcome([screens.unknown_code(lang, code)])
        participation = await store.participation(campaign.id, user.id)
        if participation is None:
            if campaign.closed_at is not None:
                return Outcome([screens.closed_campaign(lang, campaign)])
            return Outcome([screens.join_intro(lang, campaign)])
        return await self._continue(store, user, campaign, participation)

    async def _continue(
        self,
        store: Store,
        user: User,
        campaign: Campaign,
        participation: Participation,
        edits: Sequence[Edit] = (),
    ) -> Outcome:
        """Where the participant is: the test in progress, the next competence, or sharing."""
        lang = user.language
        screens = self.campaign_views
        edits = list(edits)
        if participation.shared_at is not None:
            return Outcome([screens.already_shared(lang, campaign)], edits)
        scores = await store.participation_scores(participation.id)
        targeted = self._targeted(campaign)
        remaining = [code for code in targeted if code not in scores]
        active = await store.active_assessment(user.id)
        if active is not None:
            linked = await store.participation_of_assessment(active.id)
            if linked is not None and linked.id == participation.id:
                then = await self.assessments.next(store, active, lang)
                if isinstance(then, Served):
                    if then.attempt.message_id is not None:  # the same challenge shown earlier
                        edits.append(Edit(then.attempt.message_id, None))
                    back = screens.welcome_back(lang, campaign, len(targeted) - len(remaining))
                    return Outcome([back, self.views.challenge(lang, then)], edits)
                if isinstance(then, Finished):  # pragma: no cover - finished on the last answer
                    after = await self._campaign_after(store, user, then)
                    return Outcome([self.views.result(lang, then), *after], edits)
        if not remaining:
            return Outcome([screens.share_prompt(lang, campaign, scores)], edits)
        return await self._campaign_test(store, user, participation, remaining[0], edits)

    async def _campaign_test(
        self,
        store: Store,
        user: User,
        participation: Participation,
        competence: str,
        edits: list[Edit],
    ) -> Outcome:
        """Start the adaptive test on ``competence`` for the participation (this abandons
        another test in progress, as choosing a competence in the menu does)."""
        lang = user.language
        active = await store.active_assessment(user.id)
        if active is not None:
            pending = await self.assessments.pending(store, active)
            if pending is not None and pending.attempt.message_id is not None:
                edits.append(Edit(pending.attempt.message_id, None))
        then = await self.assessments.start(store, user.id, competence, lang)
        await store.link_campaign_assessment(participation, then.assessment.id, competence)
        messages = [Message(self.views.test_intro(lang, competence))]
        if isinstance(then, Served):
            messages.append(self.views.challenge(lang, then))
        elif isinstance(then, Finished):  # nothing to ask on this competence in the bank
            messages.append(self.views.result(lang, then))
            messages += await self._campaign_after(store, user, then)
        return Outcome(messages, edits)
