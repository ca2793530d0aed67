"""What educators and campaign participants read: every campaign text, and the results export."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Final

from bot.core.campaigns.callbacks import (
    AskLabel,
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
from bot.core.campaigns.ports import (
    Campaign,
    CampaignDraft,
    CompetenceScore,
    Participation,
)
from bot.core.chat import Attachment, Button, Keyboard, Message, in_rows
from bot.core.home.callbacks import Menu
from bot.core.i18n import Catalogs
from bot.core.text import cut, isolated, shown
from content.bank import ContentBank

PER_ROW: Final = 2  # competence toggles per keyboard row ("✅ 3.1 Text documents")
LABEL_LIMIT: Final = 30  # a button's label that a phone shows whole
MAX_LISTED: Final = 30  # campaigns shown by /campaign list
NAME_LIMIT: Final = 100  # characters of a campaign's name
IDENTIFIER_LIMIT: Final = 64  # characters of a learner's identifier, and of its label


class CampaignScreens:
    def __init__(
        self, bank: ContentBank, catalogs: Catalogs, dashboard_url: str | None = None
    ) -> None:
        self.bank = bank
        self.catalogs = catalogs
        self.dashboard_url = dashboard_url  # DASHBOARD_URL: the campaign dashboard's Mini App

    def _dashboard(self, language: str, code: str | None = None) -> Keyboard:
        """ "📊 Open the dashboard" (a campaign's when ``code`` is given) above the way back to
        the menu; the menu alone when no dashboard is served."""
        if not self.dashboard_url:
            return self._menu(language)
        url = f"{self.dashboard_url}/" + (f"?campaign={code}" if code else "")
        label = self.catalogs.get(language).gettext("📊 Open the dashboard")
        return ((Button(label, web_app=url),), *self._menu(language))

    def _competence(self, language: str, code: str) -> str:
        if code not in self.bank.competences:  # pragma: no cover - dropped from the framework
            return code
        return f"{code} {escape(self.bank.competence_name(code, language))}"

    def _owner(self, language: str, campaign: Campaign) -> str:
        if campaign.owner_name:
            return shown(campaign.owner_name)
        return self.catalogs.get(language).gettext("your educator")

    def _competence_list(self, language: str, codes: Sequence[str]) -> str:
        return "\n".join("• " + self._competence(language, code) for code in codes)

    def _short(self, language: str, code: str) -> str:
        """A competence on a button: its code and short name."""
        if code not in self.bank.competences:  # pragma: no cover - dropped from the framework
            return code
        return f"{code} {self.bank.competence_short(code, language)}"

    def _menu(self, language: str) -> Keyboard:
        return ((Button(self.catalogs.get(language).gettext("⬅️ Menu"), Menu().pack()),),)

    def _message(self, language: str, text: str) -> Message:
        """A message that ends something: the way back to the menu under it."""
        return Message(text, self._menu(language))

    # --- educators ---------------------------------------------------------------------

    def educator_intro(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "\n\n".join(
            [
                "🧑‍🏫 <b>" + _("Educator space") + "</b>",
                _(
                    "As an educator you can create campaigns: a code and a link that invite "
                    "your learners to take the competences you choose. You then see the "
                    "results that learners choose to share with you: their first name, "
                    "progress, and level and pix per competence. Nothing else about them."
                ),
                _("Register as an educator?"),
            ]
        )
        buttons = (
            (Button(_("✅ Register as an educator"), RegisterEducator().pack()),),
            (Button(_("Cancel"), Menu().pack()),),
        )
        return Message(text, buttons)

    def educator_already(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("You are registered as an educator.") + "\n\n" + self.usage(language)
        return self._message(language, text)

    def educator_registered(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "✅ " + _("You are registered as an educator.") + "\n\n" + self.usage(language)
        return self._message(language, text)

    def usage(self, language: str) -> str:
        _ = self.catalogs.get(language).gettext
        return "\n".join(
            [
                _("/campaign new — create a campaign"),
                _("/campaign list — your campaigns"),
                _("/campaign results CODE — results and CSV export"),
                _("/campaign close CODE — accept no new participants"),
            ]
        )

    def campaign_help(self, language: str, educator: bool) -> Message:
        _ = self.catalogs.get(language).gettext
        if educator:
            return self._message(
                language, "📋 <b>" + _("Campaigns") + "</b>\n\n" + self.usage(language)
            )
        return self._message(
            language,
            _(
                "Campaigns are for educators: send /educator first. To take part in a "
                "campaign, send /join followed by the code your educator gave you."
            ),
        )

    def educator_first(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return self._message(
            language, _("Only educators can create campaigns. Send /educator to register first.")
        )

    # --- creating ----------------------------------------------------------------------

    def ask_name(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(
            self.catalogs.get(language)
            .ngettext(
                "What is the campaign's name? Type it (up to {count} character).",
                "What is the campaign's name? Type it (up to {count} characters).",
                NAME_LIMIT,
            )
            .format(count=NAME_LIMIT),
            ((Button(_("Cancel"), CancelDraft().pack()),),),
            expects_text=True,
        )

    def name_invalid(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(
            self.catalogs.get(language)
            .ngettext(
                "A campaign name has 1 to {count} character. Type it again.",
                "A campaign name has 1 to {count} characters. Type it again.",
                NAME_LIMIT,
            )
            .format(count=NAME_LIMIT),
            ((Button(_("Cancel"), CancelDraft().pack()),),),
            expects_text=True,
        )

    def draft(self, language: str, draft: CampaignDraft) -> Message:
        _ = self.catalogs.get(language).gettext
        chosen = set(draft.competences)
        lines = [
            "📋 <b>" + shown(draft.name) + "</b>",
            _("Tick the competences this campaign targets, then tap Create."),
        ]
        toggles: list[Button] = []
        for area in self.bank.framework.areas:
            lines.append("")
            lines.append(f"<b>{area.code} · {escape(area.name.get(language))}</b>")
            for competence in area.competences:
                mark = "✅" if competence.code in chosen else "▫️"
                lines.append(f"{mark} {self._competence(language, competence.code)}")
                short = self._short(language, competence.code)
                label = f"✅ {short}" if competence.code in chosen else short
                toggles.append(Button(label, ToggleCompetence(competence.code).pack()))
        lines.append("")
        if draft.identifier_label:
            lines.append(
                "🪪 "
                + _("Each learner is asked for: {label}").format(
                    label=f"<b>{shown(draft.identifier_label)}</b>"
                )
            )
        else:
            lines.append(
                "🪪 "
                + _(
                    "Optional: ask each learner for an identifier when they join (a student "
                    "number, their name as on your class list)."
                )
            )
        rows = in_rows(toggles, PER_ROW)
        if draft.identifier_label:
            rows.append(
                (
                    Button(_("🪪 Change identifier"), AskLabel().pack()),
                    Button(_("✖️ No identifier"), ClearLabel().pack()),
                )
            )
        else:
            rows.append((Button(_("🪪 Ask for an identifier"), AskLabel().pack()),))
        create = _("🚀 Create ({count})").format(count=len(chosen))
        rows.append(
            (Button(create, CreateCampaign().pack()), Button(_("Cancel"), CancelDraft().pack()))
        )
        return Message("\n".join(lines), tuple(rows))

    def _label_buttons(self, language: str) -> Keyboard:
        _ = self.catalogs.get(language).gettext
        return (
            (Button(_("Skip: no identifier"), ClearLabel().pack()),),
            (Button(_("Cancel"), CancelDraft().pack()),),
        )

    def ask_label(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "🪪 " + _(
            "What should each learner type when they join? Type its name, for example "
            "“Student number” or “Name as on the class list” (up to {count} characters)."
        ).format(count=IDENTIFIER_LIMIT)
        return Message(text, self._label_buttons(language), expects_text=True)

    def label_invalid(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("The identifier's name has 1 to {count} characters. Type it again.").format(
            count=IDENTIFIER_LIMIT
        )
        return Message(text, self._label_buttons(language), expects_text=True)

    def select_one(self, language: str) -> str:
        return self.catalogs.get(language).gettext("Tick at least one competence first.")

    def created(self, language: str, campaign: Campaign, bot_username: str) -> Message:
        _ = self.catalogs.get(language).gettext
        lines = [
            "✅ <b>" + _("Campaign created: {name}").format(name=shown(campaign.name)) + "</b>",
            _("Code: {code}").format(code=f"<code>{campaign.code}</code>"),
        ]
        if campaign.identifier_label:
            lines.append(
                "🪪 "
                + _("Each learner is asked for: {label}").format(
                    label=f"<b>{shown(campaign.identifier_label)}</b>"
                )
            )
        if bot_username:
            link = f"https://t.me/{escape(bot_username)}?start={campaign.code}"
            lines.append(_("Link for your learners: {link}").format(link=link))
        lines += [
            _("Learners can also send {command}.").format(
                command=f"<code>/join {campaign.code}</code>"
            ),
            "",
            _("Targeted competences:"),
            self._competence_list(language, campaign.competences),
            "",
            _("Results: {command}").format(
                command=f"<code>/campaign results {campaign.code}</code>"
            ),
        ]
        return self._message(language, "\n".join(lines))

    def cancelled(self, language: str) -> Message:
        return self._message(
            language, self.catalogs.get(language).gettext("Campaign creation cancelled.")
        )

    # --- codes -------------------------------------------------------------------------

    def bad_code(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return self._message(
            language,
            _("A campaign code has 6 letters and 3 digits, like {example}.").format(
                example="<code>ABCDEF123</code>"
            ),
        )

    def unknown_code(self, language: str, code: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return self._message(
            language,
            _("No campaign has the code {code}. Check it with your educator.").format(
                code=f"<code>{escape(code)}</code>"
            ),
        )

    def closed_campaign(self, language: str, campaign: Campaign) -> Message:
        _ = self.catalogs.get(language).gettext
        return self._message(
            language,
            _("The campaign {name} is closed: it accepts no new participants.").format(
                name=f"<b>{shown(campaign.name)}</b>"
            ),
        )

    def stale(self, language: str) -> str:
        return self.catalogs.get(language).gettext("This button is no longer valid.")

    # --- learners ----------------------------------------------------------------------

    def join_intro(self, language: str, campaign: Campaign) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "\n\n".join(
            [
                "📋 <b>"
                + _("Campaign: {name}").format(name=shown(campaign.name))
                + "</b>\n"
                + _("By {educator}").format(educator=self._owner(language, campaign)),
                _("Competences to take:")
                + "\n"
                + self._competence_list(language, campaign.competences),
                _(
                    "You take an adaptive test on each competence; you can stop and come "
                    "back with /join {code}."
                ).format(code=campaign.code),
                self._what_educator_sees(language, campaign),
            ]
        )
        buttons = (
            (Button(_("✅ I agree, let's start"), Consent(campaign.code).pack()),),
            (Button(_("Cancel"), Menu().pack()),),
        )
        return Message(text, buttons)

    def _what_educator_sees(self, language: str, campaign: Campaign) -> str:
        _ = self.catalogs.get(language).gettext
        educator = self._owner(language, campaign)
        if campaign.identifier_label:
            seen = _(
                "👁 {educator} sees your first name, your {label} and whether you have "
                "started or finished (how many competences); your levels and pix per "
                "competence only if you choose to share them at the end."
            ).format(educator=educator, label=f"<b>{shown(campaign.identifier_label)}</b>")
        else:
            seen = _(
                "👁 {educator} sees your first name and whether you have started or "
                "finished (how many competences); your levels and pix per competence only if "
                "you choose to share them at the end."
            ).format(educator=educator)
        return seen

    def ask_identifier(
        self, language: str, campaign: Campaign, current: str | None = None
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        lines = [
            "🪪 "
            + _("{educator} asks you for: {label}. Type it below.").format(
                educator=self._owner(language, campaign),
                label=f"<b>{shown(campaign.identifier_label or '')}</b>",
            )
        ]
        if current:
            lines.append(_("Now: {identifier}").format(identifier=shown(current)))
        return Message("\n".join(lines), self._menu(language), expects_text=True)

    def identifier_invalid(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("An identifier has 1 to {count} characters. Type it again.").format(
            count=IDENTIFIER_LIMIT
        )
        return Message(text, self._menu(language), expects_text=True)

    def identifier_saved(self, language: str, identifier: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message("✅ " + _("Saved: {identifier}").format(identifier=shown(identifier)))

    def _identifier_row(self, language: str, campaign: Campaign) -> Keyboard:
        if not campaign.identifier_label:
            return ()
        label = self.catalogs.get(language).gettext("🪪 My identifier")
        return ((Button(label, EditIdentifier(campaign.code).pack()),),)

    def join_help(
        self, language: str, open_campaigns: Sequence[tuple[Campaign, Participation]]
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("To take part in a campaign, send /join followed by its code, like {example}.")
        text = text.format(example="<code>/join ABCDEF123</code>")
        label = _("▶️ Continue: {name}")
        room = LABEL_LIMIT - len(label.format(name=""))
        rows = tuple(
            (
                Button(
                    label.format(name=isolated(cut(campaign.name, room))),
                    GoOn(campaign.code).pack(),
                ),
            )
            for campaign, _participation in open_campaigns[:10]
        )
        return Message(text, rows + self._menu(language))

    def _progress(self, language: str, campaign: Campaign, done: int) -> str:
        total = len(campaign.competences)
        return (
            self.catalogs.get(language)
            .ngettext(  # the noun agrees with what is done, in every language
                "Campaign {name}: {done} competence done out of {total}.",
                "Campaign {name}: {done} competences done out of {total}.",
                done,
            )
            .format(name=f"<b>{shown(campaign.name)}</b>", done=done, total=total)
        )

    def welcome_back(self, language: str, campaign: Campaign, done: int) -> Message:
        return Message(self._progress(language, campaign, done))

    def next_competence(
        self, language: str, campaign: Campaign, done: int, competence: str
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "\n".join(
            [
                "📋 " + self._progress(language, campaign, done),
                _("Next: {competence}").format(competence=self._competence(language, competence)),
            ]
        )
        label = _("▶️ Start {competence}").format(competence=self._short(language, competence))
        return Message(
            text,
            (
                (Button(label, GoOn(campaign.code).pack()),),
                *self._identifier_row(language, campaign),
                *self._menu(language),
            ),
        )

    def share_prompt(
        self, language: str, campaign: Campaign, scores: Mapping[str, CompetenceScore]
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        lines = [
            "🏁 <b>" + _("Campaign {name} finished!").format(name=shown(campaign.name)) + "</b>",
            "",
        ]
        for code in campaign.competences:
            score = scores.get(code)
            if score is not None:
                lines.append(
                    "• "
                    + self._competence(language, code)
                    + " — "
                    + _("level {level} · {pix} pix").format(level=score.level, pix=score.pix)
                )
        lines += [
            "",
            _("Share your results with {educator}?").format(
                educator=self._owner(language, campaign)
            ),
        ]
        buttons = (
            (
                Button(_("📤 Share"), Share(campaign.code).pack()),
                Button(_("Not now"), DontShare(campaign.code).pack()),
            ),
            *self._identifier_row(language, campaign),
            *self._menu(language),
        )
        return Message("\n".join(lines), buttons)

    def shared(self, language: str, campaign: Campaign) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "✅ " + _("Your results are shared with {educator}. Thank you!").format(
            educator=self._owner(language, campaign)
        )
        return self._message(language, text)

    def already_shared(self, language: str, campaign: Campaign) -> Message:
        _ = self.catalogs.get(language).gettext
        return self._message(
            language,
            _("You have finished the campaign {name} and shared your results.").format(
                name=f"<b>{shown(campaign.name)}</b>"
            ),
        )

    def not_shared(self, language: str, campaign: Campaign) -> Message:
        _ = self.catalogs.get(language).gettext
        text = _("Not shared. Send /join {code} whenever you want to share your results.")
        return self._message(language, text.format(code=campaign.code))

    # --- owners ------------------------------------------------------------------------

    def not_owner(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return self._message(
            language, _("Only the educator who created this campaign can do that.")
        )

    def campaign_list(self, language: str, campaigns: Sequence[tuple[Campaign, int]]) -> Message:
        _ = self.catalogs.get(language).gettext
        if not campaigns:
            return self._message(
                language, _("You have no campaign yet. Create one with /campaign new.")
            )
        lines = ["📋 <b>" + _("Your campaigns") + "</b>"]
        for campaign, count in campaigns[:MAX_LISTED]:
            status = _("closed") if campaign.closed_at is not None else _("open")
            participants = (
                self.catalogs.get(language)
                .ngettext("{count} participant", "{count} participants", count)
                .format(count=count)
            )
            lines.append(
                f"• <code>{campaign.code}</code> {shown(campaign.name)} — "
                f"{participants} · {status}"
            )
        if len(campaigns) > MAX_LISTED:
            lines.append("…")
        return Message("\n".join(lines), self._dashboard(language))

    def closed_now(self, language: str, campaign: Campaign) -> Message:
        _ = self.catalogs.get(language).gettext
        return self._message(
            language,
            _(
                "The campaign {name} is closed: no new participants; those who started can finish."
            ).format(name=f"<b>{shown(campaign.name)}</b>"),
        )

    def already_closed(self, language: str, campaign: Campaign) -> Message:
        _ = self.catalogs.get(language).gettext
        return self._message(
            language,
            _("The campaign {name} was closed already.").format(
                name=f"<b>{shown(campaign.name)}</b>"
            ),
        )

    def results_file(self, language: str, campaign: Campaign, data: bytes) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(
            _("Results of {name} as a CSV file (semicolons, UTF-8).").format(
                name=shown(campaign.name[:60])
            ),
            self._dashboard(language, campaign.code),
            file=Attachment(f"campaign-{campaign.code}.csv", data, "text/csv"),
        )
