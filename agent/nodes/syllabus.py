"""The learner's own syllabus: a pasted outline or a sent document becomes the plan's units.

With an active plan, the plan is rebuilt on the syllabus at once (a new version, with
the same goal). Without one, the syllabus is kept in the user's document and intake
starts; `generate` then plans from it (see `pending_syllabus`).
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent import texts
from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import event_text, finish, reply, user_id
from agent.offline import syllabus_plan
from agent.planner import label
from agent.state import AgentState
from agent.syllabus import SyllabusError, SyllabusUnit, is_outline_message, parse_text
from storage.store import Store

PENDING = "pending_syllabus"


def _units(event: dict[str, Any]) -> list[SyllabusUnit]:
    if event.get("kind") == "document":
        if event.get("error"):
            raise SyllabusError(str(event["error"]))
        units = [SyllabusUnit.model_validate(u) for u in event.get("units") or []]
        if not units:
            raise SyllabusError("empty")
        return units
    return parse_text(event_text(event))


async def pending_syllabus(store: Store, uid: int) -> list[SyllabusUnit] | None:
    """The syllabus waiting for the next plan, if any (`PENDING` on the user: storing
    the plan clears it, `Store.store_plan` with ``user_fields={PENDING: None}``)."""
    user = await store.get_user(uid) or {}
    saved = user.get(PENDING)
    return [SyllabusUnit.model_validate(u) for u in saved] if saved else None


async def import_syllabus(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    ctx = context_of(runtime)
    uid = user_id(state)
    event = state.get("inbox") or {}
    try:
        units = _units(event)
    except SyllabusError as exc:
        return finish(state, [reply(texts.SYLLABUS_ERRORS.get(exc.code, texts.ERROR))])
    active = await ctx.store.active_plan(uid)
    if active is not None:
        _version, _plan, goal = active
        plan = syllabus_plan(goal, units)
        saved = await ctx.store.store_plan(uid, plan, goal, note="from your syllabus")
        version = saved.version
        scheduled = await ctx.on_plan_changed(uid, version, plan, goal, saved=saved)
        shown = {"kind": "plan", "version": version, "plan": plan.model_dump(mode="json")}
        note = reply(texts.SYLLABUS_APPLIED.format(count=len(units)))
        return finish(state, [shown, note, *scheduled], phase="planned")
    await ctx.store.set_user_fields(uid, {PENDING: [u.model_dump() for u in units]})
    name = str(event.get("file_name") or "").rsplit(".", 1)[0].replace("_", " ").strip()
    got = texts.SYLLABUS_PENDING.format(
        count=len(units), first=label(units[0].title, 60), last=label(units[-1].title, 60)
    )
    return Command(
        goto="intake",
        update={
            "replies": [reply(got)],
            "phase": "intake",
            "goal": {"goal": label(name, 60)} if name else {},
            "asking": None,
            "inbox": {},
        },
    )


FEATURE = Feature(
    name="syllabus",
    nodes={"import_syllabus": import_syllabus},
    events={"document": "import_syllabus"},
    claims_text=is_outline_message,
    text_node="import_syllabus",
    priority=20,
)
