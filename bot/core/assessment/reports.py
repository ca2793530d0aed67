"""Reporting a problem with a question, as Pix's "Signaler un problème": the button under every
correction opens the reasons; a reason is stored at once, "something else" waits for a short
text (or Cancel). One report per learner and question: reporting again updates it."""

from __future__ import annotations

from bot.core.assessment.callbacks import Report, ReportCancel, ReportClose, ReportWhy
from bot.core.assessment.ports import REPORT_TEXT_LIMIT, Cancelled, ReportReason
from bot.core.assessment.screens import AssessmentScreens
from bot.core.chat import Edit, Message, Outcome
from bot.core.ports import Attempt, Awaiting, Clock
from bot.core.registry import Registry, Turn
from bot.core.screens import CommonScreens
from content.bank import ContentBank


class Reports:
    def __init__(
        self,
        bank: ContentBank,
        screens: AssessmentScreens,
        common: CommonScreens,
        clock: Clock,
    ) -> None:
        self.bank = bank
        self.screens = screens
        self.common = common
        self.clock = clock

    def register(self, registry: Registry) -> None:
        registry.press(Report, self.reasons)
        registry.press(ReportWhy, self.reason)
        registry.press(ReportClose, self.close)
        registry.press(ReportCancel, self.cancel)
        registry.text(Awaiting.REPORT_TEXT, self.typed)

    async def _answered(self, turn: Turn, token: str) -> Attempt | None:
        """The learner's own answered attempt whose challenge is still in the bank."""
        attempt = await turn.store.attempt_by_token(token)
        if (
            attempt is None
            or attempt.user_id != turn.user.id
            or not attempt.answered
            or attempt.challenge_id not in self.bank.challenges
        ):
            return None
        return attempt

    async def reasons(self, turn: Turn, data: Report) -> Outcome:
        attempt = await self._answered(turn, data.token)
        if attempt is None:
            return self.closed(turn)
        challenge = self.bank.challenges[attempt.challenge_id]
        return Outcome([self.screens.report_reasons(turn.language, challenge, attempt)])

    async def reason(self, turn: Turn, data: ReportWhy) -> Outcome:
        attempt = await self._answered(turn, data.token)
        if attempt is None:
            return self.closed(turn)
        store, user, lang, now = turn.store, turn.user, turn.language, self.clock()
        reason = ReportReason(data.reason)
        if reason is ReportReason.OTHER:
            await store.await_report_text(user.id, attempt.challenge_id, attempt.language, now)
            user.awaiting = Awaiting.REPORT_TEXT
            await store.save_user(user, now)
            ask = self.screens.report_ask_text(lang)
            return Outcome(edits=[Edit(None, ask, self.screens.report_cancel_buttons(lang))])
        await store.save_report(user.id, attempt.challenge_id, attempt.language, reason, None, now)
        return Outcome(edits=[Edit(None, self.screens.report_thanks(lang))])

    async def typed(self, turn: Turn, text: str) -> Outcome:
        """The text of a report on "something else"."""
        store, user, lang, now = turn.store, turn.user, turn.language, self.clock()
        text = text.strip()
        if len(text) > REPORT_TEXT_LIMIT:
            return Outcome([self.screens.report_text_too_long(lang)])
        if not text:
            return Outcome([Message(self.screens.report_ask_text(lang), expects_text=True)])
        saved = await store.save_report_text(user.id, text, now)
        user.awaiting = None
        await store.save_user(user, now)
        if not saved:  # nothing was awaited any more (cancelled from another message)
            return Outcome([Message(self.common.closed(lang))])
        return Outcome([Message(self.screens.report_thanks(lang))])

    async def close(self, turn: Turn, data: ReportClose) -> Outcome:
        """Cancel under the reasons: nothing reported."""
        cancelled = self.screens.report_cancelled(turn.language, Cancelled.DROPPED)
        return Outcome(edits=[Edit(None, cancelled)])

    async def cancel(self, turn: Turn, data: ReportCancel) -> Outcome:
        """Cancel while the text is awaited: the report being written goes (an earlier one on
        the same question stands). Pressed once the text was sent, it only closes."""
        cancelled = await turn.store.cancel_report_text(turn.user.id)
        if cancelled is Cancelled.NOTHING:
            return Outcome(notice=self.common.closed(turn.language), edits=[Edit(None, None)])
        return Outcome(edits=[Edit(None, self.screens.report_cancelled(turn.language, cancelled))])

    def closed(self, turn: Turn) -> Outcome:
        return Outcome(notice=self.common.closed(turn.language))
