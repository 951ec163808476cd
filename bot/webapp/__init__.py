"""The Telegram Mini App: a page with the plan, calendar, progress and settings.

`bot.webapp.server` serves it under ``/app/`` on the bot's HTTP server, with its JSON
API; `bot.webapp.auth` checks who is calling. The page's built assets live in
``static/`` (committed, built from ``webapp/`` by ``./dev webapp``), so running the bot
needs no Node.js.
"""

from __future__ import annotations

APP_PATH = "/app/"
MENU_TEXT = "📅 Plan"
OPEN_LABEL = "📅 Open plan"


def app_url(public_url: str | None) -> str | None:
    """The page's address for Telegram, which opens only HTTPS Mini Apps; None otherwise."""
    if not public_url or not public_url.startswith("https://"):
        return None
    return public_url.rstrip("/") + APP_PATH
