"""aiogram's client on the local Bot API (:mod:`bot.lab.bench.updates.api`): a Bot API session
without a network."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile

from bot.lab.bench.updates.api import LocalApi


def _plain(value: Any) -> str:
    """A request's value in its fingerprint: a file by its name (a retry makes a new one)."""
    if isinstance(value, InputFile):
        return f"file:{value.filename}"
    return repr(value)


class LocalSession(BaseSession):
    """aiogram's session on a :class:`LocalApi` (``local``: a new one unless given). Each
    request is encoded the way aiogram's aiohttp session encodes it, and the answer is a JSON
    body parsed by aiogram's own ``check_response`` (a 429 raises aiogram's TelegramRetryAfter,
    as from the network), so the client's work per request is the production one, less the
    HTTP round trip."""

    def __init__(self, api: LocalApi | None = None) -> None:
        super().__init__()
        self.local = api if api is not None else LocalApi()

    @property
    def requests(self) -> int:
        return self.local.requests

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - BaseSession's signature
    ) -> TelegramType:
        files: dict[str, InputFile] = {}
        dump = method.model_dump(warnings=False)
        for value in dump.values():
            self.prepare_value(value, bot=bot, files=files)

        def fingerprint() -> str:
            return json.dumps(dump, sort_keys=True, default=_plain)

        answer = self.local.answer(method.__api_method__, dump, fingerprint)
        response = self.check_response(
            bot=bot, method=method, status_code=answer.status, content=answer.body.decode()
        )
        self.local.arrived(answer)
        return response.result  # type: ignore[return-value]

    async def close(self) -> None:
        pass

    async def stream_content(  # pragma: no cover - nothing is downloaded
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - BaseSession's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError
        yield b""  # an async generator, like the sessions aiogram ships
