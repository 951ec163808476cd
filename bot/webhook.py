"""Webhook mode (`learnplan run --webhook`): Telegram pushes updates to our HTTP server.

Instead of long polling, the bot registers ``{public_url}/telegram/{path_secret}`` with
``setWebhook`` and a ``secret_token`` that Telegram sends back in the
``X-Telegram-Bot-Api-Secret-Token`` header of every delivery; `bot.http_server` rejects
requests without it. The path secret is derived from the secret token (HMAC), so one
setting covers both and the path alone reveals nothing about the token.

Order matters at both ends: the chats an earlier run of this instance left busy are
freed first (`bot.ordering.resume_turns`), the application is started before the
server accepts updates and the webhook is registered last; on the way out the server stops first
(Telegram then keeps undelivered updates and retries, for this or another instance),
then the application finishes what is queued. The webhook is left registered on exit
so a restart or a second instance loses nothing; long polling deletes it when started.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, COMMANDS, set_menu_button, start_reminders, stop_reminders
from bot.http_server import WEBHOOK_PREFIX, HttpServer, WebhookEndpoint, parse_listen
from bot.ordering import resume_turns
from storage.store import Store

if TYPE_CHECKING:
    from bot.webapp.server import MiniApp

log = logging.getLogger(__name__)

SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""What Telegram accepts as ``secret_token``."""

INVALID_SECRET = "the webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ or -"

_PATH_CONTEXT = b"learnplan webhook path"


def valid_secret(secret: str) -> bool:
    return SECRET_SHAPE.fullmatch(secret) is not None


def new_secret() -> str:
    """A random secret token (256 bits, URL-safe characters as Telegram requires)."""
    return secrets.token_urlsafe(32)


def path_secret(secret: str) -> str:
    """The URL path component derived from the secret token."""
    return hmac.new(secret.encode("utf-8"), _PATH_CONTEXT, hashlib.sha256).hexdigest()[:32]


def webhook_url(public_url: str, secret: str) -> str:
    return f"{public_url.rstrip('/')}{WEBHOOK_PREFIX}{path_secret(secret)}"


async def stop_application(application: Application) -> None:
    """Process what is queued, then shut down (the webhook stays registered)."""
    if application.running:
        await application.stop()
    await application.shutdown()


@asynccontextmanager
async def serve_webhook(
    application: Application,
    store: Store,
    *,
    listen: str,
    public_url: str,
    secret: str | None = None,
    webapp: MiniApp | None = None,
) -> AsyncIterator[HttpServer]:
    """Run the bot in webhook mode for the duration of the block.

    The same server also answers the calendar subscription URLs (and serves the Mini
    App when given one). Without a configured
    ``secret`` a random one is used for this run, which suits a single instance only:
    several instances behind one URL must share ``TELEGRAM_WEBHOOK_SECRET``.
    """
    if secret is None:
        log.warning("TELEGRAM_WEBHOOK_SECRET is not set: using a random secret for this run")
        secret = new_secret()
    if not valid_secret(secret):
        raise ValueError(INVALID_SECRET)
    host, port = parse_listen(listen)
    endpoint = WebhookEndpoint(application, path_secret=path_secret(secret), header_secret=secret)
    server = HttpServer(store, webhook=endpoint, webapp=webapp)
    try:
        await application.initialize()
        await resume_turns(application)
        await application.bot.set_my_commands(COMMANDS)
        await set_menu_button(application)
        await application.start()
        await start_reminders(application)
        await server.start(host, port)
        await application.bot.set_webhook(
            url=webhook_url(public_url, secret),
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
        )
        log.info("learnplan is running (webhook on port %s)", server.port)
        yield server
    finally:
        await server.stop()
        await stop_reminders(application)
        await stop_application(application)
