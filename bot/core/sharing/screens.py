"""Sharing's texts: the result card's words, the photo sent to its owner with "📤 Send to a
chat", and the inline answer a friend's chat receives (in the sharer's language)."""

from __future__ import annotations

from html import escape

from bot.core.assessment.callbacks import test_link_payload
from bot.core.chat import Button, InlinePhoto, Keyboard
from bot.core.home.callbacks import Menu
from bot.core.i18n import Catalogs
from bot.core.sharing.card import CardText
from bot.core.sharing.ports import Share, ShareKind
from content.bank import ContentBank


def bot_link(bot_username: str, payload: str = "") -> str:
    """The bot's address, opening it with ``/start payload`` when given."""
    return f"https://t.me/{bot_username}" + (f"?start={payload}" if payload else "")


class SharingScreens:
    def __init__(self, bank: ContentBank, catalogs: Catalogs) -> None:
        self.bank = bank
        self.catalogs = catalogs

    def card(
        self, language: str, competence: str, level: int, max_level: int, pix: int, bot: str
    ) -> CardText:
        _ = self.catalogs.get(language).gettext
        meaning = self.bank.level_meaning(competence, level, language) or _(
            "Measured by an adaptive test, question after question."
        )
        return CardText(
            code=competence,
            name=self.bank.competence_name(competence, language),
            level=level,
            max_level=max_level,
            level_line=_("Level {level} of {max_level}").format(level=level, max_level=max_level),
            pix_line=_("{pix} pix").format(pix=pix),
            meaning=meaning,
            link=f"t.me/{bot}" if bot else "",
        )

    def result_ready(self, language: str) -> str:
        """The caption of the card sent to its owner."""
        _ = self.catalogs.get(language).gettext
        return _("📣 Your result card: send it to a chat with the button below.")

    def profile_ready(self, language: str) -> str:
        _ = self.catalogs.get(language).gettext
        return _("📣 Your profile picture: send it to a chat with the button below.")

    def ready_buttons(self, language: str, query: str) -> Keyboard:
        """Under the photo: pick a chat, where "@bot <query>" offers it; and the menu."""
        _ = self.catalogs.get(language).gettext
        return (
            (Button(_("📤 Send to a chat"), switch_inline=query),),
            (Button(_("⬅️ Menu"), Menu().pack()),),
        )

    def inline_photo(self, language: str, share: Share, file_id: str, bot: str) -> InlinePhoto:
        """The share as a friend's chat receives it: the photo, a line, a way to the bot."""
        _ = self.catalogs.get(language).gettext
        where = f"@{escape(bot)}" if bot else "pixbot"
        buttons: Keyboard = ()
        if share.kind is ShareKind.RESULT and share.competence and share.level is not None:
            known = share.competence in self.bank.competences  # a framework may change
            name = self.bank.competence_name(share.competence, language) if known else ""
            caption = _("🏅 I reached <b>level {level}</b> in <b>{competence}</b> on {bot}!")
            caption = caption.format(
                level=share.level,
                competence=escape(f"{share.competence} {name}".strip()),
                bot=where,
            )
            if bot:
                url = bot_link(bot, test_link_payload(share.competence))
                buttons = ((Button(_("🎯 Take the test"), url=url),),)
        else:
            caption = _("📊 My digital skills profile on {bot}: <b>{pix}</b> pix.")
            caption = caption.format(bot=where, pix=share.pix)
            if bot:
                buttons = ((Button(_("🎯 Test your digital skills"), url=bot_link(bot)),),)
        return InlinePhoto(f"share-{share.token}", file_id, caption, buttons)
