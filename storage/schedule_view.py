"""What scheduling a plan version reads of the user's `schedules` first (`VersionView`).

`scheduler.planning.schedule_plan` needs, before it stores a version's sessions, the
version's own stored sessions, the version currently scheduled and its sessions (done
sessions carry over), and per session id the highest sequence any other version holds
(so a calendar's SEQUENCE never goes down for a UID across versions; see
`storage.schedules.save_sessions`).

On its own that is one ``find`` of every schedule document of the user. On MongoDB a
turn that is about to store a new version (a refinement, a plan built by intake) reads
it instead with the user's document, at the turn's start, in the ``aggregate`` that
reads the user (`lookups`: the currently scheduled documents, and per session id its
highest sequence and the versions holding it), and `version_and_active` serves it from
the turn's reads (`Store.read_together`, key ``("schedules", user_id)``). Storing the
plan version writes only plans and users, so that read stays until the sessions are
stored; any other write of the turn forgets it. A version the read saw documents of
(not a new one) is read again in full: its own sessions are then needed.

Like every turn read, it may be older than a write outside the conversation (the
reminder dispatcher marking a session missed) by the length of the turn; the writes of
`save_sessions` only let a sequence rise, so that can at worst leave a tie, never a
lower sequence — as the separate read can, over a shorter time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import ASCENDING

from storage.engine import EngineKind
from storage.models import StudySession
from storage.schedules import _to_session
from storage.store import Store

# A read of every schedule document of a user asks for them in its first batch (the
# server's default is 101 documents; more would cost a getMore command each batch).
ONE_BATCH = 100_000
ACTIVE_FIELD = "_schedules_active"
SEQUENCES_FIELD = "_schedules_sequences"


@dataclass(frozen=True)
class VersionView:
    """What `version_and_active` read: ``own``, the version's sessions; ``active``, the
    version currently scheduled (the highest active one other than this version, else
    this version if it is active, else None); ``previous``, that other version's
    sessions; ``elsewhere``, per session id the highest sequence stored in any other
    version (`save_sessions` takes it instead of reading it again)."""

    own: list[StudySession]
    active: int | None
    previous: list[StudySession]
    elsewhere: dict[str, int]


def key(user_id: int) -> tuple[str, int]:
    """The turn-read key of the user's schedule view (forgotten by writes to schedules)."""
    return ("schedules", user_id)


def lookups(user_id: int) -> list[dict[str, Any]]:
    """Stages for an ``aggregate`` on ``users`` matching ``user_id``: its schedule view
    as two fields, taken off by `take_view` (the active documents, whole; per session id
    the highest sequence and the versions that hold it)."""
    return [
        {
            "$lookup": {
                "from": "schedules",
                "pipeline": [
                    {"$match": {"user_id": user_id, "active": True}},
                    {"$project": {"_id": 0}},
                ],
                "as": ACTIVE_FIELD,
            }
        },
        {
            "$lookup": {
                "from": "schedules",
                "pipeline": [
                    {"$match": {"user_id": user_id}},
                    {
                        "$group": {
                            "_id": "$session_id",
                            "sequence": {"$max": "$sequence"},
                            "versions": {"$addToSet": "$plan_version"},
                        }
                    },
                ],
                "as": SEQUENCES_FIELD,
            }
        },
    ]


def take_view(user: dict[str, Any]) -> dict[str, Any]:
    """Pop `lookups`' fields off an aggregated user document: the view to remember."""
    return {
        "active": list(user.pop(ACTIVE_FIELD, None) or []),
        "sequences": list(user.pop(SEQUENCES_FIELD, None) or []),
    }


async def read_user_and_schedules(store: Store, user_id: int) -> None:
    """For a turn that will store a new plan version: the user's document and their
    schedule view in one ``aggregate``, served to the turn's `Store.get_user` and
    `version_and_active`. MongoDB only (the embedded engine answers a ``$lookup`` by
    scanning); elsewhere each is read when it is needed."""
    if store.engine.kind is not EngineKind.MONGODB:
        return

    async def op() -> dict[tuple[Any, ...], dict[str, Any] | None]:
        pipeline = [
            {"$match": {"user_id": user_id}},
            {"$limit": 1},
            {"$project": {"_id": 0}},
            *lookups(user_id),
        ]
        docs = await (await store.db.users.aggregate(pipeline)).to_list()
        if not docs:
            return {("users", user_id): None}
        user = dict(docs[0])
        view = take_view(user)
        return {("users", user_id): user, key(user_id): view}

    await store.read_together((("users", user_id), key(user_id)), op)


def _from_docs(docs: list[dict[str, Any]], plan_version: int) -> VersionView:
    own = [_to_session(d) for d in docs if d["plan_version"] == plan_version]
    actives = {int(d["plan_version"]) for d in docs if d.get("active")}
    others = actives - {plan_version}
    active = max(others) if others else (plan_version if actives else None)
    previous = [_to_session(d) for d in docs if d["plan_version"] == active != plan_version]
    elsewhere: dict[str, int] = {}
    for doc in docs:
        if doc["plan_version"] != plan_version:
            sid, seq = str(doc["session_id"]), int(doc.get("sequence", 0))
            elsewhere[sid] = max(seq, elsewhere.get(sid, seq))
    return VersionView(own, active, previous, elsewhere)


def _from_lookups(view: dict[str, Any], plan_version: int) -> VersionView | None:
    """The view of a version without documents from `lookups`' answer; None if the
    answer holds documents of ``plan_version`` (its own sessions must be read)."""
    sequences = view["sequences"]
    if any(plan_version in (row.get("versions") or []) for row in sequences):
        return None
    docs = sorted(view["active"], key=lambda d: d["starts_at"])
    actives = {int(d["plan_version"]) for d in docs}
    active = max(actives) if actives else None
    previous = [_to_session(d) for d in docs if d["plan_version"] == active]
    elsewhere = {str(row["_id"]): int(row.get("sequence") or 0) for row in sequences}
    return VersionView([], active, previous, elsewhere)


async def version_and_active(store: Store, user_id: int, plan_version: int) -> VersionView:
    """The user's schedule seen from ``plan_version`` (`VersionView`): from the turn's
    reads (`read_user_and_schedules`, `storage.progress_doc.read_with_user`) where they
    hold it, else every schedule document of the user in one ``find`` (one command: the
    first batch holds them all)."""

    async def read_all() -> list[dict[str, Any]]:
        cursor = store.db.schedules.find({"user_id": user_id}, {"_id": 0})
        return await cursor.sort("starts_at", ASCENDING).batch_size(ONE_BATCH).to_list()

    async def fresh() -> dict[str, Any]:
        return {"docs": await read_all()}

    view = await store.read_once(key(user_id), fresh) or {}
    if "docs" not in view:
        seen = _from_lookups(view, plan_version)
        if seen is not None:
            return seen
        view = {"docs": await store.read(read_all)}
    return _from_docs(view["docs"], plan_version)
