"""A read-only view of a user's `user_progress` document (`storage.progress` writes it),
for replies, never for writes."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage import schedule_view
from storage.engine import EngineKind
from storage.progress import MAX_ACTIVITY, STUDY_KINDS, Activity, done_entry, done_path
from storage.store import Store, as_utc


@dataclass(frozen=True)
class ProgressDoc:
    """A read-only view of one user's progress document (for replies, never for writes)."""

    raw: dict[str, Any]

    def has(self, path: str) -> bool:
        """Whether the dotted field ``path`` is set (e.g. an `announced_path`)."""
        value: Any = self.raw
        for part in path.split("."):
            if not isinstance(value, dict) or part not in value:
                return False
            value = value[part]
        return True

    def with_done(self, activity: Activity, title: str) -> ProgressDoc:
        """This document as `record_done` of ``activity`` would leave it (its completion
        and study event; the minutes' totals are left out): what the completion earns is
        judged from it before it is written."""
        raw = copy.deepcopy(self.raw)
        node = raw
        *parents, leaf = done_path(activity).split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = done_entry(activity, title)
        raw["activity"] = [*(raw.get("activity") or []), activity.doc()][-MAX_ACTIVITY:]
        return ProgressDoc(raw)

    def lineage(self, lineage: str) -> dict[str, Any]:
        return dict((self.raw.get("plans") or {}).get(lineage) or {})

    def done(self, lineage: str) -> dict[str, Activity]:
        """Completions by module id."""
        out: dict[str, Activity] = {}
        for entry in (self.lineage(lineage).get("done") or {}).values():
            if isinstance(entry, dict) and entry.get("module_id") and entry.get("at"):
                activity = Activity.from_doc({**entry, "kind": "done", "plan": lineage})
                out[str(entry["module_id"])] = activity
        return out

    def last_activity_at(self) -> datetime | None:
        """When the user last studied (`storage.reminders.last_activity_at`)."""
        value = self.raw.get("last_activity_at")
        return as_utc(value) if isinstance(value, datetime) else None

    def minutes_by_key(self, lineage: str) -> dict[str, int]:
        return {k: int(v) for k, v in (self.lineage(lineage).get("minutes") or {}).items()}

    def minutes_by_week(self, lineage: str) -> dict[int, int]:
        weeks = self.lineage(lineage).get("weeks") or {}
        return {int(k[1:]): int(v) for k, v in weeks.items() if k[1:].isdigit()}

    def minutes_total(self, lineage: str) -> int:
        return int(self.lineage(lineage).get("minutes_total") or 0)

    def quiz_scores(self, lineage: str) -> dict[int, tuple[int, int]]:
        """Week number → (correct, answered): a retaken quiz replaces the earlier answers,
        so a week counts the answers of its latest quiz (batch of polls) that has any."""
        quiz = self.lineage(lineage).get("quiz") or {}
        scores = {
            int(k[1:]): (int(v.get("correct", 0)), int(v.get("answered", 0)))
            for k, v in quiz.items()
            if k[1:].isdigit() and isinstance(v, dict)
        }
        batches: dict[tuple[int, str], list[dict[str, Any]]] = {}
        for poll in (self.raw.get("polls") or {}).values():
            if not isinstance(poll, dict) or poll.get("plan") != lineage:
                continue
            if poll.get("correct_index") is None or not isinstance(poll.get("answer"), dict):
                continue
            batches.setdefault((int(poll.get("week", 0)), str(poll.get("batch"))), []).append(poll)
        latest: dict[int, tuple[tuple[str, int], list[dict[str, Any]]]] = {}
        for order, ((week, _batch), polls) in enumerate(batches.items()):
            key = (min(str(q.get("sent_at") or "") for q in polls), order)
            if week not in latest or key > latest[week][0]:
                latest[week] = (key, polls)
        for week, (_sent, polls) in latest.items():
            scores[week] = (sum(1 for q in polls if q["answer"].get("correct")), len(polls))
        return scores

    def self_ratings(self, lineage: str) -> dict[int, tuple[int, int]]:
        """Week number → (sum of ratings, count)."""
        ratings = self.lineage(lineage).get("self_rating") or {}
        return {
            int(k[1:]): (int(v.get("sum", 0)), int(v.get("count", 0)))
            for k, v in ratings.items()
            if k[1:].isdigit() and isinstance(v, dict)
        }

    def announced(self, lineage: str) -> set[str]:
        return set((self.lineage(lineage).get("announced") or {}).keys())

    def activity(self) -> list[Activity]:
        return [
            Activity.from_doc(a)
            for a in self.raw.get("activity") or []
            if isinstance(a, dict) and a.get("at") and a.get("kind") in STUDY_KINDS
        ]

    def study_events(self) -> list[tuple[datetime, str]]:
        """(UTC instant, zone in force) of every study event, for `agent.progress.study_days`."""
        return [(a.at, a.tz) for a in self.activity()]

    def find_activity(self, activity_id: str) -> Activity | None:
        return next((a for a in self.activity() if a.id == activity_id), None)

    def last_action(self) -> dict[str, Any] | None:
        """The last progress action, with its "at" as an aware UTC datetime."""
        action = self.raw.get("last_action")
        if not isinstance(action, dict) or not isinstance(action.get("at"), datetime):
            return None
        return {**action, "at": as_utc(action["at"])}

    def longest_streak(self) -> int:
        return int(self.raw.get("longest_streak") or 0)

    def batch_polls(self, batch: str) -> list[dict[str, Any]]:
        return [
            dict(p)
            for p in (self.raw.get("polls") or {}).values()
            if isinstance(p, dict) and p.get("batch") == batch
        ]


async def load_progress(store: Store, user_id: int) -> ProgressDoc:
    """The user's progress; read once per turn until the turn's next other storage call
    (`Store.read_once`)."""

    async def op() -> dict[str, Any] | None:
        return await store.db.user_progress.find_one({"user_id": user_id}, {"_id": 0})

    return ProgressDoc(dict(await store.read_once(("user_progress", user_id), op) or {}))


async def read_with_user(store: Store, user_id: int) -> None:
    """For a turn that needs both (a progress turn): the user's document and their
    progress in one read, served to the turn's `Store.get_user` and `load_progress`
    (`Store.read_together`). On MongoDB one ``aggregate`` with a ``$lookup``; the
    embedded engine answers a ``$lookup`` by scanning every progress document, so there
    (where a read is no round trip) each is read on its own when it is needed.

    The same read brings the user's schedule view (`storage.schedule_view.lookups`): a
    refinement's turn reads it here, and scheduling the new version takes it from the
    turn's reads instead of reading the schedules again."""
    if store.engine.kind is not EngineKind.MONGODB:
        return

    async def op() -> dict[tuple[Any, ...], dict[str, Any] | None]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"user_id": user_id}},
            {"$limit": 1},
            {"$project": {"_id": 0}},
            {
                "$lookup": {
                    "from": "user_progress",
                    "localField": "user_id",
                    "foreignField": "user_id",
                    "as": "_progress",
                }
            },
            *schedule_view.lookups(user_id),
        ]
        docs = await (await store.db.users.aggregate(pipeline)).to_list()
        if not docs:
            return {("users", user_id): None}
        user = dict(docs[0])
        found = user.pop("_progress", None) or [None]
        progress = None if found[0] is None else {k: v for k, v in found[0].items() if k != "_id"}
        view = schedule_view.take_view(user)
        return {
            ("users", user_id): user,
            ("user_progress", user_id): progress,
            schedule_view.key(user_id): view,
        }

    keys = (("users", user_id), ("user_progress", user_id), schedule_view.key(user_id))
    await store.read_together(keys, op)
