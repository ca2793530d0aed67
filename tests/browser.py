"""Headless Chromium (Debian's ``chromium``) driven over the Chrome DevTools Protocol with
aiohttp's websocket client: nothing is downloaded, no driver package is needed.

Every request the page makes passes through :meth:`Browser.route`: this machine's server is let
through, the scripts the test stands in for are answered from memory, and anything else (a
third-party asset) fails and is recorded. JavaScript exceptions, console errors and the
browser's own error entries (a refused script, a failed load) are recorded too."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

STARTUP_SECONDS = 15.0


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Debian's chromium is needed: apt-get install -y chromium (.ci/run does)"
    return found


class Browser:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = iter(range(1, 1_000_000))
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.errors: list[str] = []  # JavaScript exceptions, console and browser errors
        self.foreign: list[str] = []  # requests to another server than the test's
        self.stand_ins: dict[str, str] = {}  # URL -> JavaScript served in its place
        self.local = ""  # the test server's origin
        self.routing: set[asyncio.Task[None]] = set()
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        async for frame in self.ws:
            message = json.loads(frame.data)
            if "id" in message:
                future = self.waiting.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message)
            else:
                await self.event(message["method"], message.get("params", {}))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[number] = future
        await self.ws.send_json({"id": number, "method": method, "params": params})
        answer = await asyncio.wait_for(future, 10)
        assert "error" not in answer, (method, answer["error"])
        return dict(answer.get("result", {}))

    async def event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Fetch.requestPaused":
            task = asyncio.create_task(self.route(params))
            self.routing.add(task)
            task.add_done_callback(self.routing.discard)
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            described = details.get("exception", {}).get("description") or details.get("text")
            self.errors.append(f"exception: {described}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            args = [arg.get("value", arg.get("description")) for arg in params["args"]]
            self.errors.append(f"console.{params['type']}: {args}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            self.errors.append(f"{entry['source']}: {entry['text']} {entry.get('url', '')}")

    async def route(self, params: dict[str, Any]) -> None:
        url = params["request"]["url"]
        request_id = params["requestId"]
        if url in self.stand_ins:
            body = base64.b64encode(self.stand_ins[url].encode()).decode()
            headers = [{"name": "Content-Type", "value": "text/javascript"}]
            await self.send(
                "Fetch.fulfillRequest",
                requestId=request_id,
                responseCode=200,
                responseHeaders=headers,
                body=body,
            )
        elif url.startswith(self.local + "/"):
            await self.send("Fetch.continueRequest", requestId=request_id)
        else:
            self.foreign.append(url)
            await self.send(
                "Fetch.failRequest", requestId=request_id, errorReason="BlockedByClient"
            )

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited when it is a promise)."""
        answer = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    async def wait_for(self, expression: str, seconds: float = 10.0) -> Any:
        """Poll until ``expression`` is truthy; its value."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            assert asyncio.get_running_loop().time() < deadline, f"never true: {expression}"
            await asyncio.sleep(0.05)

    async def open(self, url: str) -> None:
        await self.send("Page.navigate", url=url)

    async def screenshot(self, path: Path) -> Path:
        shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))
        return path


@contextlib.asynccontextmanager
async def headless_chromium(
    local: str, width: int = 360, height: int = 740
) -> AsyncIterator[Browser]:
    """A page in a fresh headless Chromium, ``width`` CSS pixels wide like a phone; only
    ``local`` (an origin) and the stand-ins answer its requests."""
    profile = Path(tempfile.mkdtemp(prefix="pixbot-chromium-"))
    process = await asyncio.create_subprocess_exec(
        *[
            chromium(),
            "--headless",
            "--no-sandbox",  # root in CI containers
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            assert process.returncode is None, "chromium exited at start"
            assert asyncio.get_running_loop().time() < deadline, "chromium did not start"
            await asyncio.sleep(0.05)
        port = port_file.read_text().splitlines()[0]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as response:
                targets = await response.json()
            page = next(target for target in targets if target["type"] == "page")
            async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                browser = Browser(ws)
                browser.local = local
                try:
                    for domain in ("Runtime", "Log", "Page"):
                        await browser.send(f"{domain}.enable")
                    await browser.send("Fetch.enable", patterns=[{"urlPattern": "*"}])
                    await browser.send(
                        "Emulation.setDeviceMetricsOverride",
                        width=width,
                        height=height,
                        deviceScaleFactor=2,
                        mobile=True,
                    )
                    yield browser
                finally:
                    browser.reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await browser.reader
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            process.kill()
            await process.wait()
        shutil.rmtree(profile, ignore_errors=True)
