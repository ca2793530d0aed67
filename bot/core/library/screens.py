"""What the tips library shows: topics, filters, a tip with its source, search results, the
groups to send a tip to, inline results and the post a group receives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from html import escape
from typing import Any, Final
from urllib.parse import quote

from bot.core.chat import Button, InlineResult, Keyboard, Message, in_rows
from bot.core.groups.ports import GroupSettings
from bot.core.home.callbacks import Menu
from bot.core.i18n import Catalogs
from bot.core.library.callbacks import (
    AskSearch,
    Audiences,
    Browse,
    ChooseGroup,
    Levels,
    OpenTip,
    SearchPage,
    SendToGroup,
    TopicsAnew,
    TopicsHere,
)
from bot.core.library.shelves import (
    AUDIENCE_CODES,
    LEVEL_CODES,
    TOPICS,
    Shelf,
    deep_link,
    tip_ref,
)
from bot.core.screens import tip_source
from bot.core.text import SEARCH_LIMIT, cut, isolated, shown
from bot.core.tip_labels import LABELS, TOPIC_NAMES
from content.bank import ContentBank, content_language
from content.models import Tip, TipTopic

DESCRIPTION_LIMIT: Final = 120
SEARCH_SHOWN: Final = 8  # a page of search results, one button each; "More ▶️" shows the next
LABEL_LIMIT: Final = 30  # a button's label that a phone shows whole


def _esc(text: str) -> str:
    """Text for Telegram HTML: quotes and apostrophes stay as they are outside attributes."""
    return escape(text, quote=False)


class LibraryScreens:
    def __init__(self, bank: ContentBank, catalogs: Catalogs) -> None:
        self.bank = bank
        self.catalogs = catalogs

    def topic_name(self, language: str, topic: TipTopic | None) -> str:
        _ = self.catalogs.get(language).gettext
        if topic is None:
            return _("all topics")
        return _(TOPIC_NAMES.get(topic.value, topic.value))

    # --- browsing ----------------------------------------------------------------------

    def home(self, language: str, tips: Sequence[Tip]) -> Message:
        catalog = self.catalogs.get(language)
        counts = Counter(tip.topic for tip in tips)
        text = "\n".join(
            [
                "📚 <b>" + catalog.gettext("Cybersecurity tips library") + "</b>",
                catalog.ngettext(
                    "{count} short tip for you, your pupils and your colleagues, with its "
                    "source. Choose a topic, or search by keyword.",
                    "{count} short tips for you, your pupils and your colleagues, with their "
                    "sources. Choose a topic, or search by keyword.",
                    len(tips),
                ).format(count=len(tips)),
            ]
        )
        return Message(text, self._topic_buttons(language, counts, len(tips)))

    def _topic_buttons(
        self, language: str, counts: Counter[TipTopic | None], total: int
    ) -> Keyboard:
        _ = self.catalogs.get(language).gettext
        topics = [
            Button(
                f"{self.topic_name(language, topic)} ({counts[topic]})",
                Audiences(Shelf(topic)).pack(),
            )
            for topic in TOPICS
            if counts[topic]
        ]
        rows = in_rows(topics, 2)
        rows.append(
            (
                Button("📚 " + _("All topics") + f" ({total})", Audiences(Shelf()).pack()),
                Button("🔎 " + _("Search"), AskSearch().pack()),
            )
        )
        rows.append((Button(_("⬅️ Menu"), Menu().pack()),))
        return tuple(rows)

    def _heading(self, language: str, shelf: Shelf) -> str:
        _ = self.catalogs.get(language).gettext
        parts = [self.topic_name(language, shelf.topic)]
        if shelf.audience is not None:
            parts.append(_("for {audience}").format(audience=_(LABELS[shelf.audience.value])))
        if shelf.level is not None:
            parts.append(_(LABELS[shelf.level.value]))
        return "📚 <b>" + _esc(" · ".join(parts)) + "</b>"

    def audiences(self, language: str, shelf: Shelf, tips: Sequence[Tip]) -> Message:
        _ = self.catalogs.get(language).gettext
        counts = Counter(tip.audience for tip in tips)
        buttons = [Button(_("Any audience") + f" ({len(tips)})", Levels(shelf).pack())]
        buttons += [
            Button(  # an audience's shelf holds its own tips and those for everyone
                _(LABELS[audience.value])
                + f" ({sum(counts[served] for served in audience.served())})",
                Levels(replace(shelf, audience=audience)).pack(),
            )
            for audience in AUDIENCE_CODES.values()
            if counts[audience]
        ]
        rows = in_rows(buttons, 2)
        rows.append((Button(_("⬅️ Back"), TopicsHere().pack()),))
        text = self._heading(language, shelf) + "\n" + _("Who is it for?")
        return Message(text, tuple(rows))

    def levels(self, language: str, shelf: Shelf, tips: Sequence[Tip]) -> Message:
        _ = self.catalogs.get(language).gettext
        counts = Counter(tip.level for tip in tips)
        buttons = [Button(_("Any level") + f" ({len(tips)})", Browse(shelf, 0).pack())]
        buttons += [
            Button(
                _(LABELS[level.value]) + f" ({counts[level]})",
                Browse(replace(shelf, level=level), 0).pack(),
            )
            for level in LEVEL_CODES.values()
            if counts[level]
        ]
        rows = in_rows(buttons, 2)
        back = replace(shelf, audience=None, level=None)
        rows.append((Button(_("⬅️ Back"), Audiences(back).pack()),))
        text = self._heading(language, shelf) + "\n" + _("Which level?")
        return Message(text, tuple(rows))

    def empty_shelf(self, language: str, shelf: Shelf) -> Message:
        _ = self.catalogs.get(language).gettext
        text = self._heading(language, shelf) + "\n" + _("No tip matches these filters.")
        return Message(text, ((Button("📚 " + _("Topics"), TopicsHere().pack()),),))

    # --- one tip -----------------------------------------------------------------------

    def _body(self, language: str, tip: Tip) -> str:
        """The tip in Telegram HTML: title, text, source (in the content's language)."""
        _ = self.catalogs.get(language).gettext
        text = tip.text(content_language(language))
        source = tip_source(tip, language)
        return "\n\n".join(
            [
                "💡 <b>" + _esc(text.title) + "</b>",
                _esc(text.text),
                _("Source: {source}").format(source=source),
            ]
        )

    def _labels(self, language: str, tip: Tip) -> str:
        _ = self.catalogs.get(language).gettext
        return " · ".join(
            [
                self.topic_name(language, tip.topic),
                _("for {audience}").format(audience=_(LABELS[tip.audience.value])),
                _(LABELS[tip.level.value]),
            ]
        )

    def card(
        self,
        language: str,
        tip: Tip,
        bot_username: str,
        shelf: Shelf | None = None,
        position: int = 0,
        total: int = 1,
    ) -> Message:
        """A tip with its buttons; with ``shelf``, one of ``total`` with previous and next."""
        _ = self.catalogs.get(language).gettext
        footer = _esc(self._labels(language, tip))
        if shelf is not None:
            footer += f" — {position + 1}/{total}"
        text = self._body(language, tip) + "\n\n<i>" + footer + "</i>"
        rows: list[tuple[Button, ...]] = []
        if shelf is not None and total > 1:
            moves = []
            if position > 0:
                moves.append(Button(_("◀️ Previous"), Browse(shelf, position - 1).pack()))
            if position < total - 1:
                moves.append(Button(_("Next ▶️"), Browse(shelf, position + 1).pack()))
            rows.append(tuple(moves))
        share = self.share_url(language, tip, bot_username)
        actions = [Button("📤 " + _("Share"), url=share)] if share else []
        actions.append(Button("👥 " + _("Send to my group"), ChooseGroup(tip.id).pack()))
        rows.append(tuple(actions))
        back = TopicsHere().pack() if shelf is not None else TopicsAnew().pack()
        rows.append(
            (Button("📚 " + _("Topics"), back), Button("🔎 " + _("Search"), AskSearch().pack()))
        )
        return Message(text, tuple(rows))

    def share_url(self, language: str, tip: Tip, bot_username: str) -> str | None:
        """Telegram's share dialog with the tip's deep link and its title."""
        link = deep_link(bot_username, tip.id)
        if link is None:
            return None
        title = tip.text(content_language(language)).title
        return f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(title, safe='')}"

    def unknown_tip(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(
            _("This tip is no longer in the library."),
            ((Button("📚 " + _("Topics"), TopicsAnew().pack()),),),
        )

    # --- search ------------------------------------------------------------------------

    def search_prompt(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        return Message(
            "🔎 "
            + _("Type a few words to search the tips, for example: phishing, password, photos."),
            self._back_to_topics(language),
            expects_text=True,
        )

    def search_too_long(self, language: str) -> Message:
        return Message(
            "🔎 "
            + self.catalogs.get(language)
            .ngettext(
                "That search is too long: type at most {count} character.",
                "That search is too long: type at most {count} characters.",
                SEARCH_LIMIT,
            )
            .format(count=SEARCH_LIMIT),
            self._back_to_topics(language),
            expects_text=True,
        )

    def _back_to_topics(self, language: str) -> Keyboard:
        """Under a prompt for a search: the topics instead (the search is no longer awaited)."""
        return ((Button(self.catalogs.get(language).gettext("⬅️ Back"), TopicsHere().pack()),),)

    def results(
        self,
        language: str,
        query: str,
        tips: Sequence[Tip],
        total: int,
        start: int = 0,
        carried: str | None = None,
    ) -> Message:
        """A page of a search's results: ``tips``, from the ``start``-th of ``total``, best
        first. With ``carried`` (the search as a button carries it), "◀️ Previous" and
        "More ▶️" page through them all."""
        _ = self.catalogs.get(language).gettext
        lang = content_language(language)
        lines = [
            "🔎 <b>"
            + _("Tips for “{query}”: {count}").format(query=shown(query[:60]), count=total)
            + "</b>"
        ]
        buttons: list[tuple[Button, ...]] = []
        for number, tip in enumerate(tips, start + 1):
            title = tip.text(lang).title
            labels = _esc(self._labels(language, tip))
            lines.append(f"{number}. {_esc(title)} <i>({labels})</i>")
            label = cut(f"{number}. {title}", LABEL_LIMIT)
            buttons.append((Button(label, OpenTip(tip.id).pack()),))
        end = start + len(tips)
        if total > len(tips):
            lines.append(
                "<i>"
                + _("{first}–{last} of {total}").format(first=start + 1, last=end, total=total)
                + "</i>"
            )
        if total > len(tips) and carried is None:
            lines.append("<i>" + _("A shorter search shows the others.") + "</i>")
        pages = []
        page = start // SEARCH_SHOWN
        if carried is not None and start > 0:
            pages.append(Button(_("◀️ Previous"), SearchPage(page - 1, carried).pack()))
        if carried is not None and end < total:
            pages.append(Button(_("More ▶️"), SearchPage(page + 1, carried).pack()))
        if pages:
            buttons.append(tuple(pages))
        buttons.append(
            (
                Button("🔎 " + _("New search"), AskSearch().pack()),
                Button("📚 " + _("Topics"), TopicsAnew().pack()),
            )
        )
        return Message("\n".join(lines), tuple(buttons))

    def no_results(self, language: str, query: str, tips: Sequence[Tip]) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "🔎 " + _("No tip matches “{query}”. Try other words, or choose a topic:").format(
            query=shown(query[:60])
        )
        counts = Counter(tip.topic for tip in tips)
        return Message(text, self._topic_buttons(language, counts, len(tips)))

    # --- sending to a group ------------------------------------------------------------

    def groups(self, language: str, tip: Tip, groups: Iterable[GroupSettings]) -> Message:
        _ = self.catalogs.get(language).gettext
        title = tip.text(content_language(language)).title
        name_room = LABEL_LIMIT - len("👥 ")
        buttons: list[tuple[Button, ...]] = [
            (
                Button(
                    "👥 "
                    + isolated(
                        cut(group.title or _("Group {id}").format(id=group.chat_id), name_room)
                    ),
                    SendToGroup(group.chat_id, tip_ref(tip.id)).pack(),
                ),
            )
            for group in groups
        ]
        buttons.append(self._back_to_tip(language, tip))
        text = _("Send “{title}” to which group?").format(title=_esc(title))
        return Message(text, tuple(buttons))

    def _back_to_tip(self, language: str, tip: Tip) -> tuple[Button, ...]:
        return (Button(self.catalogs.get(language).gettext("⬅️ Back"), OpenTip(tip.id).pack()),)

    def no_groups(self, language: str, tip: Tip, bot_username: str) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "\n\n".join(
            [
                "👥 " + _("I know no group that you administer yet."),
                _(
                    "Add me to your class or staff group (in the group: Add members, then "
                    "search for me), or send /groupsettings there if I am already in it. Then "
                    "come back to this tip."
                ),
            ]
        )
        buttons: Keyboard = ()
        if bot_username:
            url = f"https://t.me/{bot_username}?startgroup=library"
            buttons = ((Button("➕ " + _("Add me to a group"), url=url),),)
        return Message(text, (*buttons, self._back_to_tip(language, tip)))

    def sent(self, language: str, tip: Tip, group: GroupSettings) -> str:
        _ = self.catalogs.get(language).gettext
        title = tip.text(content_language(language)).title
        name = group.title or _("Group {id}").format(id=group.chat_id)
        return "✅ " + _("“{title}” will be posted in {group} in a moment.").format(
            title=_esc(title), group=shown(name)
        )

    def sent_notice(self, language: str) -> str:
        return self.catalogs.get(language).gettext("Sent to the group.")

    def already_sent(self, language: str, group: GroupSettings) -> str:
        _ = self.catalogs.get(language).gettext
        return _("Already sent to this group today.")

    def stale(self, language: str) -> str:
        return self.catalogs.get(language).gettext("This button is out of date: send /library.")

    def group_gone(self, language: str) -> str:
        _ = self.catalogs.get(language).gettext
        return _("I am no longer in that group.")

    def admins_only(self, language: str) -> str:
        return self.catalogs.get(language).gettext("Only the group's administrators can do that.")

    def group_post(self, language: str, tip: Tip, bot_username: str) -> dict[str, Any]:
        """A delivery payload: the tip in the group's language, with a link to the library."""
        return {"text": self._linked(language, tip, bot_username), "tip_id": tip.id}

    def _linked(self, language: str, tip: Tip, bot_username: str) -> str:
        _ = self.catalogs.get(language).gettext
        body = self._body(language, tip)
        link = deep_link(bot_username, tip.id)
        if link is not None:
            more = _("More tips: @{bot}").format(bot=_esc(bot_username))
            body += f'\n\n📚 <a href="{escape(link)}">{more}</a>'
        return body

    # --- inline mode -------------------------------------------------------------------

    def inline_result(self, language: str, tip: Tip, bot_username: str) -> InlineResult:
        text = tip.text(content_language(language))
        first_line = text.text.strip().splitlines()[0] if text.text.strip() else ""
        return InlineResult(
            id=tip.id,
            title=text.title,
            description=cut(first_line, DESCRIPTION_LIMIT),
            text=self._linked(language, tip, bot_username),
        )
