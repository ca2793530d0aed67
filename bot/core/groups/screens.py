"""What the bot shows in groups: the introduction, the settings, the daily tip, the quiz poll
and the leaderboard."""

from __future__ import annotations

import random
from collections.abc import Sequence
from html import escape
from typing import Any, Final

from bot.core.chat import Button, Keyboard, Message, in_rows
from bot.core.groups.callbacks import (
    GroupTimeZone,
    GroupTimeZones,
    NextAudience,
    NextLanguage,
    NextLevel,
    QuizHour,
    QuizHours,
    ShowSettings,
    TipHour,
    TipHours,
    ToggleQuiz,
    ToggleTip,
    ToggleTopic,
    Topics,
)
from bot.core.groups.ports import GroupSettings, LeaderboardRow
from bot.core.i18n import Catalogs, language_name
from bot.core.screens import tip_source
from bot.core.text import N_, shown
from bot.core.timezones import COMMON
from bot.core.tip_labels import LABELS, TOPIC_NAMES
from content.bank import ContentBank, content_language
from content.models import Challenge, Tip, TipTopic

HOURS: Final = (7, 8, 9, 10, 12, 14, 16, 18)
AUDIENCES: Final = ("everyone", "pupils", "educators", "professionals")
LEVELS: Final = ("basic", "intermediate", "advanced", "expert")
POLL_EXPLANATION: Final = 200
PER_ROW: Final = 3  # buttons in a row that fit a phone
GROUP_COMMANDS: Final = (("leaderboard", N_("This week's quiz leaderboard")),)
ADMIN_COMMANDS: Final = (
    ("groupsettings", N_("Daily tip and quiz for this group")),
    ("leaderboard", N_("This week's quiz leaderboard")),
)


class GroupScreens:
    def __init__(self, bank: ContentBank, catalogs: Catalogs) -> None:
        self.bank = bank
        self.catalogs = catalogs

    def introduction(self, language: str, bot_username: str) -> Message:
        _ = self.catalogs.get(language).gettext
        text = "\n\n".join(
            [
                "👋 " + _("Hello! I'm pixbot."),
                _(
                    "I can post a cybersecurity tip or a quiz here every day. Group "
                    "administrators: send /groupsettings to choose what, when and in which "
                    "language."
                ),
                _("Everyone: test your digital skills with me in a private chat."),
            ]
        )
        return Message(text, self._private_chat(language, bot_username))

    def welcome(self, language: str, bot_username: str) -> Message:
        """/start or /help in a group: tests happen in a private chat."""
        _ = self.catalogs.get(language).gettext
        text = _(
            "Hi! Tests happen in a private chat with me, so your answers stay yours. "
            "Tap below to start."
        )
        return Message(text, self._private_chat(language, bot_username))

    def private_only(self, language: str, bot_username: str, command: str, link: str) -> Message:
        """A private chat's command sent in a group: one line, and the private chat one tap
        away (``link``: the deep link's payload, opening that command there)."""
        _ = self.catalogs.get(language).gettext
        text = "💬 " + _("/{command} works in a private chat with me.").format(command=command)
        return Message(text, self._private_chat(language, bot_username, link))

    def _private_chat(self, language: str, bot_username: str, link: str = "go") -> Keyboard:
        """A button opening the private chat (none in the terminal, which has no username)."""
        if not bot_username:
            return ()
        url = f"https://t.me/{bot_username}?start={link}"
        label = self.catalogs.get(language).gettext("Open a private chat")
        return ((Button(label, url=url),),)

    def admins_only(self, language: str) -> str:
        return self.catalogs.get(language).gettext("Only the group's administrators can do that.")

    def settings(self, group: GroupSettings) -> Message:
        _ = self.catalogs.get(group.language).gettext
        on, off = _("on"), _("off")
        topics = (
            ", ".join(_(TOPIC_NAMES[t]) for t in group.topics if t in TOPIC_NAMES)
            if group.topics
            else _("all topics")
        )
        lines = [
            "⚙️ <b>" + _("Group settings") + "</b>",
            _("Daily tip: {state}, at {hour}:00").format(
                state=on if group.tip_enabled else off, hour=f"{group.tip_hour:02d}"
            ),
            _("Daily quiz: {state}, at {hour}:00").format(
                state=on if group.quiz_enabled else off, hour=f"{group.quiz_hour:02d}"
            ),
            _("Time zone: {zone}").format(zone=escape(group.timezone)),
            _("Language: {language}").format(
                language=language_name(group.language, group.language)
            ),
            _("Topics: {topics}").format(topics=escape(topics)),
            _("Audience: {audience} · level: {level}").format(
                audience=_(LABELS[group.audience]), level=_(LABELS[group.level])
            ),
        ]
        rows = (
            (
                Button(("🔕 " if group.tip_enabled else "🔔 ") + _("Tip"), ToggleTip().pack()),
                Button("🕗 " + _("Tip time"), TipHours().pack()),
            ),
            (
                Button(("🔕 " if group.quiz_enabled else "🔔 ") + _("Quiz"), ToggleQuiz().pack()),
                Button("🕗 " + _("Quiz time"), QuizHours().pack()),
            ),
            (
                Button("🌐 " + _("Language"), NextLanguage().pack()),
                Button("🕒 " + _("Time zone"), GroupTimeZones().pack()),
            ),
            (
                Button("🏷 " + _("Topics"), Topics().pack()),
                Button("👥 " + _("Audience"), NextAudience().pack()),
            ),
            (Button("📶 " + _("Level"), NextLevel().pack()),),
        )
        return Message("\n".join(lines), rows)

    def hours(self, group: GroupSettings, quiz: bool) -> Message:
        _ = self.catalogs.get(group.language).gettext
        current = group.quiz_hour if quiz else group.tip_hour
        buttons = [
            Button(
                ("✅ " if hour == current else "") + f"{hour:02d}:00",
                (QuizHour(hour) if quiz else TipHour(hour)).pack(),
            )
            for hour in HOURS
        ]
        rows = in_rows(buttons, PER_ROW)
        rows.append((Button(_("⬅️ Back"), ShowSettings().pack()),))
        return Message(_("At what time, in the group's time zone?"), tuple(rows))

    def timezones(self, group: GroupSettings) -> Message:
        _ = self.catalogs.get(group.language).gettext
        buttons = [Button(name, GroupTimeZone(index).pack()) for index, name in enumerate(COMMON)]
        rows = in_rows(buttons, 2)
        rows.append((Button(_("⬅️ Back"), ShowSettings().pack()),))
        return Message(_("The group's time zone:"), tuple(rows))

    def topics(self, group: GroupSettings) -> Message:
        _ = self.catalogs.get(group.language).gettext
        buttons = [
            Button(
                ("☑️ " if topic.value in group.topics else "⬜ ") + _(TOPIC_NAMES[topic.value]),
                ToggleTopic(index).pack(),
            )
            for index, topic in enumerate(TipTopic)
        ]
        rows = in_rows(buttons, 2)
        rows.append((Button(_("✅ Done"), ShowSettings().pack()),))
        return Message(_("Topics of the daily tip (none ticked: all topics):"), tuple(rows))

    def tip(self, language: str, tip: Tip) -> dict[str, Any]:
        """A delivery payload: the tip of the day with its source."""
        _ = self.catalogs.get(language).gettext
        text = tip.text(content_language(language))
        source = tip_source(tip, language)
        body = "\n\n".join(
            [
                "💡 <b>" + _("Tip of the day") + f"</b> · {escape(text.title)}",
                escape(text.text),
                _("Source: {source}").format(source=source),
            ]
        )
        return {"text": body, "tip_id": tip.id}

    def quiz(self, language: str, challenge: Challenge, rng: random.Random) -> dict[str, Any]:
        """A delivery payload: a native quiz poll, its options in an order ``rng`` draws for this
        send (the bank's order would let "always the first" win), the explanation pointing to a
        tutorial."""
        text = challenge.text(content_language(language))
        order = list(range(len(text.options)))
        if challenge.shuffle:
            rng.shuffle(order)
        correct = order.index(min(challenge.right_indexes))
        # The explanation is HTML: a link's address does not count in the 200 characters, so
        # the tutorial always fits as a short "📚 Tutorial" link after the explanation.
        tutorials = self.bank.tutorials_for(challenge.skill, language)
        label = " 📚 " + self.catalogs.get(language).gettext("Tutorial")
        room = POLL_EXPLANATION - (len(label) if tutorials else 0)
        plain = text.explanation
        if len(plain) > room:
            plain = plain[: room - 1] + "…"
        explanation = escape(plain, quote=False)
        if tutorials:
            url = escape(str(tutorials[0].url))
            explanation += f' <a href="{url}">{escape(label.strip(), quote=False)}</a>'
        return {
            "poll": {
                "question": text.prompt,
                "options": [text.options[index] for index in order],
                "correct_option_ids": [correct],
                "explanation": explanation,
                "explanation_parse_mode": "HTML",
            },
            "quiz": {"challenge_id": challenge.id, "correct_option": correct},
        }

    def leaderboard(
        self, language: str, rows: Sequence[LeaderboardRow], viewer_hidden: bool = False
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        if not rows:
            return Message(_("No quiz answered this week yet."))
        lines = ["🏆 <b>" + _("This week's quiz leaderboard") + "</b>"]
        for rank, row in enumerate(rows, 1):
            name = shown(row.first_name) if row.first_name and not row.hidden else _("a member")
            lines.append(
                _("{rank}. {name}: {score} of {answered}").format(
                    rank=rank, name=name, score=row.score, answered=row.answered
                )
            )
        lines.append(
            "<i>"
            + _("Send /leaderboard hide to appear without your name, /leaderboard show to undo.")
            + "</i>"
        )
        return Message("\n".join(lines))

    def hidden_set(self, language: str, hidden: bool) -> str:
        _ = self.catalogs.get(language).gettext
        if hidden:
            return _("Done: leaderboards will show you as “a member”.")
        return _("Done: leaderboards will show your first name.")

    def commands(self, language: str, admins: bool) -> list[tuple[str, str]]:
        _ = self.catalogs.get(language).gettext
        return [(name, _(text)) for name, text in (ADMIN_COMMANDS if admins else GROUP_COMMANDS)]
