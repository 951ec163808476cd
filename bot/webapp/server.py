"""The Mini App's routes on the bot's HTTP server: the page under ``/app/`` and its API.

Page
----
* ``GET /app/`` — the single-page app (``static/index.html``); ``GET /app/assets/<file>``
  its bundled scripts and styles (content-hashed names, cached for a year).

API (JSON). Every call carries ``Authorization: tma <Telegram.WebApp.initData>`` — or, for
``learnplan chat --web`` on loopback only, ``Authorization: dev <session>`` — and is
answered for that user alone: no id in a path or body selects a user. Anything else is
401 with no data.

* ``GET /app/api/{me,plan,calendar,progress,settings}`` — the read models of
  `agent.webview` (``{"data": …}``; ``null`` when the user has no plan).
* ``POST /app/api/modules/{module_id}/done`` — mark a module done.
* ``POST /app/api/weeks/{n}/lighter`` — "make week n lighter".
* ``POST /app/api/sessions/{session_id}/{skip|move}`` — skip or move a session.
* ``POST /app/api/settings`` — ``{"enabled"?, "lead_minutes"?, "quiet"?, "timezone"?}``.
* ``POST /app/api/dev-session`` — ``{"token": …}``: a one-time dev token for a session.

Each action becomes the chat's own event (`agent.webview`) and runs through
`AgentService.handle`; the answer is ``{"messages": [what the chat would have said]}``,
or 400 ``{"error": …}`` with the chat's own help text when the chat would refuse it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from agent import webview
from agent.service import AgentService
from bot.webapp import APP_PATH
from bot.webapp.auth import DEFAULT_MAX_AGE, DevSessions, WebUser, validate_init_data
from storage.engine import StorageError

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
API = APP_PATH + "api/"
_ASSET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
}
CSP = (
    "default-src 'self'; script-src 'self' https://telegram.org; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; object-src 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
NOT_BUILT = "The Mini App is not built: run ./dev webapp"

Handler = Callable[[web.Request, WebUser], Awaitable[web.StreamResponse]]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers=API_HEADERS)


def _unauthorized() -> web.Response:
    return _json({"error": "unauthorized"}, status=401)


@dataclass
class MiniApp:
    """The page and its API for one bot. Without a bot token only dev sessions work."""

    service: AgentService
    bot_token: str | None
    max_age: timedelta = DEFAULT_MAX_AGE
    dev: DevSessions | None = None
    static_dir: Path = field(default=STATIC_DIR)

    def add_routes(self, app: web.Application) -> None:
        add_get, add_post = app.router.add_get, app.router.add_post
        add_get(APP_PATH.rstrip("/"), self._to_index)
        add_get(APP_PATH, self._index)
        add_get(APP_PATH + "assets/{name}", self._asset)
        add_post(API + "dev-session", self._dev_session)
        add_get(API + "{view}", self._guarded(self._view))
        add_post(API + "modules/{module}/done", self._guarded(self._done))
        add_post(API + "weeks/{week}/lighter", self._guarded(self._lighter))
        add_post(API + "sessions/{session}/{action}", self._guarded(self._session))
        add_post(API + "settings", self._guarded(self._settings))

    # ---- who is calling -------------------------------------------------------------

    def caller(self, request: web.Request) -> WebUser | None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme == "tma" and self.bot_token:
            now = self.service.context.clock()
            return validate_init_data(value, self.bot_token, now=now, max_age=self.max_age)
        if scheme == "dev" and self.dev is not None:
            return self.dev.user_of(value, request.remote)
        return None

    def _guarded(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def guarded(request: web.Request) -> web.StreamResponse:
            user = self.caller(request)
            if user is None:
                return _unauthorized()
            try:
                return await handler(request, user)
            except webview.ActionError as exc:
                return _json({"error": str(exc)}, status=400)
            except StorageError:
                log.exception("storage failed in the Mini App API")
                return _json({"error": "temporarily unavailable"}, status=503)

        return guarded

    # ---- the page ---------------------------------------------------------------------

    async def _to_index(self, request: web.Request) -> web.StreamResponse:
        query = f"?{request.query_string}" if request.query_string else ""
        raise web.HTTPPermanentRedirect(APP_PATH + query)

    async def _index(self, request: web.Request) -> web.StreamResponse:
        index = self.static_dir / "index.html"
        if not index.is_file():
            return web.Response(status=503, text=NOT_BUILT)
        return web.Response(
            body=index.read_bytes(),
            content_type="text/html",
            charset="utf-8",
            headers=PAGE_HEADERS,
        )

    async def _asset(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = self.static_dir / "assets" / name
        if not _ASSET.fullmatch(name) or ".." in name or not path.is_file():
            return web.Response(status=404, text="Not found")
        return web.Response(
            body=path.read_bytes(),
            content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
            headers={
                "Cache-Control": "public, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def _dev_session(self, request: web.Request) -> web.StreamResponse:
        try:
            token = (await _body(request)).get("token")
        except webview.ActionError:
            token = None
        session = None
        if self.dev is not None and isinstance(token, str):
            session = self.dev.exchange(token, request.remote)
        return _json({"session": session}) if session else _unauthorized()

    # ---- reading ----------------------------------------------------------------------

    async def _view(self, request: web.Request, user: WebUser) -> web.StreamResponse:
        store, now = self.service.context.store, self.service.context.clock()
        view = request.match_info["view"]
        data: Any
        if view == "me":
            has_plan = await store.active_plan(user.id) is not None
            data = {"id": user.id, "first_name": user.first_name, "has_plan": has_plan}
        elif view == "plan":
            data = await webview.plan_view(store, user.id)
        elif view == "calendar":
            data = await webview.calendar_view(store, user.id, now)
        elif view == "progress":
            data = await webview.progress_view(store, user.id, now)
        elif view == "settings":
            data = await webview.settings_view(store, user.id, now)
        else:
            return _json({"error": "not found"}, status=404)
        return _json({"data": data})

    # ---- acting -------------------------------------------------------------------------

    async def _run(self, user: WebUser, actions: list[webview.WebAction]) -> web.StreamResponse:
        messages: list[str] = []
        for action in actions:
            replies = await self.service.handle(action.event(user.id, user.first_name), web=True)
            messages.extend(webview.reply_texts(replies))
        return _json({"messages": messages})

    async def _done(self, request: web.Request, user: WebUser) -> web.StreamResponse:
        module = _checked_id(request.match_info["module"])
        store = self.service.context.store
        return await self._run(user, [await webview.mark_done(store, user.id, module)])

    async def _lighter(self, request: web.Request, user: WebUser) -> web.StreamResponse:
        week = request.match_info["week"]
        if not week.isdigit() or len(week) > 3:
            raise webview.ActionError("That is not a week of your plan.")
        store = self.service.context.store
        return await self._run(user, [await webview.lighter_week(store, user.id, int(week))])

    async def _session(self, request: web.Request, user: WebUser) -> web.StreamResponse:
        session = _checked_id(request.match_info["session"])
        action = request.match_info["action"]
        store = self.service.context.store
        event = await webview.session_action(store, user.id, session, action)
        return await self._run(user, [event])

    async def _settings(self, request: web.Request, user: WebUser) -> web.StreamResponse:
        return await self._run(user, webview.settings_actions(await _body(request)))


def _checked_id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise webview.ActionError("That is not part of your plan.")
    return value


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.text() or "{}")
    except ValueError:
        raise webview.ActionError("The request is not JSON.") from None
    if not isinstance(data, dict):
        raise webview.ActionError("The request is not a JSON object.")
    return data


def mini_app_for(runtime: Runtime, *, dev: DevSessions | None = None) -> MiniApp:
    """The Mini App of a running bot: initData signed with its token, aged per settings."""
    settings = runtime.settings
    token = settings.telegram_bot_token
    return MiniApp(
        runtime.service,
        token.get_secret_value() if token is not None else None,
        max_age=timedelta(hours=settings.webapp_max_age_hours),
        dev=dev,
    )
