"""The bot's own HTTP server (aiohttp): calendar subscriptions, health, Telegram webhooks.

Routes
------
* ``GET /calendar/{token}.ics`` — the token owner's calendar, rebuilt from the database
  on every request (`scheduler.calendar_feed`), as ``text/calendar; charset=utf-8`` with
  ``Cache-Control: private, no-cache`` and a weak ETag (``If-None-Match`` → 304). An
  unknown, revoked or malformed token is a plain 404 — the same answer whatever the
  reason, and never anyone else's data.
* ``GET /healthz`` — liveness.
* ``/app/…`` (only with a `bot.webapp.server.MiniApp`) — the Telegram Mini App and its API.
* ``POST /telegram/{path_secret}`` (only with a `WebhookEndpoint`) — a Telegram update.
  The path secret and the ``X-Telegram-Bot-Api-Secret-Token`` header are compared in
  constant time; a wrong path is 404, a wrong or missing header 403, and neither reaches
  the bot. An accepted update is queued in its chat's turn order first (MongoDB, several
  instances: `bot.ordering`; with the update itself, so that this instance runs it
  after a restart if it dies first), then goes into ``application.update_queue``.

URLs carry secrets, so the access log writes them redacted.
"""

from __future__ import annotations

import hmac
import json
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import ETag, web
from aiohttp.abc import AbstractAccessLogger
from telegram import Update
from telegram.ext import Application

from bot.ordering import order_key
from scheduler.calendar_feed import ICS_MEDIA_TYPE, CalendarFeed, empty_calendar, user_calendar
from storage.calendar_tokens import user_for_token
from storage.chat_turns import queue_update
from storage.engine import StorageError
from storage.store import Store

if TYPE_CHECKING:
    from bot.webapp.server import MiniApp

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALENDAR_PREFIX = "/calendar/"
WEBHOOK_PREFIX = "/telegram/"
MAX_UPDATE_BYTES = 1024 * 1024
STORAGE_RETRY_AFTER_S = 30


class HttpServerError(RuntimeError):
    """The server cannot listen (address in use, no permission…); fit for an operator."""


def parse_listen(value: str) -> tuple[str, int]:
    """``"host:port"`` (``"[::1]:8080"`` for IPv6, ``":8080"`` for every interface)."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected host:port, got {value!r}")
    host = host.removeprefix("[").removesuffix("]")
    return host or "0.0.0.0", int(port)


def _same_secret(presented: str, expected: str) -> bool:
    """Constant-time equality (for the length of ``expected``) of two secrets."""
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def redact_path(path: str) -> str:
    """A request path fit for logs: calendar tokens and webhook secrets removed."""
    for prefix in (CALENDAR_PREFIX, WEBHOOK_PREFIX):
        if path.startswith(prefix):
            return prefix + "…"
    return path


class RedactingAccessLogger(AbstractAccessLogger):
    """Access log lines without the secrets that URLs carry."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.1fms",
            request.method,
            redact_path(request.path),
            response.status,
            time * 1000,
        )


@dataclass(frozen=True)
class WebhookEndpoint:
    """Where accepted Telegram updates go, and the two secrets that guard the route."""

    application: Application
    path_secret: str
    header_secret: str


class HttpServer:
    def __init__(
        self,
        store: Store,
        *,
        webhook: WebhookEndpoint | None = None,
        webapp: MiniApp | None = None,
    ) -> None:
        self.store = store
        self.webhook = webhook
        self.webapp = webapp
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get(CALENDAR_PREFIX + "{token}.ics", self._calendar)
        if self.webhook is not None:
            app.router.add_post(WEBHOOK_PREFIX + "{secret}", self._telegram)
        if self.webapp is not None:
            self.webapp.add_routes(app)
        return app

    @property
    def port(self) -> int:
        """The bound port (useful after listening on port 0)."""
        if self._port is None:
            raise RuntimeError("the HTTP server is not running")
        return self._port

    async def start(
        self, host: str = "127.0.0.1", port: int = 8080, *, sock: socket.socket | None = None
    ) -> None:
        """Listen on ``host:port``, or on an already bound socket."""
        runner = web.AppRunner(
            self.build_app(), access_log_class=RedactingAccessLogger, handle_signals=False
        )
        await runner.setup()
        site: web.BaseSite
        if sock is not None:
            site = web.SockSite(runner, sock)
        else:
            site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            where = "the given socket" if sock is not None else f"{host}:{port}"
            raise HttpServerError(f"cannot listen on {where}: {exc.strerror or exc}") from exc
        self._runner = runner
        bound = runner.addresses[0]
        self._port = int(bound[1])
        log.info("HTTP server listening on port %s", self._port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._port = None

    # ---- handlers ---------------------------------------------------------------

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _calendar(self, request: web.Request) -> web.StreamResponse:
        try:
            owner = await user_for_token(self.store, request.match_info["token"])
            if owner is None:
                return _not_found()
            feed = await user_calendar(self.store, owner) or await empty_calendar(self.store, owner)
        except StorageError:
            log.exception("storage failed while serving a calendar")
            return web.Response(
                status=503,
                text="Temporarily unavailable",
                headers={"Retry-After": str(STORAGE_RETRY_AFTER_S)},
            )
        return _calendar_response(request, feed)

    async def _telegram(self, request: web.Request) -> web.Response:
        hook = self.webhook
        if hook is None or not _same_secret(request.match_info["secret"], hook.path_secret):
            return _not_found()
        if not _same_secret(request.headers.get(SECRET_HEADER, ""), hook.header_secret):
            log.warning("rejected a webhook request without the right secret token")
            return web.Response(status=403, text="Forbidden")
        if not hook.application.running:
            # Telegram retries later; the update is not lost.
            return web.Response(status=503, text="Not ready")
        try:
            data: Any = await request.json()
            update = Update.de_json(data, hook.application.bot) if isinstance(data, dict) else None
        except Exception:
            log.warning("rejected a webhook request whose body is not an update", exc_info=True)
            update = None
        if update is None:
            return web.Response(status=400, text="Not an update")
        chat = order_key(update)
        if chat is not None:
            try:
                payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
                await queue_update(self.store, chat, update.update_id, payload=payload)
            except StorageError:  # answered anyway: its turn tells the user storage is down
                log.warning("could not queue update %s in chat %s's order", update.update_id, chat)
        await hook.application.update_queue.put(update)
        return web.Response(status=200)


def _not_found() -> web.Response:
    return web.Response(status=404, text="Not found")


def _calendar_response(request: web.Request, feed: CalendarFeed) -> web.StreamResponse:
    headers = {
        "Cache-Control": "private, no-cache",
        "Content-Disposition": f'inline; filename="{feed.filename}"',
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    wanted = request.if_none_match or ()
    if any(tag.value in {"*", feed.etag} for tag in wanted):
        response = web.Response(status=304, headers=headers)
    else:
        response = web.Response(
            body=feed.body, content_type=ICS_MEDIA_TYPE, charset="utf-8", headers=headers
        )
    response.etag = ETag(value=feed.etag, is_weak=True)
    return response


@asynccontextmanager
async def serve_http(
    store: Store,
    *,
    listen: str,
    webhook: WebhookEndpoint | None = None,
    webapp: MiniApp | None = None,
) -> AsyncIterator[HttpServer]:
    """Run the HTTP server on ``listen`` (``host:port``) for the duration of the block."""
    host, port = parse_listen(listen)
    server = HttpServer(store, webhook=webhook, webapp=webapp)
    await server.start(host, port)
    try:
        yield server
    finally:
        await server.stop()
