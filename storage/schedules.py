"""The `schedules` collection: a plan version's study sessions, stored in UTC.

One document per (user_id, plan_version, session_id). Replacing a version's
timetable upserts each session and bumps `sequence` only when its times or status
change, so calendar exports keep stable UIDs and a rising SEQUENCE.

Calendar UIDs carry the session id but not the plan version, and session ids repeat
across versions ("w1m2-p1" exists in every refinement). So the sequence of a session
id must rise across versions too: a session that shows up in a version that does not
already hold its highest sequence (a new version after a refinement, or an older one
restored by undo) starts one above the highest sequence that session id ever had for
the user, in any version (see `save_sessions`). When a re-save drops a session from
a version, its last sequence is kept on the users document under
``retired_session_sequences`` (keyed by the hex of the session id, which is always a
valid field name), so the session id can never come back lower either.

Besides the `StudySession` fields a document carries ``ends_bucket`` (the UTC hour
of ``ends_at``, so "sessions that just ended" is a hash-index lookup on the embedded
engine too), ``anchor`` (the plan's start date the weekly budget windows count
from) and ``active`` (true only for the user's currently scheduled version, so old
versions' sessions are never taken for missed ones).

Statuses: ``planned`` → ``done`` (progress), ``skipped`` (the user skipped it) or
``missed`` (it passed with neither and could not be moved). Every status change is
a guarded update, never a read-modify-write (`storage.session_status`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, UpdateMany, UpdateOne

from storage.models import StudySession
from storage.store import Db, Store, as_utc

BUCKET_SECONDS = 3600
SESSION_STATUSES = ("planned", "done", "skipped", "missed")


def _to_session(doc: dict[str, Any]) -> StudySession:
    doc = {k: v for k, v in doc.items() if k in StudySession.model_fields}
    doc["starts_at"] = as_utc(doc["starts_at"])
    doc["ends_at"] = as_utc(doc["ends_at"])
    return StudySession.model_validate(doc)


def hour_bucket(instant: datetime) -> int:
    return int(as_utc(instant).timestamp() // BUCKET_SECONDS)


async def list_sessions(store: Store, user_id: int, plan_version: int) -> list[StudySession]:
    async def op() -> list[dict[str, Any]]:
        cursor = store.db.schedules.find(
            {"user_id": user_id, "plan_version": plan_version}, {"_id": 0}
        ).sort("starts_at", ASCENDING)
        return await cursor.to_list()

    return [_to_session(d) for d in await store.run(op)]


async def removed_sessions(store: Store, user_id: int, plan_version: int) -> list[StudySession]:
    """Sessions the user's calendar may have shown that ``plan_version`` no longer has:
    for each such session id, its document from the latest other version, with the
    highest sequence that id ever had (other versions and retired ones) — the export
    shows it cancelled one above that. Once shown (`remember_shown`), that cancellation
    keeps its sequence, so exporting again gives the same event."""

    async def op() -> tuple[list[dict[str, Any]], dict[str, int], dict[str, Any]]:
        db = store.db
        keep = await db.schedules.distinct(
            "session_id", {"user_id": user_id, "plan_version": plan_version}
        )
        cursor = db.schedules.find(
            {"user_id": user_id, "plan_version": {"$ne": plan_version}}, {"_id": 0}
        ).sort("plan_version", ASCENDING)
        latest = {str(d["session_id"]): d async for d in cursor if d["session_id"] not in keep}
        highest = await _highest_elsewhere(db, user_id, plan_version, list(latest))
        user = await db.users.find_one({"user_id": user_id}, {"_id": 0, SHOWN_FIELD: 1}) or {}
        return list(latest.values()), highest, dict(user.get(SHOWN_FIELD) or {})

    docs, highest, shown = await store.run(op)
    out = []
    for doc in docs:
        session = _to_session(doc)
        cancelled = shown.get(_retired_name(session.session_id))
        top = max(session.sequence, highest.get(session.session_id, 0))
        if isinstance(cancelled, int) and cancelled >= top:
            top = cancelled - 1  # shown cancelled before: the same event again
        out.append(session.model_copy(update={"sequence": top}))
    return sorted(out, key=lambda s: (s.starts_at, s.session_id))


async def remember_shown(store: Store, user_id: int, sequences: dict[str, int]) -> None:
    """Record sequences a calendar export showed for sessions outside the active version
    (cancelled events), so the session id never comes back lower (see `save_sessions`)."""
    if not sequences:
        return
    fields = {f"{SHOWN_FIELD}.{_retired_name(sid)}": seq for sid, seq in sequences.items()}
    await store.run(store.db.users.update_one, {"user_id": user_id}, {"$max": fields})


async def get_session(
    store: Store, user_id: int, plan_version: int, session_id: str
) -> StudySession | None:
    doc = await store.run(
        store.db.schedules.find_one,
        {"user_id": user_id, "plan_version": plan_version, "session_id": session_id},
        {"_id": 0},
    )
    return None if doc is None else _to_session(doc)


RETIRED_FIELD = "retired_session_sequences"
SHOWN_FIELD = "cancelled_session_sequences"
"""Sequences calendar exports showed for sessions as cancelled (see `remember_shown`)."""


def _retired_name(session_id: str) -> str:
    """A session id's field name under ``RETIRED_FIELD`` (ids may hold "." or "$")."""
    return session_id.encode().hex()


async def _highest_elsewhere(
    db: Db,
    user_id: int,
    plan_version: int,
    session_ids: list[str],
    user: dict[str, Any] | None = None,
    stored: dict[str, int] | None = None,
) -> dict[str, int]:
    """Per session id, the highest sequence the user's calendar may have shown for it
    outside ``plan_version``'s documents: other versions' documents (``stored``, when
    the caller has read them: `VersionView.elsewhere`) and retired ones (read from
    ``user``, the user's document, when the caller has it)."""
    highest: dict[str, int] = {}
    if stored is not None:
        highest = {sid: stored[sid] for sid in session_ids if sid in stored}
    else:
        cursor = db.schedules.find(
            {
                "user_id": user_id,
                "plan_version": {"$ne": plan_version},
                "session_id": {"$in": session_ids},
            },
            {"_id": 0, "session_id": 1, "sequence": 1},
        )
        async for doc in cursor:
            sid, seq = str(doc["session_id"]), int(doc.get("sequence", 0))
            highest[sid] = max(seq, highest.get(sid, seq))
    if user is None:
        user = await db.users.find_one(
            {"user_id": user_id}, {"_id": 0, RETIRED_FIELD: 1, SHOWN_FIELD: 1}
        )
    for field in (RETIRED_FIELD, SHOWN_FIELD):
        retired: dict[str, Any] = (user or {}).get(field) or {}
        for sid in session_ids:
            seq = retired.get(_retired_name(sid))
            if isinstance(seq, int) and not isinstance(seq, bool):
                highest[sid] = max(seq, highest.get(sid, seq))
    return highest


async def _retire_dropped(db: Db, user_id: int, plan_version: int, keep: list[str]) -> None:
    """Delete the version's sessions not in ``keep``, remembering their sequences.

    Each document is removed with `find_one_and_delete`, so the sequence remembered is
    the one it had when it went, and the users document only ever takes a higher one
    (``$max``). Without a users document (bare storage tests) nothing is remembered.
    """
    dropped: dict[str, int] = {}
    query = {"user_id": user_id, "plan_version": plan_version, "session_id": {"$nin": keep}}
    while (
        doc := await db.schedules.find_one_and_delete(query, {"session_id": 1, "sequence": 1})
    ) is not None:
        key = f"{RETIRED_FIELD}.{_retired_name(str(doc['session_id']))}"
        dropped[key] = max(int(doc.get("sequence", 0)), dropped.get(key, 0))
    if dropped:
        await db.users.update_one({"user_id": user_id}, {"$max": dropped})


def _session_writes(
    session: StudySession,
    user_id: int,
    plan_version: int,
    now: datetime,
    anchor: date | None,
    elsewhere: dict[str, int],
) -> list[UpdateOne]:
    """One session's updates, applied in order in one batch: raise the sequence above
    the highest seen elsewhere (if any); else bump it if the times or status differ;
    then set the fields (inserting the session with its first sequence if missing).
    Each filter only lets the sequence rise, and a later update of the three finds
    the document as an earlier one left it, so a step that has nothing to do is a
    no-op: the batch does what "try each until one applies" did, in one command."""
    key = {"user_id": user_id, "plan_version": plan_version, "session_id": session.session_id}
    fields: dict[str, Any] = {
        **session.model_dump(exclude={"sequence"}),
        "ends_bucket": hour_bucket(session.ends_at),
        "updated_at": now,
    }
    if anchor is not None:
        fields["anchor"] = anchor.isoformat()
    first = session.sequence
    writes: list[UpdateOne] = []
    seen = elsewhere.get(session.session_id)
    if seen is not None:
        first = max(first, seen + 1)
        writes.append(
            UpdateOne({**key, "sequence": {"$lt": first}}, {"$set": {**fields, "sequence": first}})
        )
    differs = {
        "$or": [
            {"starts_at": {"$ne": session.starts_at}},
            {"ends_at": {"$ne": session.ends_at}},
            {"status": {"$ne": session.status}},
        ]
    }
    writes.append(UpdateOne({**key, **differs}, {"$set": fields, "$inc": {"sequence": 1}}))
    writes.append(
        UpdateOne(
            key,
            {"$set": fields, "$setOnInsert": {"created_at": now, "sequence": first}},
            upsert=True,
        )
    )
    return writes


def _ms(instant: datetime) -> datetime:
    """``instant`` in UTC as stored: BSON datetimes keep milliseconds."""
    instant = as_utc(instant)
    return instant.replace(microsecond=instant.microsecond // 1000 * 1000)


def stored_sequence(session: StudySession, old: StudySession | None, seen: int | None) -> int:
    """The sequence `_session_writes` leaves on ``session``'s document, given the
    version's document before (``old``) and the highest sequence elsewhere (``seen``)."""
    first = session.sequence if seen is None else max(session.sequence, seen + 1)
    if old is None:
        return first
    if seen is not None and old.sequence < first:
        return first
    same = (_ms(old.starts_at), _ms(old.ends_at), old.status) == (
        _ms(session.starts_at),
        _ms(session.ends_at),
        session.status,
    )
    return old.sequence if same else old.sequence + 1


def _activation(user_id: int, plan_version: int) -> list[UpdateMany]:
    """`activate_schedule`'s two writes, in its order, for a batch."""
    return [
        UpdateMany(
            {"user_id": user_id, "plan_version": plan_version, "active": {"$ne": True}},
            {"$set": {"active": True}},
        ),
        UpdateMany(
            {"user_id": user_id, "plan_version": {"$ne": plan_version}, "active": True},
            {"$set": {"active": False}},
        ),
    ]


async def save_sessions(
    store: Store,
    user_id: int,
    plan_version: int,
    sessions: list[StudySession],
    *,
    anchor: date | None = None,
    existing: list[StudySession] | None = None,
    user: dict[str, Any] | None = None,
    elsewhere: dict[str, int] | None = None,
    activate: bool = False,
) -> list[StudySession]:
    """Store a version's sessions; returns them with the sequence numbers as stored.

    Sessions of the version that are not in ``sessions`` are deleted. The sequence of a
    session id never goes down for the user, whichever version is exported:

    * If the session id has a sequence elsewhere (another version's document or a
      retired one) and this version's document is missing or not above it, the
      session is stored with one more than the highest sequence elsewhere (at least
      its own ``sequence``). The bump is unconditional, even when the times are
      unchanged: the event's title and description come from the version's module,
      which a refinement may have changed or replaced under the same id, and the only
      cost is one extra update in a calendar app.
    * Otherwise this version holds the highest sequence (or the id is new to the
      user): a stored session whose times or status differ gets ``sequence + 1``, an
      unchanged one keeps it (saving a version twice changes nothing the second
      time), and a new one keeps its own ``sequence``.

    Every write is a single-document update whose filter only lets the sequence rise
    (``sequence < target`` before setting ``target``, or ``$inc``), all sent as one
    ordered ``bulk_write``. The highest sequence elsewhere is read first; a concurrent
    write to another version's document in between (another coroutine, or another
    instance on a shared MongoDB) can at worst leave a tie, never a lower sequence.
    One chat's turns never run at once, so that takes two writers outside the
    conversation.

    What the caller has already read spares reads: ``existing`` (the version's stored
    sessions, read in this turn) gives the result without reading it back and says
    whether any session is to be deleted; ``user`` (the user's document) holds the
    retired sequences; ``elsewhere`` (`VersionView.elsewhere`, read in this turn) the
    other versions' sequences. ``activate`` then also makes the version the scheduled one
    (`activate_schedule`, in its order, after the sessions are stored); with nothing
    to delete that goes in the same batch.
    """
    now = store.clock()
    keep = [s.session_id for s in sessions]
    dropping = existing is None or any(s.session_id not in set(keep) for s in existing)
    seen: dict[str, int] = {}

    async def op() -> None:
        db = store.db
        seen.update(await _highest_elsewhere(db, user_id, plan_version, keep, user, elsewhere))
        writes: list[UpdateOne | UpdateMany] = []
        for session in sessions:
            writes.extend(_session_writes(session, user_id, plan_version, now, anchor, seen))
        if activate and not dropping:
            writes.extend(_activation(user_id, plan_version))
        if writes:
            await db.schedules.bulk_write(writes, ordered=True)
        if dropping:
            await _retire_dropped(db, user_id, plan_version, keep)
            if activate:
                await db.schedules.bulk_write(_activation(user_id, plan_version), ordered=True)

    await store.run(op)
    if existing is None:
        return await list_sessions(store, user_id, plan_version)
    before = {s.session_id: s for s in existing}
    stored = [
        s.model_copy(
            update={
                "starts_at": _ms(s.starts_at),
                "ends_at": _ms(s.ends_at),
                "sequence": stored_sequence(s, before.get(s.session_id), seen.get(s.session_id)),
            }
        )
        for s in sessions
    ]
    return sorted(stored, key=lambda s: s.starts_at)


async def anchor_of(store: Store, user_id: int, plan_version: int) -> date | None:
    doc = await store.run(
        store.db.schedules.find_one,
        {"user_id": user_id, "plan_version": plan_version, "anchor": {"$exists": True}},
        {"anchor": 1},
    )
    return None if doc is None else date.fromisoformat(str(doc["anchor"]))
