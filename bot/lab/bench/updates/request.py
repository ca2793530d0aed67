"""python-telegram-bot's client on the local Bot API (:mod:`bot.lab.bench.updates.api`): a
``telegram.request.BaseRequest`` without a network."""

from __future__ import annotations

import json
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.lab.bench.updates.api import LocalApi


class LocalRequest(BaseRequest):
    """PTB's request on a :class:`LocalApi` (a new one unless given). Each call is encoded as
    PTB's ``HTTPXRequest`` encodes it (the parameters as JSON values, files as multipart parts)
    and the answer is the Bot API's JSON body, which PTB parses itself (``BaseRequest.post``: a
    429 raises PTB's RetryAfter, as from the network), so the client's work per request is the
    production one, less the HTTP round trip."""

    def __init__(self, api: LocalApi | None = None) -> None:
        self.api = api if api is not None else LocalApi()

    @property
    def requests(self) -> int:
        return self.api.requests

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
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        params: dict[str, Any] = {}
        encoded: dict[str, str] = {}
        if request_data is not None:
            encoded = request_data.json_parameters  # what HTTPXRequest posts
            if request_data.contains_files:
                request_data.multipart_data  # noqa: B018 - the files' parts, as HTTPXRequest has them
            params = request_data.parameters

        def fingerprint() -> str:
            return json.dumps(encoded, sort_keys=True)

        answer = self.api.answer(url.rpartition("/")[2], params, fingerprint)
        self.api.arrived(answer)  # PTB parses what the Bot API answered without fail
        return answer.status, answer.body
