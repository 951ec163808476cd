"""Undo and redo over the plan versions a user activated, kept on the `users` document.

Undo walks the history of activations, not version numbers: after "3 h a week" → undo →
"8 weeks", undo returns to the plan before "8 weeks" (the original), not to the undone
3 h version. Fields on the user document::

    plan_history   versions activated, oldest first; the last one is the active plan
    plan_redo      versions undone, most recently undone last (cleared by a new version)
    history_rev    bumped by every change of the two lists

`Store.save_plan` pushes each new version and clears `plan_redo` in the same update that
activates it. Undo and redo are one guarded ``update_one`` each: the filter carries the
active version and the `history_rev` that was read, so two presses of "↩ Undo" at the same
moment move one step, never two, and never past a concurrent new version.

Users stored before the history existed have no `plan_history`; for them the version
numbered just below the active one stands in as the previous state.
"""

from __future__ import annotations

from typing import Any, Literal

from pymongo import DESCENDING

from storage.store import MAX_HISTORY, Store


async def _lists(store: Store, user: dict[str, Any], active: int) -> tuple[list[int], list[int]]:
    """(history, redo) as stored; for a user from before the history (no change of it but
    the first save), the version numbered just below the active one stands in."""
    history = [int(v) for v in user.get("plan_history") or []]
    redo = [int(v) for v in user.get("plan_redo") or []]
    if (
        history
        and history[-1] == active
        and (len(history) >= 2 or int(user.get("history_rev") or 0) > 1)
    ):
        return history, redo
    older = await store.db.learning_plans.find_one(
        {"user_id": user["user_id"], "version": {"$lt": active}},
        sort=[("version", DESCENDING)],
    )
    return ([int(older["version"])] if older is not None else []) + [active], redo


async def step(
    store: Store, user_id: int, *, expected: int, way: Literal["undo", "redo"]
) -> int | None:
    """Move the active plan one step back (undo) or forward (redo) in the history.

    `expected` is the active version the caller saw; when it is no longer active, or the
    history changed meanwhile, nothing moves. Returns the version now active, or None.
    """

    async def op() -> int | None:
        user = await store.db.users.find_one({"user_id": user_id})
        if not user or user.get("active_plan_version") != expected:
            return None
        history, redo = await _lists(store, user, expected)
        if way == "undo":
            if len(history) < 2:
                return None
            target = history[-2]
            history, redo = history[:-1], [*redo, expected]
        else:
            if not redo:
                return None
            target = redo[-1]
            history, redo = [*history, target], redo[:-1]
        result = await store.db.users.update_one(
            {
                "user_id": user_id,
                "active_plan_version": expected,
                "history_rev": user.get("history_rev"),
            },
            {
                "$set": {
                    "active_plan_version": target,
                    "plan_history": history[-MAX_HISTORY:],
                    "plan_redo": redo[-MAX_HISTORY:],
                },
                "$inc": {"history_rev": 1},
            },
        )
        return target if result.modified_count == 1 else None

    return await store.run(op)
