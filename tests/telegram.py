"""A recording Bot API session and a chat driver: conversations through the real dispatcher,
no network. Every request is checked against Telegram's limits as it is recorded."""

from __future__ import annotations

import html
import itertools
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram import methods as aiogram_methods
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerInlineQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetChatMember,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendPoll,
    SetMyCommands,
    StopPoll,
    TelegramMethod,
)
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Chat,
    ChatMemberAdministrator,
    ChatMemberMember,
    InlineKeyboardMarkup,
    InlineQueryResultCachedPhoto,
    Message,
    PhotoSize,
    Poll,
    PollOption,
    Sticker,
    Update,
    User,
)
from pydantic import BaseModel
from telegram.error import NetworkError as PtbNetworkError
from telegram.request import BaseRequest, RequestData

from tests.virtual_time import VirtualTime

BOT_USERNAME = "pixbot_test_bot"
PACE = 3.0  # seconds of the limits' virtual time between two updates of one person
ALLOWED_TAGS = {"b", "i", "a", "code", "pre", "u", "s", "tg-spoiler", "blockquote"}


class _HtmlCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, f"Telegram does not accept <{tag}>"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()


def assert_valid_html(text: str) -> None:
    assert 1 <= len(text) <= 4096, f"message length {len(text)}"
    checker = _HtmlCheck()
    checker.feed(text)
    checker.close()
    assert not checker.stack, f"unclosed tags {checker.stack}"
    # A bare "<" or "&" that is not an entity is rejected by Telegram's parser.
    for index, char in enumerate(text):
        if char == "&":
            assert any(
                text.startswith(e, index) for e in ("&lt;", "&gt;", "&amp;", "&quot;", "&#")
            ), text


def assert_valid_keyboard(markup: Any) -> None:
    if markup is None:
        return
    assert isinstance(markup, InlineKeyboardMarkup)
    for row in markup.inline_keyboard:
        for button in row:
            assert button.text
            if button.callback_data is not None:
                assert 1 <= len(button.callback_data.encode()) <= 64, button.callback_data
            actions = (
                button.callback_data,
                button.url,
                button.switch_inline_query,
                button.web_app,
            )
            assert sum(action is not None for action in actions) == 1, button
            if button.switch_inline_query is not None:
                assert len(button.switch_inline_query) <= 256, button.switch_inline_query
            if button.web_app is not None:  # Telegram opens Mini Apps over HTTPS only
                assert button.web_app.url.startswith("https://"), button.web_app


class RecordingSession(BaseSession):
    """Answers like the Bot API and keeps every request, checked against the limits."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        self.results: dict[int, Any] = {}  # id(request) -> what the "Bot API" answered
        self._message_ids = itertools.count(1000)
        self.blocked: set[int] = set()  # chats that answer 403 "bot was blocked by the user"
        self.admins: set[tuple[int, int]] = set()  # (chat id, user id) of group administrators
        self._poll_ids = itertools.count(1)
        # Faults to inject: the next request of a kind fails with the error made from it.
        self.faults: list[tuple[type[Any], Callable[[TelegramMethod[Any]], Exception | None]]] = []
        self.clock: Callable[[], float] | None = None  # stamps requests (the limits' time)
        self.photos: dict[str, Any] = {}  # file id -> the photo sent (what Telegram keeps)
        self.times: dict[int, float] = {}  # id(request) -> its time on that clock
        self.polls: dict[int, Poll] = {}  # message id -> a poll sent there
        self.votes: dict[int, list[int]] = {}  # message id -> votes per option, for StopPoll

    def fail(
        self,
        kind: type[Any],
        error: Callable[[TelegramMethod[Any]], Exception | None],
        times: int = 1,
    ) -> None:
        """The next ``times`` requests of ``kind`` fail with ``error(request)`` (None: that one
        goes through)."""
        self.faults.extend([(kind, error)] * times)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - BaseSession's signature
    ) -> Any:
        self.requests.append(method)
        # A refused request has no result: forget whatever an earlier object with this id had.
        self.results.pop(id(method), None)
        if self.clock is not None:
            self.times[id(method)] = self.clock()
        for index, (kind, error) in enumerate(self.faults):
            if isinstance(method, kind):
                del self.faults[index]
                failure = error(method)
                if failure is not None:
                    raise failure
                break
        result = self._answer(method)
        self.results[id(method)] = result
        return result

    def _answer(self, method: TelegramMethod[Any]) -> Any:
        chat_id = getattr(method, "chat_id", None)
        if chat_id is not None and int(chat_id) in self.blocked:
            raise TelegramForbiddenError(method, "Forbidden: bot was blocked by the user")
        if isinstance(method, GetMe):
            return User(id=42, is_bot=True, first_name="Pixbot", username=BOT_USERNAME)
        if isinstance(method, SendMessage):
            assert_valid_html(method.text)
            assert_valid_keyboard(method.reply_markup)
            return self._message(method.chat_id, method.text)
        if isinstance(method, SendPhoto | SendDocument):
            assert len(method.caption or "") <= 1024
            assert_valid_keyboard(method.reply_markup)
            message = self._message(method.chat_id, method.caption or "")
            if not isinstance(method, SendPhoto):
                return message
            # Telegram keeps the photo and answers with its sizes' file ids, largest last.
            file_id = f"photo-{message.message_id}"
            self.photos[file_id] = method.photo
            sizes = [
                PhotoSize(file_id=f"{file_id}-s", file_unique_id="s", width=320, height=168),
                PhotoSize(file_id=file_id, file_unique_id="m", width=1200, height=630),
            ]
            return message.model_copy(update={"photo": sizes})
        if isinstance(method, AnswerInlineQuery):
            assert len(method.results) <= 50
            for result in method.results:
                assert 1 <= len(result.id.encode()) <= 64, result.id
                assert_valid_keyboard(result.reply_markup)
                if isinstance(result, InlineQueryResultCachedPhoto):
                    assert result.photo_file_id in self.photos, "a photo the bot never sent"
                    assert result.caption and len(result.caption) <= 1024
                    assert_valid_html(result.caption)
            return True
        if isinstance(method, SendPoll):
            assert 1 <= len(method.question) <= 300
            assert 2 <= len(method.options) <= 12
            assert all(1 <= len(str(getattr(o, "text", o))) <= 100 for o in method.options)
            # Counted after entity parsing: a link's address is free.
            explanation = re.sub(r"<[^>]+>", "", method.explanation or "")
            assert len(html.unescape(explanation)) <= 200, explanation
            if method.explanation:
                assert_valid_html(method.explanation)
            message = self._message(method.chat_id, "")
            poll = Poll(
                id=f"poll{next(self._poll_ids)}",
                question=method.question,
                options=[
                    PollOption(
                        persistent_id=str(i), text=str(getattr(o, "text", o)), voter_count=0
                    )
                    for i, o in enumerate(method.options)
                ],
                total_voter_count=0,
                is_closed=False,
                is_anonymous=bool(method.is_anonymous),
                type="quiz",
                allows_multiple_answers=False,
                allows_revoting=False,
                members_only=False,
                correct_option_ids=method.correct_option_ids,
            )
            self.polls[message.message_id] = poll
            return message.model_copy(update={"poll": poll})
        if isinstance(method, StopPoll):
            sent = self.polls.get(int(method.message_id))
            if sent is None or sent.is_closed:
                raise TelegramBadRequest(method, "Bad Request: poll has already been closed")
            votes = self.votes.get(int(method.message_id), [0] * len(sent.options))
            options = [
                o.model_copy(update={"voter_count": v})
                for o, v in zip(sent.options, votes, strict=True)
            ]
            closed = sent.model_copy(
                update={"options": options, "total_voter_count": sum(votes), "is_closed": True}
            )
            self.polls[int(method.message_id)] = closed
            return closed
        if isinstance(method, GetChatMember):
            user = User(id=method.user_id, is_bot=False, first_name="Member")
            if (int(method.chat_id), method.user_id) in self.admins:
                return ChatMemberAdministrator(
                    user=user,
                    can_be_edited=False,
                    is_anonymous=False,
                    can_manage_chat=True,
                    can_delete_messages=True,
                    can_manage_video_chats=True,
                    can_restrict_members=True,
                    can_promote_members=False,
                    can_change_info=True,
                    can_invite_users=True,
                    can_post_stories=False,
                    can_edit_stories=False,
                    can_delete_stories=False,
                    can_send_welcome_messages=False,
                )
            return ChatMemberMember(user=user)
        if isinstance(method, SetMyCommands):
            assert len(method.commands) <= 100
            for command in method.commands:
                assert 1 <= len(command.command) <= 32 and command.command.islower()
                assert 1 <= len(command.description) <= 256
            return True
        if isinstance(method, EditMessageText):
            assert_valid_html(method.text)
            assert_valid_keyboard(method.reply_markup)
            return True
        if isinstance(method, EditMessageReplyMarkup):
            assert_valid_keyboard(method.reply_markup)
            return True
        if isinstance(method, AnswerCallbackQuery):
            assert len(method.text or "") <= 200
            return True
        return True

    def _message(self, chat_id: int | str, text: str) -> Message:
        return Message(
            message_id=next(self._message_ids),
            date=datetime.now(UTC),
            chat=Chat(id=int(chat_id), type="private"),
            text=text,
        )

    async def close(self) -> None:
        pass

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def take(self) -> list[TelegramMethod[Any]]:
        taken, self.requests = self.requests, []
        return [r for r in taken if not isinstance(r, GetMe)]


_update_ids = itertools.count(1)
# The user Telegram puts in ``from`` of a message sent on behalf of a chat of that type.
PLACEHOLDERS = {
    "supergroup": User(
        id=1087968824, is_bot=True, first_name="Group", username="GroupAnonymousBot"
    ),
    "channel": User(id=136817688, is_bot=True, first_name="Channel", username="Channel_Bot"),
}


class ChatDriver:
    """A person in a chat with the bot: sends text, presses buttons, reads what came back."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        session: RecordingSession,
        user_id: int = 1001,
        language: str | None = "en",
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Ada",
        time: VirtualTime | None = None,
        pace: float = PACE,
    ) -> None:
        self.dispatcher, self.bot, self.session = dispatcher, bot, session
        self.time, self.pace = time, pace
        self.user = User(id=user_id, is_bot=False, first_name=first_name, language_code=language)
        self.chat = Chat(
            id=chat_id or user_id,
            type=chat_type,
            title=None if chat_type == "private" else "Class 5B",
        )
        self.sent: list[Any] = []  # every request the bot made for this driver, in order
        self.messages: dict[int, dict[str, Any]] = {}  # message_id -> {"text", "markup"}
        self._ids = itertools.count(1)

    async def feed(self, update: Update) -> list[TelegramMethod[Any]]:
        if self.time is not None:  # a person reads before answering
            self.time.now += self.pace
        await self.dispatcher.feed_update(self.bot, update)
        requests = self.session.take()
        self._remember(requests)
        self.sent.extend(requests)
        return requests

    def _remember(self, requests: list[TelegramMethod[Any]]) -> None:
        for request in requests:
            if id(request) not in self.session.results:  # refused: the person never saw it
                continue
            if isinstance(request, SendPhoto | SendDocument):
                message_id = self.session.results[id(request)].message_id
                self.messages[message_id] = {
                    "text": request.caption or "",
                    "markup": request.reply_markup,
                }
            if isinstance(request, SendMessage):
                message_id = self.session.results[id(request)].message_id
                self.messages[message_id] = {"text": request.text, "markup": request.reply_markup}
            elif isinstance(request, EditMessageText):
                self.messages[request.message_id] = {
                    "text": request.text,
                    "markup": request.reply_markup,
                }
            elif isinstance(request, EditMessageReplyMarkup):
                self.messages[request.message_id]["markup"] = request.reply_markup

    def _message(self, text: str, sender_chat: Chat | None = None) -> Message:
        return Message(
            message_id=next(self._ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user if sender_chat is None else PLACEHOLDERS[sender_chat.type],
            sender_chat=sender_chat,
            text=text,
        )

    async def say(self, text: str, sender_chat: Chat | None = None) -> list[TelegramMethod[Any]]:
        """``text`` from the driver's person, or sent on behalf of ``sender_chat`` as Telegram
        sends it: the group itself (an anonymous administrator) or a channel, from Telegram's
        placeholder user."""
        message = self._message(text, sender_chat)
        return await self.feed(Update(update_id=next(_update_ids), message=message))

    async def sticker(self) -> list[TelegramMethod[Any]]:
        message = Message(
            message_id=next(self._ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user,
            sticker=Sticker(
                file_id="s",
                file_unique_id="s",
                type="regular",
                width=1,
                height=1,
                is_animated=False,
                is_video=False,
            ),
        )
        return await self.feed(Update(update_id=next(_update_ids), message=message))

    async def press_data(
        self, data: str, message_id: int, user: User | None = None
    ) -> list[TelegramMethod[Any]]:
        stored = self.messages.get(message_id, {"text": "x"})
        query = CallbackQuery(
            id=str(next(_update_ids)),
            from_user=user or self.user,
            chat_instance="ci",
            data=data,
            message=Message(
                message_id=message_id, date=datetime.now(UTC), chat=self.chat, text=stored["text"]
            ),
        )
        return await self.feed(Update(update_id=next(_update_ids), callback_query=query))

    async def press(self, label: str, message_id: int | None = None) -> list[TelegramMethod[Any]]:
        """Press the live button whose label contains ``label`` (latest message first)."""
        message_id, data = self.find_button(label, message_id)
        return await self.press_data(data, message_id)

    def find_button(self, label: str, message_id: int | None = None) -> tuple[int, str]:
        for mid in sorted(self.messages, reverse=True):
            if message_id is not None and mid != message_id:
                continue
            markup = self.messages[mid]["markup"]
            for button in buttons_of(markup):
                if label in button.text and button.callback_data:
                    return mid, button.callback_data
        raise AssertionError(f"no live button {label!r}; live: {self.live_buttons()}")

    def live_buttons(self) -> list[str]:
        """The buttons of the latest message that has any."""
        for mid in sorted(self.messages, reverse=True):
            labels = [b.text for b in buttons_of(self.messages[mid]["markup"])]
            if labels:
                return labels
        return []

    @property
    def last_text(self) -> str:
        return self.messages[max(self.messages)]["text"]

    def screen(self) -> list[str]:
        """The texts of the chat's messages as they read now (edits applied), oldest first."""
        return [message["text"] for _, message in sorted(self.messages.items())]

    def texts(self) -> list[str]:
        """The texts of the messages that reached the person, in order."""
        return [
            r.text
            for r in self.sent
            if isinstance(r, SendMessage) and id(r) in self.session.results
        ]


def buttons_of(markup: Any) -> Iterator[Any]:
    if markup is None:
        return iter(())
    return (button for row in markup.inline_keyboard for button in row)


def edited_texts(requests: list[TelegramMethod[Any]]) -> list[str]:
    """The new texts of the messages ``requests`` edited (an answered challenge's correction)."""
    return [r.text for r in requests if isinstance(r, EditMessageText)]


def sent_texts(requests: list[TelegramMethod[Any]]) -> list[str]:
    return [r.text for r in requests if isinstance(r, SendMessage)]


def answered_notices(requests: list[TelegramMethod[Any]]) -> list[str | None]:
    return [r.text for r in requests if isinstance(r, AnswerCallbackQuery)]


# --- python-telegram-bot: the same recording session behind PTB's request ------------------


class RecordingRequest(BaseRequest):
    """python-telegram-bot's Bot API client on a :class:`RecordingSession`: each call (endpoint
    and parameters) is parsed into the aiogram method object the session records, checks and
    answers (faults injected with ``session.fail`` included), and the answer goes back to PTB
    as the Bot API's JSON (an aiogram error as the HTTP error Telegram would give)."""

    def __init__(self, session: RecordingSession, bot: Bot) -> None:
        self.session = session
        self.bot = bot  # the aiogram bot the session's make_request takes

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[1]
        kind = getattr(aiogram_methods, endpoint[0].upper() + endpoint[1:])
        params: dict[str, Any] = {}
        if request_data is not None:
            params = dict(request_data.parameters)
            for parameter in request_data._parameters:  # files: aiogram's input files
                for file in parameter.input_files or ():
                    params[parameter.name] = BufferedInputFile(
                        file.input_file_content, file.filename or "file"
                    )
        if endpoint == "answerInlineQuery":  # the Bot API: no next_offset is an empty one
            params.setdefault("next_offset", "")
        request = kind.model_validate(params)
        try:
            result = await self.session.make_request(self.bot, request)
        except TelegramNetworkError as error:
            raise PtbNetworkError(error.message) from error
        except TelegramAPIError as error:
            return _error_answer(error)
        if isinstance(result, BaseModel):
            result = result.model_dump(mode="json", exclude_none=True, by_alias=True)
        return 200, json.dumps({"ok": True, "result": result}).encode()


def _error_answer(error: TelegramAPIError) -> tuple[int, bytes]:
    parameters: dict[str, Any] = {}
    code = 400
    if isinstance(error, TelegramRetryAfter):
        code, parameters = 429, {"retry_after": error.retry_after}
    elif isinstance(error, TelegramMigrateToChat):
        parameters = {"migrate_to_chat_id": error.migrate_to_chat_id}
    elif isinstance(error, TelegramForbiddenError):
        code = 403
    elif isinstance(error, TelegramServerError):
        code = 500
    answer = {"ok": False, "error_code": code, "description": error.message}
    if parameters:
        answer["parameters"] = parameters
    return code, json.dumps(answer).encode()


class PtbDispatcher:
    """What ChatDriver calls a dispatcher, on the python-telegram-bot runtime: aiogram updates
    (the drivers build those) and raw ones (the Bot API's JSON) go through ``Update.de_json``
    and ``Application.process_update``, as PTB's polling and webhook hand them over."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    def __getitem__(self, name: str) -> Any:
        return self.runtime[name]

    async def feed_update(self, bot: Bot, update: Update) -> None:
        data = update.model_dump(mode="json", exclude_none=True, by_alias=True)
        await self.feed_raw_update(bot, data)

    async def feed_raw_update(self, bot: Bot, update: dict[str, Any]) -> None:
        from telegram import Update as PtbUpdate

        application = self.runtime.application
        await application.process_update(PtbUpdate.de_json(update, application.bot))

    async def emit_startup(self, **_: Any) -> None:
        """The work beside the updates, started as ``pixbot run`` starts it."""
        await self.runtime.start_background()

    async def emit_shutdown(self, **_: Any) -> None:
        await self.runtime.stop_background()


def api_bot(driver: ChatDriver) -> Any:
    """The bot the driver's runtime calls the Bot API with: aiogram's ``Bot``, or
    python-telegram-bot's (both ask getChatMember for the group administrators' cache)."""
    if isinstance(driver.dispatcher, PtbDispatcher):
        return driver.dispatcher.runtime.application.bot
    return driver.bot


def transport_of(dispatcher: Any, bot: Bot) -> Any:
    """The Bot API calls of the runtime under test (a :class:`bot.serving.transport.Transport`):
    what its reminders, command menus and delivery worker send through."""
    if isinstance(dispatcher, PtbDispatcher):
        return dispatcher.runtime.transport
    from bot.adapters.telegram.transport import AiogramTransport

    return AiogramTransport(bot)
