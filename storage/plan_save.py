"""Storing a new plan version: the version number is taken by the insert itself.

`store_plan` guesses the next version from the user's document (the turn has usually
read it already, so the guess costs no command) and inserts the version under it. The
unique ``(user_id, version)`` index of `learning_plans` is the arbiter: two saves racing
for one number (two instances, or a stale read) cannot both insert it; the loser gets
`DuplicateKeyError`, reads the highest stored version and tries the one above. Then one
update of the user's document activates the version, pushes it onto the undo history
and raises the ``plan_version`` counter (``$max``).

Crash safety: before the activation, the new version is stored but inactive — the
previous plan stays active, and the next save takes a number above it. The counter only
rises with an activation, so after such a crash the next guess collides once and reads
the highest version instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from storage.engine import StorageError
from storage.models import Goal, Plan
from storage.store import MAX_HISTORY, PLAN_HEADS, SavedPlan, Store

# Versions tried before giving up: each collision reads the highest stored version, so
# only as many saves of one user landing at the same moment can exhaust it.
MAX_TRIES = 8


def next_version(user: dict[str, Any]) -> int:
    """The version a new plan most likely gets: one above every version the user's
    document knows (its counter, the active one, the listed heads)."""
    known = [user.get("plan_version"), user.get("active_plan_version")]
    known += [h.get("version") for h in user.get(PLAN_HEADS) or [] if isinstance(h, dict)]
    numbers = [int(v) for v in known if isinstance(v, int) and not isinstance(v, bool)]
    return max(numbers, default=0) + 1


async def _insert_version(store: Store, user_id: int, guess: int, fields: dict[str, Any]) -> int:
    """Insert the plan document under ``guess`` or, where that number is taken, above
    the highest stored version. Returns the version it got."""
    version = guess
    for _ in range(MAX_TRIES):
        try:
            await store.db.learning_plans.insert_one(
                {"user_id": user_id, "version": version, **fields}
            )
            return version
        except DuplicateKeyError:
            top = await store.db.learning_plans.find_one(
                {"user_id": user_id}, {"_id": 0, "version": 1}, sort=[("version", DESCENDING)]
            )
            version = max(version, int(top["version"]) if top else 0) + 1
    raise StorageError(f"could not take a plan version for user {user_id} in {MAX_TRIES} tries")


async def store_plan(
    store: Store,
    user_id: int,
    plan: Plan,
    goal: Goal,
    *,
    note: str,
    user_fields: dict[str, Any] | None = None,
) -> SavedPlan:
    """Store a new plan version and make it the active one, returning what the save
    knows, so the turn need not read it again: the version, its ``created_at`` and the
    user's document as the save left it.

    The version is pushed onto the user's undo history and the redo list is cleared
    (a new change drops the redo branch; see `storage.plan_history`). ``user_fields``
    are set on the user in the same write that activates the version (after the plan
    is stored), e.g. clearing a syllabus the plan was built from: a crash before it
    leaves them as they were. Two commands when the turn has read the user's document."""
    now = store.clock()
    # as stored (BSON keeps milliseconds), so `SavedPlan.created_at` equals a read's
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    extra = dict(user_fields or {})
    user = dict(await store.get_user(user_id) or {"user_id": user_id})
    fields = {
        "created_at": now,
        "note": note,
        "plan": plan.model_dump(mode="json"),
        "goal": goal.model_dump(mode="json"),
    }

    async def op() -> SavedPlan:
        version = await _insert_version(store, user_id, next_version(user), fields)
        activated = await _activate(store, user_id, version, note, now, extra)
        user["plan_version"] = max(version, int(user.get("plan_version") or 0))
        if activated:
            head = {"version": version, "note": note, "created_at": now}
            user.update(
                active_plan_version=version,
                plan_redo=[],
                plan_history=[*(user.get("plan_history") or []), version][-MAX_HISTORY:],
                history_rev=int(user.get("history_rev") or 0) + 1,
                **extra,
            )
            user[PLAN_HEADS] = [*(user.get(PLAN_HEADS) or []), head][-MAX_HISTORY:]
            store.keep_plan(user, {"user_id": user_id, "version": version, **fields})
        return SavedPlan(version, now, note, user)

    # Writes plans and the user only: the turn's other reads (its progress) stay.
    return await store.write(("learning_plans", "users"), op)


async def _activate(
    store: Store, user_id: int, version: int, note: str, now: datetime, extra: dict[str, Any]
) -> bool:
    """Make ``version`` the active one — only upwards: of two saves racing, the newer
    version ends up active. (A filter, not ``$max``: the embedded engine's ``$max``
    fails on a null field.) Creates the user's document if it is missing; where it
    exists with a newer active version, the upsert's insert collides with the unique
    ``user_id`` index: not activated. True if activated."""
    lower = [{"active_plan_version": None}, {"active_plan_version": {"$lt": version}}]
    head = {"version": version, "note": note, "created_at": now}
    try:
        result = await store.db.users.update_one(
            {"user_id": user_id, "$or": lower},
            {
                "$set": {"active_plan_version": version, "plan_redo": [], **extra},
                "$push": {
                    "plan_history": {"$each": [version], "$slice": -MAX_HISTORY},
                    PLAN_HEADS: {"$each": [head], "$slice": -MAX_HISTORY},
                },
                "$inc": {"history_rev": 1},
                "$max": {"plan_version": version},
                "$setOnInsert": {"created_at": now},
            },
            upsert=True,
        )
    except DuplicateKeyError:
        return False
    return result.modified_count == 1 or result.upserted_id is not None
