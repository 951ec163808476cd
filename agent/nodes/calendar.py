"""/calendar: the study sessions as an .ics file, or as a link a calendar app subscribes to.

* ``/calendar`` sends the active plan's sessions as a document (see
  `scheduler.calendar_feed`); importing it again updates the same events.
* ``/calendar link`` issues a secret subscription URL. Only a hash of its token is
  stored, so an existing link can't be shown again: the user is offered a new one
  (which replaces the old) instead. ``/calendar link new`` replaces it directly. The
  message with the link goes through ``ctx.outbox``, so the clear token never enters
  the checkpointed conversation state.
* ``/calendar revoke`` turns the link off.

Buttons carry ``cal:<action>``; the data is re-validated here and every action only
touches the presser's own link.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import finish, reply, user_id
from agent.state import AgentState
from scheduler.calendar_feed import ICS_MEDIA_TYPE, user_calendar
from scheduler.localtime import user_zone
from storage.calendar_tokens import issue_token, link_created_at, revoke_token

CALLBACK_PREFIX = "cal:"
ROTATE_DATA = "cal:rotate"
REVOKE_DATA = "cal:revoke"

USAGE = (
    "/calendar — your study sessions as a file to import into Google Calendar, "
    "Apple Calendar or Outlook\n"
    "/calendar link — a private link your calendar app subscribes to, so it follows "
    "every change\n"
    "/calendar revoke — turn that link off"
)
NO_PLAN = (
    "You don't have a plan yet, so there is nothing to put in a calendar. "
    "Tell me what you want to learn, or send /newplan."
)
NO_SESSIONS = (
    "Your plan has no scheduled study sessions yet, so the calendar would be empty. "
    "Sessions are placed in the times you said you can study — try again in a moment."
)
CAPTION = (
    "{title}: {count} study sessions ({zone}). Open the file to add them to your "
    "calendar; importing it again updates the same events. For a calendar that follows "
    "changes by itself, send /calendar link."
)
SUBSCRIBE_HOW = (
    "Add it as a subscribed calendar — Google Calendar: Other calendars → + → From URL; "
    "Apple Calendar: File → New Calendar Subscription; Outlook: Add calendar → "
    "Subscribe from web. Changes to your plan show up there on the app's next refresh "
    "(Google can take several hours).\n"
    "Anyone with this link can see your study sessions. /calendar revoke turns it off."
)
LINK_CREATED = "Your calendar link:\n{url}\n\n" + SUBSCRIBE_HOW
LINK_REPLACED = "Your new calendar link — the old one no longer works:\n{url}\n\n" + SUBSCRIBE_HOW
LINK_EXISTS = (
    "You already have a calendar link (made {made}). I only keep a fingerprint of it, so "
    "I can't show it again. A new link replaces it: the old one stops working and "
    "calendars subscribed to it must be given the new one."
)
NO_PUBLIC_URL = (
    "Calendar links aren't available on this bot: it has no public web address. "
    "/calendar still sends your sessions as a file to import."
)
REVOKED = (
    "Your calendar link is turned off; calendars subscribed to it no longer update. "
    "/calendar link makes a new one."
)
NOTHING_TO_REVOKE = (
    "You don't have a calendar link, so there is nothing to turn off. /calendar link makes one."
)
UNKNOWN_ACTION = "I don't know “/calendar {action}”.\n" + USAGE
STALE_BUTTON = "That button is no longer valid.\n" + USAGE

_FILE = {"", "file", "ics", "export", "download"}
_LINK = {"link", "url", "subscribe", "subscription"}
_ROTATE = {"rotate", "new", "renew", "reset", "regenerate"}
_REVOKE = {"revoke", "off", "stop", "unlink", "delete", "disable"}
_HELP = {"help", "?"}


def _public_url(ctx: AgentContext) -> str | None:
    """Where the bot's HTTP server is reachable from outside (None: no links)."""
    return ctx.public_url.rstrip("/") if ctx.public_url else None


def _link_url(base: str, token: str) -> str:
    return f"{base}/calendar/{token}.ics"


async def _send_file(ctx: AgentContext, uid: int) -> list[dict[str, Any]]:
    feed = await user_calendar(ctx.store, uid)
    if feed is None:
        return [reply(NO_PLAN)]
    if feed.events == 0:
        return [reply(NO_SESSIONS)]
    ctx.outbox.append(
        {
            "kind": "document",
            "data": feed.body,
            "filename": feed.filename,
            "mime_type": ICS_MEDIA_TYPE,
            "caption": CAPTION.format(title=feed.title, count=feed.events, zone=feed.timezone),
        }
    )
    return []


def _day(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y}"


async def _link(ctx: AgentContext, uid: int, *, replace: bool) -> list[dict[str, Any]]:
    base = _public_url(ctx)
    if base is None:
        return [reply(NO_PUBLIC_URL)]
    active = await ctx.store.active_plan(uid)
    if active is None:
        return [reply(NO_PLAN)]
    if not replace:
        made = await link_created_at(ctx.store, uid)
        if made is not None:
            buttons = [
                [
                    {"label": "🔄 New link", "data": ROTATE_DATA},
                    {"label": "🚫 Turn it off", "data": REVOKE_DATA},
                ]
            ]
            user = await ctx.store.get_user(uid) or {}
            zone = ZoneInfo(user_zone(user, active[2].timezone))
            text = LINK_EXISTS.format(made=_day(made, zone))
            return [reply(text, buttons=buttons)]
    issued = await issue_token(ctx.store, uid)
    template = LINK_REPLACED if issued.replaced else LINK_CREATED
    # The outbox is never checkpointed: the clear token must not reach the graph state.
    ctx.outbox.append(reply(template.format(url=_link_url(base, issued.token))))
    return []


async def _revoke(ctx: AgentContext, uid: int) -> list[dict[str, Any]]:
    if await revoke_token(ctx.store, uid):
        return [reply(REVOKED)]
    return [reply(NOTHING_TO_REVOKE)]


async def _act(ctx: AgentContext, uid: int, words: list[str]) -> list[dict[str, Any]]:
    action = words[0] if words else ""
    rest = words[1] if len(words) > 1 else ""
    if action in _FILE:
        return await _send_file(ctx, uid)
    if action in _LINK:
        return await _link(ctx, uid, replace=rest in _ROTATE)
    if action in _ROTATE:
        return await _link(ctx, uid, replace=True)
    if action in _REVOKE:
        return await _revoke(ctx, uid)
    if action in _HELP:
        return [reply(USAGE)]
    return [reply(UNKNOWN_ACTION.format(action=action[:40]))]


async def calendar_command(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    event = state.get("inbox") or {}
    words = str(event.get("args") or "").lower().split()
    replies = await _act(context_of(runtime), user_id(state), words)
    return finish(state, replies)


async def calendar_button(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    data = str((state.get("inbox") or {}).get("data") or "")
    ctx, uid = context_of(runtime), user_id(state)
    if data == ROTATE_DATA:
        replies = await _link(ctx, uid, replace=True)
    elif data == REVOKE_DATA:
        replies = await _revoke(ctx, uid)
    else:
        replies = [reply(STALE_BUTTON)]
    return finish(state, replies)


FEATURE = Feature(
    name="calendar",
    nodes={"calendar_command": calendar_command, "calendar_button": calendar_button},
    commands={"calendar": "calendar_command"},
    callbacks={CALLBACK_PREFIX: "calendar_button"},
)
