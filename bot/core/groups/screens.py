"""What the bot shows in groups: the introduction, the settings, the daily tip, the quiz poll
and the leaderboard."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any, Final

from babel.dates import format_date
from babel.numbers import format_percent

from bot.core.chat import Button, Keyboard, Message, in_rows
from bot.core.groups.callbacks import (
    AUDIENCES,
    LEVELS,
    Audiences,
    ChooseAudience,
    ChooseLevel,
    GroupTimeZone,
    GroupTimeZones,
    Levels,
    NextLanguage,
    Pause,
    Pauses,
    QuizHour,
    QuizHours,
    QuizOpen,
    SendNow,
    ShowSettings,
    TipHour,
    TipHours,
    ToggleAnonymous,
    ToggleBoard,
    ToggleQuiz,
    ToggleSchoolDays,
    ToggleTip,
    ToggleTopic,
    Topics,
)
from bot.core.groups.ports import GroupSettings, LeaderboardRow, QuizPoll
from bot.core.groups.schedule import HOURS, OPEN_HOURS, PAUSE_WEEKS, pause_end
from bot.core.i18n import Catalogs, language_name
from bot.core.screens import tip_source
from bot.core.text import N_, TEXT_LIMIT, shown
from bot.core.timezones import COMMON, zone
from bot.core.tip_labels import LABELS, TOPIC_NAMES
from content.bank import ContentBank, content_language
from content.models import Challenge, Tip, TipTopic

POLL_EXPLANATION: Final = 200
BOARD_FOOTER: Final = 1200  # room kept under a leaderboard: its hints and the last quiz
PER_ROW: Final = 3  # buttons in a row that fit a phone
GROUP_COMMANDS: Final = (("leaderboard", N_("This week's quiz leaderboard")),)
ADMIN_COMMANDS: Final = (
    ("groupsettings", N_("Daily tip and quiz for this group")),
    ("leaderboard", N_("This week's quiz leaderboard")),
    ("timezone", N_("This group's time zone: /timezone Paris")),
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

    def when(self, language: str, moment: datetime, timezone: str) -> str:
        """A day and time a teacher reads, in the group's zone, labelled with it."""
        local = moment.astimezone(zone(timezone))
        day = format_date(local.date(), "EEEE d MMMM", locale=language)
        return (
            self.catalogs.get(language)
            .gettext("{day} at {time} ({zone})")
            .format(day=day, time=f"{local:%H:%M}", zone=escape(timezone))
        )

    def settings(
        self, group: GroupSettings, now: datetime, last_quiz: QuizPoll | None = None
    ) -> Message:
        """The panel: every setting with its state on its button, the next post and the last
        quiz's result."""
        _ = self.catalogs.get(group.language).gettext
        language = group.language
        on, off = _("on"), _("off")
        topics = (
            ", ".join(_(TOPIC_NAMES[t]) for t in group.topics if t in TOPIC_NAMES)
            if group.topics
            else _("all topics")
        )
        open_for = (
            _("open {hours} h").format(hours=group.quiz_open_hours)
            if group.quiz_open_hours
            else _("open until 23:59")
        )
        lines = [
            "⚙️ <b>" + _("Group settings") + "</b>",
            _("Daily tip: {state}, at {hour}:00").format(
                state=on if group.tip_enabled else off, hour=f"{group.tip_hour:02d}"
            ),
            _("Daily quiz: {state}, at {hour}:00").format(
                state=on if group.quiz_enabled else off, hour=f"{group.quiz_hour:02d}"
            )
            + f" ({open_for})",
            _("Days: {days}").format(
                days=_("school days (Monday to Friday)") if group.school_days else _("every day")
            ),
        ]
        if group.paused_until is not None and group.paused_until >= now.date():
            day = format_date(group.paused_until, "EEEE d MMMM", locale=language)
            lines.append("⏸ " + _("Paused until {day} included").format(day=day))
        upcoming = [
            (moment, label)
            for moment, label in (
                (group.next_tip_at, _("tip")),
                (group.next_quiz_at, _("quiz")),
            )
            if moment is not None
        ]
        if upcoming:
            moment, label = min(upcoming)
            lines.append(
                "📅 "
                + _("Next post: {what}, {when}").format(
                    what=label, when=self.when(language, moment, group.timezone)
                )
            )
        lines += [
            _("Time zone: {zone}").format(zone=escape(group.timezone)),
            _("Language: {language}").format(language=language_name(language, language)),
            _("Topics: {topics}").format(topics=escape(topics)),
            _("Audience: {audience} · level: {level}").format(
                audience=_(LABELS[group.audience]), level=_(LABELS[group.level])
            ),
        ]
        if last_quiz is not None:
            lines += ["", self.quiz_result(group, last_quiz)]
        return Message("\n".join(lines), self._panel(group))

    def _panel(self, group: GroupSettings) -> Keyboard:
        _ = self.catalogs.get(group.language).gettext

        def state(label: str, value: bool) -> str:
            return _("{setting}: {state}").format(
                setting=label, state=_("on") if value else _("off")
            )

        zone_name = group.timezone.rsplit("/", 1)[-1].replace("_", " ")
        return (
            (
                Button(
                    ("🔔 " if group.tip_enabled else "🔕 ") + state(_("Tip"), group.tip_enabled),
                    ToggleTip().pack(),
                ),
                Button(f"🕗 {group.tip_hour:02d}:00", TipHours().pack()),
            ),
            (
                Button(
                    ("🔔 " if group.quiz_enabled else "🔕 ")
                    + state(_("Quiz"), group.quiz_enabled),
                    ToggleQuiz().pack(),
                ),
                Button(f"🕗 {group.quiz_hour:02d}:00", QuizHours().pack()),
            ),
            (
                Button(
                    "📅 " + (_("Mon–Fri") if group.school_days else _("Every day")),
                    ToggleSchoolDays().pack(),
                ),
                Button("⏸ " + _("Pause"), Pauses().pack()),
            ),
            (
                Button(
                    "🌐 " + language_name(group.language, group.language), NextLanguage().pack()
                ),
                Button("🕒 " + zone_name[:24], GroupTimeZones().pack()),
            ),
            (
                Button("🏷 " + _("Topics"), Topics().pack()),
                Button("👥 " + _(LABELS[group.audience]), Audiences().pack()),
                Button("📶 " + _(LABELS[group.level]), Levels().pack()),
            ),
            (
                Button("🏆 " + state(_("Weekly board"), group.weekly_board), ToggleBoard().pack()),
                Button(
                    "🕶 " + state(_("Anonymous"), group.quiz_anonymous), ToggleAnonymous().pack()
                ),
            ),
            (
                Button("📤 " + _("Tip now"), SendNow(0).pack()),
                Button("📤 " + _("Quiz now"), SendNow(1).pack()),
            ),
        )

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
        text = _("At what time, in the group's time zone?")
        if quiz:  # how long the quiz stays open, below its hour
            text += "\n" + _("⏳ The quiz stays open:")
            rows.append(
                tuple(
                    Button(
                        ("✅ " if hours == group.quiz_open_hours else "⏳ ")
                        + (_("{hours} h").format(hours=hours) if hours else _("until 23:59")),
                        QuizOpen(hours).pack(),
                    )
                    for hours in OPEN_HOURS
                )
            )
        rows.append((Button(_("⬅️ Back"), ShowSettings().pack()),))
        return Message(text, tuple(rows))

    def timezones(self, group: GroupSettings) -> Message:
        _ = self.catalogs.get(group.language).gettext
        buttons = [Button(name, GroupTimeZone(index).pack()) for index, name in enumerate(COMMON)]
        rows = in_rows(buttons, 2)
        rows.append((Button(_("⬅️ Back"), ShowSettings().pack()),))
        text = "\n".join(
            [
                _("The group's time zone:"),
                _("Another one? Send /timezone and a city, for example /timezone Montreal."),
            ]
        )
        return Message(text, tuple(rows))

    def zone_unknown(self, language: str, typed: str) -> str:
        _ = self.catalogs.get(language).gettext
        return _(
            "I don't know the time zone “{typed}”. Send /timezone and a city or a name like "
            "Europe/Paris."
        ).format(typed=shown(typed[:64]))

    def choices(self, group: GroupSettings, audience: bool) -> Message:
        """The group's audience or level: every choice, the current one ticked."""
        _ = self.catalogs.get(group.language).gettext
        values, current = (AUDIENCES, group.audience) if audience else (LEVELS, group.level)
        make = ChooseAudience if audience else ChooseLevel
        buttons = [
            Button(("✅ " if value == current else "") + _(LABELS[value]), make(index).pack())
            for index, value in enumerate(values)
        ]
        rows = in_rows(buttons, 2)
        rows.append((Button(_("⬅️ Back"), ShowSettings().pack()),))
        text = (
            _("Who is the group? Tips and quizzes are chosen for them.")
            if audience
            else _("Which level? Tips and quizzes are chosen at it.")
        )
        return Message(text, tuple(rows))

    def pauses(self, group: GroupSettings, now: datetime) -> Message:
        """Pause until a Sunday (holidays), or resume now."""
        _ = self.catalogs.get(group.language).gettext
        buttons = [
            Button(
                "⏸ "
                + _("to {day}").format(
                    day=format_date(pause_end(group, now, weeks), "d MMM", locale=group.language)
                ),
                Pause(weeks).pack(),
            )
            for weeks in PAUSE_WEEKS
        ]
        rows = in_rows(buttons, PER_ROW)
        if group.paused_until is not None:
            rows.append((Button("▶️ " + _("Resume now"), Pause(0).pack()),))
        rows.append((Button(_("⬅️ Back"), ShowSettings().pack()),))
        text = _(
            "Pause the tip and quiz during the holidays: until which Sunday included? They "
            "start again on the next day the group posts."
        )
        return Message(text, tuple(rows))

    def quiz_result(self, group: GroupSettings, poll: QuizPoll) -> str:
        """A closed quiz for the teacher: when, how many answered and the share right, the
        question's skill and its tutorial."""
        _ = self.catalogs.get(group.language).gettext
        language = group.language
        answered, right = poll.answered or 0, poll.answered_right or 0
        when = self.when(language, poll.sent_at, group.timezone)
        lines = ["📊 <b>" + _("Last quiz") + "</b> · " + when]
        if answered:
            lines.append(
                _("Answers: {answered} · right: {share}").format(
                    answered=answered, share=format_percent(right / answered, locale=language)
                )
            )
        else:
            lines.append(_("Nobody answered."))
        challenge = self.bank.challenges.get(poll.challenge_id)
        skill = self.bank.skills.get(challenge.skill) if challenge is not None else None
        if challenge is not None and skill is not None:
            lines.append(
                _("Skill: {skill}").format(skill=escape(skill.description.text(language)))
            )
            tutorials = self.bank.tutorials_for(challenge.skill, language)
            if tutorials:
                url = escape(str(tutorials[0].url))
                lines.append(f'📚 <a href="{url}">{escape(tutorials[0].title)}</a>')
        return "\n".join(lines)

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

    def quiz(
        self, language: str, challenge: Challenge, rng: random.Random, anonymous: bool = False
    ) -> dict[str, Any]:
        """A delivery payload: a native quiz poll, its options in an order ``rng`` draws for this
        send (the bank's order would let "always the first" win), the explanation pointing to a
        tutorial; ``anonymous``: Telegram shows no voter's name."""
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
                "is_anonymous": anonymous,
            },
            "quiz": {"challenge_id": challenge.id, "correct_option": correct},
        }

    def leaderboard(
        self,
        language: str,
        rows: Sequence[LeaderboardRow],
        last_week: bool = False,
        hint: bool = True,
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        if not rows:
            return Message(_("No quiz answered this week yet."))
        title = (
            _("Last week's quiz leaderboard") if last_week else _("This week's quiz leaderboard")
        )
        lines = ["🏆 <b>" + title + "</b>"]
        room = TEXT_LIMIT - BOARD_FOOTER  # a whole class of long names stays one message
        for rank, row in enumerate(rows, 1):
            name = shown(row.first_name) if row.first_name and not row.hidden else _("a member")
            line = _("{rank}. {name}: {score} of {answered}").format(
                rank=rank, name=name, score=row.score, answered=row.answered
            )
            room -= len(line) + 1
            if room < 0:
                lines.append("…")
                break
            lines.append(line)
        if hint:
            privacy = _(
                "Send /leaderboard hide to appear without your name, /leaderboard show to undo."
            )
            lines.append("<i>" + privacy + "</i>")
        return Message("\n".join(lines))

    def leaderboard_with(
        self,
        group: GroupSettings,
        rows: Sequence[LeaderboardRow],
        last_week: bool,
        last_quiz: QuizPoll | None,
        offer_all: bool,
    ) -> Message:
        """/leaderboard: the board (none for anonymous quizzes) and the last quiz's result;
        ``offer_all``: an administrator's top 10, which says how to list the whole class."""
        _ = self.catalogs.get(group.language).gettext
        parts = []
        if group.quiz_anonymous:
            parts.append("🕶 " + _("This group's quizzes are anonymous: no leaderboard."))
        else:
            board = self.leaderboard(group.language, rows, last_week).text
            if rows and offer_all:
                board += (
                    "\n<i>" + _("Administrators: /leaderboard all lists the whole class.") + "</i>"
                )
            parts.append(board)
        if last_quiz is not None:
            parts.append(self.quiz_result(group, last_quiz))
        return Message("\n\n".join(parts))

    def sent_now(self, language: str, kind: str, planned: bool) -> str:
        _ = self.catalogs.get(language).gettext
        if not planned:
            return _("Nothing to send: check the topics, or wait a minute between two sends.")
        if kind == "quiz":
            return _("📤 A quiz is on its way: it arrives within a minute.")
        return _("📤 A tip is on its way: it arrives within a minute.")

    def hidden_set(self, language: str, hidden: bool) -> str:
        _ = self.catalogs.get(language).gettext
        if hidden:
            return _("Done: leaderboards will show you as “a member”.")
        return _("Done: leaderboards will show your first name.")

    def commands(self, language: str, admins: bool) -> list[tuple[str, str]]:
        _ = self.catalogs.get(language).gettext
        return [(name, _(text)) for name, text in (ADMIN_COMMANDS if admins else GROUP_COMMANDS)]
