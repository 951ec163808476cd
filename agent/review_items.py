"""Review items of a user, read and kept in step with their progress (I/O around
`agent.review`): completed modules' key objectives become items once each."""

from __future__ import annotations

from datetime import datetime, timedelta

from agent.review import ReviewItem, due_items, new_item, objective_question, retained
from storage import review as review_store
from storage.progress import PlanContext, plan_context
from storage.progress_doc import ProgressDoc, load_progress
from storage.store import Store

# A completed module's objective is first asked a day after completion.
FIRST_OBJECTIVE_REVIEW = timedelta(days=1)


async def load_items(store: Store, uid: int) -> list[ReviewItem]:
    return [ReviewItem.model_validate(i) for i in await review_store.load_items(store, uid)]


async def sync_objectives(
    store: Store,
    uid: int,
    *,
    pc: PlanContext | None = None,
    progress: ProgressDoc | None = None,
    have: list[ReviewItem] | None = None,
) -> bool:
    """Add a review item for each completed module of the active plan (once each); True
    if any was added. A caller that has read the plan context, progress or the stored
    items (``have``: then only missing ones are written) already passes them in."""
    pc = pc or await plan_context(store, uid)
    if pc is None:
        return False
    done = (progress or await load_progress(store, uid)).done(pc.lineage)
    new = []
    for module_id, activity in done.items():
        module = pc.plan.find_module(module_id)
        question = objective_question(pc.plan, module) if module else None
        item = (
            new_item("objective", question, activity.at + FIRST_OBJECTIVE_REVIEW)
            if question
            else None
        )
        if item is not None:
            new.append(item.model_dump(mode="json"))
    if have is not None:
        stored = {i.id for i in have}
        new = [i for i in new if i["id"] not in stored]
    return await review_store.add_items(store, uid, new) > 0


async def review_line(
    store: Store,
    uid: int,
    now: datetime,
    *,
    pc: PlanContext | None = None,
    progress: ProgressDoc | None = None,
) -> str:
    """The /progress line, e.g. "Review: 2 due · 5 retained of 9" ("" with no items)."""
    items = await load_items(store, uid)
    if await sync_objectives(store, uid, pc=pc, progress=progress, have=items):
        items = await load_items(store, uid)
    if not items:
        return ""
    due = len(due_items(items, now))
    return f"Review: {due} due · {retained(items)} retained of {len(items)} — /review"
