"""The dashboard's routes on pixbot's aiohttp server, under the path of DASHBOARD_URL: the page
(``/``, its script and style), its texts, and the JSON API. Every API request carries the Mini
App's initData (``Authorization: tma <initData>``): a missing, forged or expired one gets 401,
a genuine one of someone who may not see the campaign 403, both with no data.

The CSV is also fetched by Telegram itself (``WebApp.downloadFile``), which sends no header: the
page first asks for a link signed for that educator and campaign, valid a few minutes."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from aiohttp import web

from bot.core.group_posts import Posted
from bot.core.i18n import resolve_language
from bot.dashboard.api import Dashboard, Forbidden, NotFound
from bot.dashboard.auth import NotAuthenticated, WebAppUser, checked_user, secret_key
from bot.dashboard.texts import page_texts
from content.models import INTERFACE_LANGUAGES
from storage.outage import is_outage

log = logging.getLogger(__name__)
STATIC: Final = Path(__file__).resolve().parent / "static"
SCHEME: Final = "tma "  # Authorization: tma <initData>
PAGE_FILES: Final = ("index.html", "app.js", "app.css")
LINK_LIFETIME: Final = timedelta(minutes=5)
# The page runs Telegram's script and its own, talks to this server only, draws with CSS.
POLICY: Final = (
    "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PersonHandler = Callable[[web.Request, "WebAppUser"], Awaitable[web.Response]]


def refused(status: int, error: str) -> web.Response:
    """A refusal that says why in one word and carries nothing else."""
    return web.json_response({"error": error}, status=status)


class DashboardRoutes:
    def __init__(self, dashboard: Dashboard, token: str) -> None:
        self.dashboard = dashboard
        self.token = token
        self.link_key = hmac.new(secret_key(token), b"pixbot csv link", hashlib.sha256).digest()
        # The page's files and texts do not change while the bot runs: read once.
        self.files = {name: (STATIC / name).read_bytes() for name in PAGE_FILES}
        self.texts_of = {
            language: page_texts(dashboard.catalogs, language) for language in INTERFACE_LANGUAGES
        }

    def person(self, request: web.Request) -> WebAppUser:
        header = request.headers.get("Authorization", "")
        if not header.startswith(SCHEME):
            raise NotAuthenticated("no initData")
        return checked_user(header[len(SCHEME) :], self.token, self.dashboard.clock())

    def guarded(
        self, handler: PersonHandler, who: Callable[[web.Request], WebAppUser] | None = None
    ) -> Handler:
        """``handler`` for the person ``who`` finds (the initData's, by default); the refusals
        and failures answered in one word."""
        find = who or self.person

        async def guard(request: web.Request) -> web.StreamResponse:
            try:
                person = find(request)
            except NotAuthenticated as error:
                log.info("dashboard: %s %s refused: %s", request.method, request.path, error)
                return refused(401, "unauthenticated")
            try:
                response = await handler(request, person)
                response.headers["Cache-Control"] = "no-store"  # a class's data: never kept
                return response
            except Forbidden as error:
                log.info("dashboard: user %s refused: %s", person.id, error)
                return refused(403, "forbidden")
            except NotFound:
                return refused(404, "not_found")
            except Exception as error:  # the database or Telegram out of reach, or a bug
                what = f"dashboard: {request.method} {request.path}"
                if is_outage(error):  # one line: the page says "try again in a minute"
                    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
                    log.error("%s: %s: %s", what, type(error).__name__, first)
                    return refused(503, "failed")
                log.error("%s: %r", what, error, exc_info=error)
                return refused(500, "failed")

        return guard

    # --- the page ------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.StreamResponse:
        if not request.path.endswith("/"):  # relative links need the folder's slash
            query = f"?{request.query_string}" if request.query_string else ""
            raise web.HTTPPermanentRedirect(request.path + "/" + query)
        return self.file("index.html", "text/html")

    def file(self, name: str, content_type: str) -> web.Response:
        response = web.Response(body=self.files[name], content_type=content_type, charset="utf-8")
        response.headers["Content-Security-Policy"] = POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-cache"
        return response

    async def script(self, request: web.Request) -> web.StreamResponse:
        return self.file("app.js", "text/javascript")

    async def style(self, request: web.Request) -> web.StreamResponse:
        return self.file("app.css", "text/css")

    async def texts(self, request: web.Request) -> web.StreamResponse:
        language = resolve_language(
            request.match_info["language"], self.dashboard.default_language
        )
        return web.json_response(self.texts_of[language])

    # --- the API -----------------------------------------------------------------------

    async def campaigns(self, request: web.Request, person: WebAppUser) -> web.Response:
        return web.json_response(await self.dashboard.campaigns(person))

    async def campaign(self, request: web.Request, person: WebAppUser) -> web.Response:
        return web.json_response(await self.dashboard.campaign(person, request.match_info["code"]))

    async def csv_link(self, request: web.Request, person: WebAppUser) -> web.Response:
        code = request.match_info["code"]
        name, _data = await self.dashboard.csv(person, code)  # refused here if not theirs
        expires = int((self.dashboard.clock() + LINK_LIFETIME).timestamp())
        signed = self.link_signature(code, person.id, expires)
        query = f"user={person.id}&expires={expires}&signature={signed}"
        return web.json_response({"url": f"csv?{query}", "file_name": name})

    def link_signature(self, code: str, user_id: int, expires: int) -> str:
        message = f"{code}:{user_id}:{expires}".encode()
        return hmac.new(self.link_key, message, hashlib.sha256).hexdigest()

    def link_holder(self, request: web.Request) -> WebAppUser:
        """Who a CSV link was signed for (until it expires), or the initData's person."""
        if "signature" not in request.query:
            return self.person(request)
        try:
            user_id = int(request.query["user"])
            expires = int(request.query["expires"])
        except (KeyError, ValueError):
            raise NotAuthenticated("a malformed link") from None
        expected = self.link_signature(request.match_info["code"], user_id, expires)
        given = request.query["signature"].encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected.encode()):
            raise NotAuthenticated("a forged link")
        if expires < self.dashboard.clock().timestamp():
            raise NotAuthenticated("an expired link")
        return WebAppUser(user_id, "", None, self.dashboard.clock())

    async def csv(self, request: web.Request, person: WebAppUser) -> web.Response:
        """The CSV, to the owner's initData or to a link signed for them."""
        name, data = await self.dashboard.csv(person, request.match_info["code"])
        return web.Response(
            body=data,
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )

    async def send(self, request: web.Request, person: WebAppUser) -> web.Response:
        try:
            body: Any = await request.json()
            chat_id = int(body["group"])
            competence = str(body["competence"])
        except (ValueError, KeyError, TypeError):
            return refused(400, "bad_request")
        outcome, title = await self.dashboard.send_tutorials(
            person, request.match_info["code"], competence, chat_id
        )
        status = {
            Posted.SENT: 200,
            Posted.ALREADY: 409,
            Posted.NOT_ADMIN: 403,
            Posted.GONE: 404,
        }
        return web.json_response({"result": str(outcome), "group": title}, status=status[outcome])


def add_dashboard(app: web.Application, dashboard: Dashboard, token: str, path: str) -> None:
    """Serve the dashboard under ``path`` (DASHBOARD_URL's, e.g. ``/dashboard``) on ``app``."""
    routes = DashboardRoutes(dashboard, token)
    base = path.rstrip("/")
    router = app.router
    router.add_get(base + "/", routes.page)
    if base:
        router.add_get(base, routes.page)
    router.add_get(base + "/app.js", routes.script)
    router.add_get(base + "/app.css", routes.style)
    router.add_get(base + "/texts/{language}.json", routes.texts)
    api = base + "/api/campaigns"
    router.add_get(api, routes.guarded(routes.campaigns))
    router.add_get(api + "/{code}", routes.guarded(routes.campaign))
    router.add_post(api + "/{code}/csv-link", routes.guarded(routes.csv_link))
    router.add_get(api + "/{code}/csv", routes.guarded(routes.csv, routes.link_holder))
    router.add_post(api + "/{code}/send", routes.guarded(routes.send))
