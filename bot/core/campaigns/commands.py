"""Campaigns (Pix Orga in a chat): educators create them, learners join with a code, take the
targeted competences and share their results.

Every step is stored (the draft being created, the participation, the tests linked to it), so
a learner can stop at any point and come back with ``/join CODE``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from bot.core.assessments import Assessments, Finished, Served, StepScreens
from bot.core.callbacks import CallbackData
from bot.core.campaigns.callbacks import (
    PREFIX,
    AskLabel,
    ByCode,
    CancelDraft,
    ClearLabel,
    Consent,
    CreateCampaign,
    DontShare,
    EditIdentifier,
    GoOn,
    RegisterEducator,
    Share,
    ToggleCompetence,
)
from bot.core.campaigns.class_screens import ClassScreens
from bot.core.campaigns.ports import Campaign, CampaignDraft, Participation
from bot.core.campaigns.results import ClassResults
from bot.core.campaigns.screens import IDENTIFIER_LIMIT, NAME_LIMIT, CampaignScreens
from bot.core.campaigns.use_cases import (
    CODE_ATTEMPTS,
    CODE_FORMAT,
    framework_order,
    is_code,
    new_code,
    normalise_code,
    targeted,
)
from bot.core.chat import Edit, Message, Outcome
from bot.core.library.ports import GroupAdmins
from bot.core.ports import Awaiting, Clock
from bot.core.registry import Registry, Turn
from bot.core.scoring import DEFAULT_MAX_LEVEL
from content.bank import ContentBank

log = logging.getLogger(__name__)


class CampaignSlice:
    def __init__(
        self,
        bank: ContentBank,
        screens: CampaignScreens,
        steps: StepScreens,
        assessments: Assessments,
        clock: Clock,
        admins: GroupAdmins | None = None,
        max_level: int = DEFAULT_MAX_LEVEL,
    ) -> None:
        self.bank = bank
        self.screens = screens
        self.steps = steps  # the targeted tests' challenges and results
        self.assessments = assessments
        self.clock = clock
        self.results = ClassResults(
            bank,
            ClassScreens(bank, screens.catalogs),
            screens,
            admins or GroupAdmins(),
            clock,
            max_level,
        )

    def register(self, registry: Registry) -> None:
        registry.command("educator", self.educator)
        registry.command("campaign", self.campaign)
        registry.command("join", self.join)
        registry.start_link(is_code, self.join)
        registry.press(RegisterEducator, self.register_educator)
        drafting: tuple[type[CallbackData], ...] = (
            ToggleCompetence,
            CreateCampaign,
            CancelDraft,
            AskLabel,
            ClearLabel,
        )
        for kind in drafting:
            registry.press(kind, self.draft_press)
        by_code: tuple[type[CallbackData], ...] = (Consent, GoOn, Share, DontShare, EditIdentifier)
        for kind in by_code:
            registry.press(kind, self.participation_press)
        self.results.register(registry)
        registry.stale_data(PREFIX, self.stale)
        registry.text(Awaiting.CAMPAIGN_NAME, self.typed_name)
        registry.text(Awaiting.CAMPAIGN_LABEL, self.typed_label)
        registry.text(Awaiting.CAMPAIGN_IDENTIFIER, self.typed_identifier)

    # --- educators -----------------------------------------------------------------------

    async def educator(self, turn: Turn, args: str) -> Outcome:
        if await turn.store.is_educator(turn.user.id):
            return Outcome([self.screens.educator_already(turn.language)])
        return Outcome([self.screens.educator_intro(turn.language)])

    async def register_educator(self, turn: Turn, data: RegisterEducator) -> Outcome:
        await turn.store.add_educator(turn.user.id, self.clock())
        registered = self.screens.educator_registered(turn.language)
        return Outcome([registered], [Edit(None, None)])

    async def campaign(self, turn: Turn, args: str) -> Outcome:
        """/campaign new | list | results CODE | close CODE."""
        store, user, lang, screens = turn.store, turn.user, turn.language, self.screens
        words = args.split(maxsplit=1)
        sub = words[0].lower() if words else ""
        rest = words[1] if len(words) > 1 else ""
        educator = await store.is_educator(user.id)
        if sub not in ("new", "list", "results", "close") or (sub != "new" and not educator):
            return Outcome([screens.campaign_help(lang, educator)])
        if sub == "new":
            if not educator:
                return Outcome([screens.educator_first(lang)])
            user.awaiting = Awaiting.CAMPAIGN_NAME
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
        return await self.results.show(turn, campaign)

    async def typed_name(self, turn: Turn, text: str) -> Outcome:
        """The name of the campaign being created."""
        store, user, lang = turn.store, turn.user, turn.language
        name = " ".join(text.split())
        if not name or len(name) > NAME_LIMIT:
            return Outcome([self.screens.name_invalid(lang)])
        user.awaiting = None
        await store.save_user(user, self.clock())
        if not await store.is_educator(user.id):
            return Outcome([self.screens.educator_first(lang)])
        draft = CampaignDraft(name)
        await store.save_campaign_draft(user.id, draft, self.clock())
        return Outcome([self.screens.draft(lang, draft)])

    async def typed_label(self, turn: Turn, text: str) -> Outcome:
        """What the campaign being created asks each learner for (Pix Orga's external id)."""
        store, user, lang = turn.store, turn.user, turn.language
        label = " ".join(text.split())
        if not label or len(label) > IDENTIFIER_LIMIT:
            return Outcome([self.screens.label_invalid(lang)])
        user.awaiting = None
        await store.save_user(user, self.clock())
        draft = await store.campaign_draft(user.id)
        if draft is None or not await store.is_educator(user.id):
            return Outcome([self.screens.cancelled(lang)])
        draft = replace(draft, identifier_label=label)
        await store.save_campaign_draft(user.id, draft, self.clock())
        return Outcome([self.screens.draft(lang, draft)])

    async def draft_press(
        self,
        turn: Turn,
        data: ToggleCompetence | CreateCampaign | CancelDraft | AskLabel | ClearLabel,
    ) -> Outcome:
        store, user, lang, screens = turn.store, turn.user, turn.language, self.screens
        draft = await store.campaign_draft(user.id)
        if isinstance(data, CancelDraft):
            if draft is not None:
                await store.delete_campaign_draft(user.id)
            return Outcome([screens.cancelled(lang)], [Edit(None, None)])
        if draft is None or not await store.is_educator(user.id):
            return Outcome(notice=screens.stale(lang))
        if isinstance(data, AskLabel):
            user.awaiting = Awaiting.CAMPAIGN_LABEL
            await store.save_user(user, self.clock())
            return Outcome([screens.ask_label(lang)], [Edit(None, None)])
        if isinstance(data, ClearLabel):
            draft = replace(draft, identifier_label=None)
            await store.save_campaign_draft(user.id, draft, self.clock())
            return Outcome([screens.draft(lang, draft)], [Edit(None, None)])
        if isinstance(data, ToggleCompetence):
            if data.competence not in self.bank.competences:
                return Outcome(notice=screens.stale(lang))
            chosen = framework_order(self.bank, set(draft.competences) ^ {data.competence})
            draft = replace(draft, competences=chosen)
            await store.save_campaign_draft(user.id, draft, self.clock())
            screen = screens.draft(lang, draft)
            return Outcome(edits=[Edit(None, screen.text, screen.buttons)])
        if not draft.competences:
            return Outcome(notice=screens.select_one(lang))
        campaign: Campaign | None = None
        for _ in range(CODE_ATTEMPTS):
            campaign = await store.add_campaign(
                new_code(),
                draft.name,
                user.id,
                draft.competences,
                self.clock(),
                draft.identifier_label,
            )
            if campaign is not None:
                break
        if campaign is None:  # pragma: no cover - 20 collisions in a row
            raise RuntimeError("no free campaign code")
        await store.delete_campaign_draft(user.id)
        created = screens.created(lang, campaign, turn.bot_username)
        return Outcome([created], [Edit(None, None)])

    async def stale(self, turn: Turn, rest: str) -> Outcome:
        """Campaign button data that is no kind of ours (forged, or from a gone version)."""
        log.info("campaign button not ours from user %s: %r", turn.user.id, rest)
        return Outcome(notice=self.screens.stale(turn.language))

    # --- learners ------------------------------------------------------------------------

    async def join(self, turn: Turn, args: str) -> Outcome:
        """/join CODE, or a campaign's deep link."""
        store, user, lang, screens = turn.store, turn.user, turn.language, self.screens
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
        return await self._continue(turn, campaign, participation)

    async def participation_press(self, turn: Turn, data: ByCode) -> Outcome:
        store, user, lang, screens = turn.store, turn.user, turn.language, self.screens
        campaign = await store.campaign_by_code(data.code)
        if campaign is None:  # deleted with its educator's account
            return Outcome([screens.unknown_code(lang, data.code)], [Edit(None, None)])
        participation = await store.participation(campaign.id, user.id)
        if isinstance(data, Consent):
            if participation is None:
                if campaign.closed_at is not None:
                    return Outcome([screens.closed_campaign(lang, campaign)], [Edit(None, None)])
                participation = await store.add_participation(campaign.id, user.id, self.clock())
            return await self._continue(turn, campaign, participation, [Edit(None, None)])
        if participation is None:
            return Outcome(notice=screens.stale(lang))
        if isinstance(data, GoOn):
            return await self._continue(turn, campaign, participation, [Edit(None, None)])
        if isinstance(data, EditIdentifier):
            if not campaign.identifier_label:  # forged: this campaign asks for none
                return Outcome(notice=screens.stale(lang))
            if participation.shared_at is not None:
                return Outcome([screens.already_shared(lang, campaign)], [Edit(None, None)])
            return await self._ask_identifier(turn, campaign, participation, [Edit(None, None)])
        if isinstance(data, Share):
            scores = await store.participation_scores(participation.id)
            if any(code not in scores for code in targeted(self.bank, campaign)):
                return Outcome(notice=screens.stale(lang))
            await store.share_participation(participation.id, self.clock())
            return Outcome([screens.shared(lang, campaign)], [Edit(None, None)])
        return Outcome([screens.not_shared(lang, campaign)], [Edit(None, None)])

    async def after_test(self, turn: Turn, finished: Finished) -> list[Message]:
        """Messages after a test ends (the next targeted competence, or sharing)."""
        store = turn.store
        participation = await store.participation_of_assessment(finished.assessment.id)
        if participation is None or participation.shared_at is not None:
            return []
        campaign = await store.campaign_by_id(participation.campaign_id)
        if campaign is None:
            return []
        lang = turn.language
        scores = await store.participation_scores(participation.id)
        codes = targeted(self.bank, campaign)
        remaining = [code for code in codes if code not in scores]
        if remaining:
            done = len(codes) - len(remaining)
            return [self.screens.next_competence(lang, campaign, done, remaining[0])]
        return [self.screens.share_prompt(lang, campaign, scores)]

    async def _continue(
        self,
        turn: Turn,
        campaign: Campaign,
        participation: Participation,
        edits: Sequence[Edit] = (),
    ) -> Outcome:
        """Where the participant is: the test in progress, the next competence, or sharing."""
        store, user, lang, screens = turn.store, turn.user, turn.language, self.screens
        edits = list(edits)
        if participation.shared_at is not None:
            return Outcome([screens.already_shared(lang, campaign)], edits)
        if campaign.identifier_label and not participation.identifier:
            return await self._ask_identifier(turn, campaign, participation, edits)
        scores = await store.participation_scores(participation.id)
        codes = targeted(self.bank, campaign)
        remaining = [code for code in codes if code not in scores]
        active = await store.active_assessment(user.id)
        if active is not None:
            linked = await store.participation_of_assessment(active.id)
            if linked is not None and linked.id == participation.id:
                then = await self.assessments.next(store, active, lang)
                if isinstance(then, Served):
                    if then.attempt.message_id is not None:  # the same challenge shown earlier
                        edits.append(Edit(then.attempt.message_id, None))
                    back = screens.welcome_back(lang, campaign, len(codes) - len(remaining))
                    return Outcome([back, self.steps.step(lang, then)], edits)
                if isinstance(then, Finished):  # pragma: no cover - finished on the last answer
                    after = await self.after_test(turn, then)
                    return Outcome([self.steps.step(lang, then), *after], edits)
        if not remaining:
            return Outcome([screens.share_prompt(lang, campaign, scores)], edits)
        return await self._test(turn, participation, remaining[0], edits)

    async def _ask_identifier(
        self,
        turn: Turn,
        campaign: Campaign,
        participation: Participation,
        edits: Sequence[Edit] = (),
    ) -> Outcome:
        """The learner types the identifier the campaign asks for: their next text is it."""
        store, user = turn.store, turn.user
        user.awaiting = Awaiting.CAMPAIGN_IDENTIFIER
        await store.save_user(user, self.clock())
        await store.ask_identifier(participation.id, self.clock())
        asked = self.screens.ask_identifier(turn.language, campaign, participation.identifier)
        return Outcome([asked], list(edits))

    async def typed_identifier(self, turn: Turn, text: str) -> Outcome:
        store, user, lang, screens = turn.store, turn.user, turn.language, self.screens
        identifier = " ".join(text.split())
        if not identifier or len(identifier) > IDENTIFIER_LIMIT:
            return Outcome([screens.identifier_invalid(lang)])
        user.awaiting = None
        await store.save_user(user, self.clock())
        asked = await store.identifier_asked(user.id)
        if asked is None:  # shared meanwhile, or the campaign is gone
            return Outcome([screens.join_help(lang, await store.open_participations(user.id))])
        campaign, participation = asked
        if not await store.set_participation_identifier(participation.id, identifier):
            return Outcome([screens.already_shared(lang, campaign)])
        participation = replace(participation, identifier=identifier)
        then = await self._continue(turn, campaign, participation)
        saved = screens.identifier_saved(lang, identifier)
        return Outcome([saved, *then.messages], then.edits, then.notice)

    async def _test(
        self, turn: Turn, participation: Participation, competence: str, edits: list[Edit]
    ) -> Outcome:
        """Start the adaptive test on ``competence`` for the participation (this abandons
        another test in progress, as choosing a competence in the menu does)."""
        store, user, lang = turn.store, turn.user, turn.language
        shown = await self.assessments.pending_message(store, user.id)
        if shown is not None:
            edits.append(Edit(shown, None))
        english = await self.assessments.in_english_first(store, user.id, lang)
        then = await self.assessments.start(store, user.id, competence, lang)
        await store.link_campaign_assessment(participation, then.assessment.id, competence)
        messages = [Message(self.steps.test_intro(lang, competence, english))]
        if isinstance(then, Served):
            messages.append(self.steps.step(lang, then))
        elif isinstance(then, Finished):  # nothing to ask on this competence in the bank
            messages.append(self.steps.step(lang, then))
            messages += await self.after_test(turn, then)
        return Outcome(messages, edits)
