"""/export and /forget: the user's data as a JSON document, and deleting all of it.

/export sends every document that carries the user's id, from every collection, as one
JSON file (datetimes in ISO 8601, UTC). Calendar token hashes are left out: they are
secrets, not the user's data.

/forget asks first; the "yes" button carries the time it was offered and expires after
`CONFIRM_FOR`, so an old message cannot wipe an account by accident. On "yes" every
document with the user's id (or their private chat's id) is deleted from every collection
— plans, progress, schedules, reminders, calendar tokens, and anything a later feature
adds — and the chat's conversation state is erased after the run (a ``forget_thread``
reply). The shared LLM cache holds no user data and stays.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import finish, reply, user_id
from agent.state import AgentState
from storage.store import as_utc

CONFIRM_FOR = timedelta(minutes=10)
EXPORT_FILENAME = "learnplan-export.json"
_CONFIRM = re.compile(r"^acct:forget:yes:([0-9]{1,12})$")

EXPORT_TEXT = "Here is everything I keep about you, as JSON."
FORGET_ASK = (
    "This deletes everything I keep about you: your plans, progress, quiz answers, "
    "schedule, reminders, calendar links and our conversation. It cannot be undone. "
    "Delete it all?"
)
FORGOTTEN = (
    "Done — I deleted all your data and our conversation. Calendar links stop working. "
    "Send /start whenever you want to begin again."
)
KEPT = "Nothing was deleted."
EXPIRED = "That confirmation has expired — send /forget again if you still want it."


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def export_json(uid: int, data: dict[str, Any], now: datetime) -> bytes:
    payload = {"user_id": uid, "exported_at": as_utc(now).isoformat(), "collections": data}
    text = json.dumps(payload, default=_json_default, ensure_ascii=False, indent=2)
    return text.encode()


async def export_data(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    ctx = context_of(runtime)
    uid = user_id(state)
    body = export_json(uid, await ctx.store.export_user(uid), ctx.clock())
    ctx.outbox.append(
        {"kind": "document", "data": body, "filename": EXPORT_FILENAME, "caption": EXPORT_TEXT}
    )
    return finish(state, [])


def ask_forget(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    offered = int(context_of(runtime).clock().timestamp())
    buttons = [
        [
            {"label": "🗑 Yes, delete everything", "data": f"acct:forget:yes:{offered}"},
            {"label": "Cancel", "data": "acct:forget:no"},
        ]
    ]
    return finish(state, [reply(FORGET_ASK, buttons=buttons)])


async def forget_button(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    ctx = context_of(runtime)
    data = str((state.get("inbox") or {}).get("data") or "")
    confirmed = _CONFIRM.fullmatch(data)
    if confirmed is None:
        return finish(state, [reply(KEPT)])
    age = ctx.clock().timestamp() - int(confirmed.group(1))
    if not 0 <= age <= CONFIRM_FOR.total_seconds():
        return finish(state, [reply(EXPIRED)])
    await ctx.store.forget_user(user_id(state))
    replies = [reply(FORGOTTEN), {"kind": "forget_thread"}]
    return finish(state, replies, phase="idle", goal={}, asking=None)


FEATURE = Feature(
    name="account",
    nodes={
        "account_export": export_data,
        "account_forget": ask_forget,
        "account_forget_button": forget_button,
    },
    commands={"export": "account_export", "forget": "account_forget"},
    callbacks={"acct:forget:": "account_forget_button"},
    priority=60,
)
