"""`reconcile_user` without reading the stored reminders first: one ordered batch of
conditional writes whose filters carry what the read would have decided.

`scheduler.reminders.reconcile_user` reads the user's pending and cancelled reminders,
compares them with `desired_reminders` and writes each difference as a compare-and-set.
When a plan version has just become the scheduled one (``superseding``), every write
it could make is instead sent at once, each guarded by the state it changes:

* the other versions' pending session reminders are cancelled ("superseded");
* per wanted reminder, in this order: revived if it is cancelled; moved (due time and
  payload) if it is pending, not snoozed, due at another time and not both it and the
  wanted time already past; inserted if it is absent (an upsert that only inserts);
* the pending reminders of the reconciled kinds that are not wanted are cancelled with
  `obsolete_reason`'s reason: "off" with reminders off; "superseded" where their
  session or rule is gone; otherwise, unless snoozed or already due, "paused" when due
  inside a pause, else "superseded".

A write whose guard fails does nothing, so the batch does what the read-then-write did,
and a reminder a dispatcher has claimed meanwhile (no longer pending) is left alone, as
its compare-and-set would have been. Running it twice changes nothing the second time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import UpdateMany, UpdateOne

from scheduler.reminders import RECONCILED_KINDS, UserFacts
from storage.reminders import CANCELLED, PENDING, due_fields


def _cancel(reason: str) -> dict[str, Any]:
    return {"$set": {"status": CANCELLED, "cancel_reason": reason}, "$inc": {"rev": 1}}


def _wanted(desired: dict[str, dict[str, Any]], now: datetime) -> list[UpdateOne]:
    writes: list[UpdateOne] = []
    for reminder_id, want in desired.items():
        due = want["due_at"]
        revive = {
            **due_fields(due),
            "status": PENDING,
            "cancel_reason": None,
            "attempts": 0,
            "payload": want["payload"],
        }
        writes.append(
            UpdateOne(
                {"reminder_id": reminder_id, "status": CANCELLED},
                {"$set": revive, "$inc": {"rev": 1}},
            )
        )
        other_time: dict[str, Any] = {"$ne": due}
        if due <= now:
            other_time["$gt"] = now  # both past: left for the dispatcher
        writes.append(
            UpdateOne(
                {
                    "reminder_id": reminder_id,
                    "status": PENDING,
                    "snoozed": {"$ne": True},
                    "due_at": other_time,
                },
                {"$set": {**due_fields(due), "payload": want["payload"]}, "$inc": {"rev": 1}},
            )
        )
        writes.append(UpdateOne({"reminder_id": reminder_id}, {"$setOnInsert": want}, upsert=True))
    return writes


def _source_gone(facts: UserFacts) -> list[dict[str, Any]]:
    """Filters of the pending reminders whose session or rule no longer exists as it was
    (`scheduler.reminders._source_gone`)."""
    planned = [
        {"version": facts.version, "session_id": s.session_id, "sequence": s.sequence}
        for s in facts.sessions
        if s.status == "planned"
    ]
    session: dict[str, Any] = {"kind": "session"}
    if planned:
        session["$nor"] = planned
    gone = [session, {"kind": "custom", "rule_id": {"$nin": [r.id for r in facts.settings.custom]}}]
    if facts.version is None:
        gone.append({"kind": {"$nin": ["session", "custom"]}})
    return gone


def _obsolete(
    facts: UserFacts, desired: dict[str, dict[str, Any]], now: datetime
) -> list[UpdateMany]:
    base = {
        "user_id": facts.user_id,
        "status": PENDING,
        "kind": {"$in": list(RECONCILED_KINDS)},
        "reminder_id": {"$nin": list(desired)},
    }
    settings = facts.settings
    if not settings.enabled:
        return [UpdateMany(base, _cancel("off"))]
    writes = [UpdateMany({**base, "$or": _source_gone(facts)}, _cancel("superseded"))]
    ahead = {**base, "snoozed": {"$ne": True}}
    if settings.paused_until is not None:
        paused = {"$gt": now, "$lt": settings.paused_until}
        writes.append(UpdateMany({**ahead, "due_at": paused}, _cancel("paused")))
    writes.append(UpdateMany({**ahead, "due_at": {"$gt": now}}, _cancel("superseded")))
    return writes


def reconcile_writes(
    facts: UserFacts, desired: dict[str, dict[str, Any]], now: datetime, *, superseding: int
) -> list[UpdateOne | UpdateMany]:
    """The batch, in order (module docstring)."""
    cancel_others = {
        "user_id": facts.user_id,
        "status": PENDING,
        "kind": "session",
        "version": {"$ne": superseding},
    }
    writes: list[UpdateOne | UpdateMany] = [UpdateMany(cancel_others, _cancel("superseded"))]
    writes.extend(_wanted(desired, now))
    writes.extend(_obsolete(facts, desired, now))
    return writes
