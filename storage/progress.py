"""The `user_progress` collection: one document per user, changed only by atomic updates.

Every change is a single ``update_one`` whose filter carries its own guard (for example
"this module is not done yet"), so two identical messages handled at the same moment — in
one process or in two instances sharing a MongoDB — count once: ``modified_count`` says
whether this call was the one that counted. Nothing here reads a value, changes it in
Python and writes it back.

Progress belongs to a plan *lineage*: the version created by intake (/newplan) and every
refinement of it. Refinements keep module ids, so "w1m2 done" survives "make week 2
lighter"; a new plan from /newplan starts fresh, and undoing back into an older lineage
brings its progress back. A lineage is named ``p<version that started it>``.

Document layout (all datetimes UTC)::

    user_id, created_at
    last_activity_at          latest study activity (reminder nudges read it)
    longest_streak            kept with $max, so it outlives the capped activity list
    last_action               {kind, id, plan, module_id, week, minutes, at}: what "undo" reverts
    activity[]                study events, newest last, capped at MAX_ACTIVITY:
                              {id, kind: done|partial|log|quiz, plan, module_id, week,
                               minutes, at, tz}; tz is the IANA zone in force at that moment
    freezes.<YYYY-MM-DD>      streak freezes the user was told about
    polls.<poll id>           {plan, version, week, index, correct_index, option_count,
                               batch, count, sent_at, answer: {option, correct, at}}
    plans.<lineage>.
        done.<module key>     {id, module_id, title, week, minutes, at, tz}
        minutes.<module key>  minutes spent per module
        weeks.w<n>            minutes spent per plan week
        minutes_total         minutes spent on the plan (incl. time logged to no module)
        quiz.w<n>             {answered, correct} over graded quiz answers
        self_rating.w<n>      {count, sum} of self-assessment answers (1–5), not graded
        announced.<name>      achievements, milestones (ms_<week>) and finished quizzes
                              (quiz_<batch>) already announced — each exactly once

User input never becomes a field path: module ids, poll ids, lineages and names are
checked against strict patterns first (`FieldError` otherwise).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from storage.models import Goal, Plan
from storage.store import PLAN_HEADS, Db, Store, as_utc, create_index

MAX_ACTIVITY = 5000
STUDY_KINDS = frozenset({"done", "partial", "log", "quiz"})

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_POLL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LINEAGE = re.compile(r"^p[0-9]{1,9}$")
_ACTIVITY_ID = re.compile(r"^[0-9a-f]{12}$")


class FieldError(ValueError):
    """A value that would have become part of a field path is not safe."""


def _checked(pattern: re.Pattern[str], value: object, what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise FieldError(f"unsafe {what}: {value!r}")
    return value


def module_key(module_id: str) -> str:
    """The field name under which a module's progress is kept.

    Plan module ids look like "w1m2" and are used as they are; any other id (an LLM could
    produce one) is replaced by a stable hash so that it can never form a field path.
    """
    if isinstance(module_id, str) and _SAFE_KEY.fullmatch(module_id):
        return module_id
    return "h" + hashlib.sha256(str(module_id).encode()).hexdigest()[:16]


def is_safe_key(value: str) -> bool:
    return bool(_SAFE_KEY.fullmatch(value))


def new_activity_id() -> str:
    return uuid.uuid4().hex[:12]


async def ensure_progress_indexes(db: Db) -> None:
    """Idempotent: one progress document per user (the guards rely on it)."""
    await create_index(db.user_progress, [("user_id", ASCENDING)], unique=True)


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class PlanContext:
    """The user's active plan and what progress needs to know around it."""

    version: int
    plan: Plan
    goal: Goal
    lineage: str
    latest_plan_change: datetime
    timezone: str
    last_reminded_module: str | None
    # When the lineage's root version was created (the plan's start, for the chart).
    started_at: datetime | None = None


async def _plan_heads(store: Store, user_id: int) -> list[dict[str, Any]]:
    """Every stored version's head: version, note, created_at."""
    return await store.db.learning_plans.find(
        {"user_id": user_id}, {"_id": 0, "version": 1, "note": 1, "created_at": 1}
    ).to_list()


def _root_in(heads: list[dict[str, Any]], version: int) -> dict[str, Any] | None:
    """The lineage's root among ``heads``: the newest "created" version up to ``version``."""
    roots = [h for h in heads if h.get("note") == "created" and int(h["version"]) <= version]
    return max(roots, key=lambda h: int(h["version"]), default=None)


def listed_lineage(user: dict[str, Any], version: int) -> str | None:
    """``version``'s lineage from the heads listed on the user's document (`PLAN_HEADS`),
    or None when its root is not listed there (`plan_context` then reads every head)."""
    root = _root_in([h for h in user.get(PLAN_HEADS) or [] if isinstance(h, dict)], version)
    return None if root is None else f"p{int(root['version'])}"


async def plan_context(
    store: Store, user_id: int, *, user: dict[str, Any] | None = None
) -> PlanContext | None:
    """The active plan, its lineage, the time of the newest plan version, the user's zone
    (users.timezone, else the plan's, else UTC) and the module of the latest reminder.
    ``user``: the user's document, if the caller has read it in this turn."""
    known = user

    async def op() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None, datetime] | None:
        user = known if known is not None else await store.get_user(user_id)
        if not user or not user.get("active_plan_version"):
            return None
        version = int(user["active_plan_version"])
        doc = await store.plan_doc(user_id, version, user=user)
        if doc is None:
            return None
        # The versions' heads: the lineage's root (the newest "created" version up to
        # this one) and the newest change. The user's document lists the latest ones
        # (`PLAN_HEADS`); where the root is not among them, every version's, in one read.
        heads = [h for h in user.get(PLAN_HEADS) or [] if isinstance(h, dict)]
        root = _root_in(heads, version)
        if root is None:
            heads = await store.read(_plan_heads, store, user_id)
            root = _root_in(heads, version)
        dated = [h for h in heads if isinstance(h.get("created_at"), datetime)]
        newest = max(dated, key=lambda h: as_utc(h["created_at"]), default=None)
        return user, doc, root, as_utc((newest or doc)["created_at"])

    found = await op()
    if found is None:
        return None
    user, doc, root, changed = found
    root_version = int(root["version"]) if root else 1
    started = root.get("created_at") if root else None
    goal = Goal.model_validate(doc["goal"])
    reminded = user.get("last_reminded_module")
    return PlanContext(
        version=int(doc["version"]),
        plan=Plan.model_validate(doc["plan"]),
        goal=goal,
        lineage=f"p{root_version}",
        latest_plan_change=changed,
        timezone=str(user.get("timezone") or goal.timezone or "UTC"),
        last_reminded_module=reminded if isinstance(reminded, str) else None,
        started_at=as_utc(started) if isinstance(started, datetime) else None,
    )


# --------------------------------------------------------------------------- activity


@dataclass(frozen=True)
class Activity:
    """One study event as stored in `activity` (and, for "done", in `done.<module>`)."""

    kind: str
    plan: str
    at: datetime
    tz: str
    module_id: str | None = None
    week: int | None = None
    minutes: int = 0
    id: str = field(default_factory=new_activity_id)

    def doc(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "plan": self.plan,
            "module_id": self.module_id,
            "week": self.week,
            "minutes": self.minutes,
            "at": self.at,
            "tz": self.tz,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Activity:
        week = doc.get("week")
        return cls(
            kind=str(doc.get("kind")),
            plan=str(doc.get("plan")),
            at=as_utc(doc["at"]),
            tz=str(doc.get("tz") or "UTC"),
            module_id=doc.get("module_id"),
            week=int(week) if week is not None else None,
            minutes=int(doc.get("minutes") or 0),
            id=str(doc.get("id")),
        )


def _base(lineage: str) -> str:
    return f"plans.{_checked(_LINEAGE, lineage, 'lineage')}"


def _spent(activity: Activity, sign: int = 1) -> dict[str, int]:
    """The $inc that adds (or with sign=-1 removes) an activity's minutes to the totals."""
    base = _base(activity.plan)
    minutes = sign * activity.minutes
    inc = {f"{base}.minutes_total": minutes}
    if activity.module_id is not None:
        inc[f"{base}.minutes.{module_key(activity.module_id)}"] = minutes
    if activity.week is not None:
        inc[f"{base}.weeks.w{int(activity.week)}"] = minutes
    return inc


def _last_action(activity: Activity) -> dict[str, Any]:
    return {
        "kind": activity.kind,
        "id": activity.id,
        "plan": activity.plan,
        "module_id": activity.module_id,
        "week": activity.week,
        "minutes": activity.minutes,
        "at": activity.at,
    }


def _push(activity: Activity) -> dict[str, Any]:
    return {"activity": {"$each": [activity.doc()], "$slice": -MAX_ACTIVITY}}


async def _upsert_once(
    store: Store,
    user_id: int,
    guard: dict[str, Any],
    update: dict[str, Any],
    *,
    returning: bool = False,
) -> bool:
    """Apply ``update`` to the user's progress document if it matches ``guard``,
    creating the document if it is missing: one command. True if this call applied it.

    Where the document exists but fails the guard, the upsert's insert collides with
    the unique ``user_id`` index: that is "already applied" (the guard's work is done),
    not an error. ``returning``: the document as the update left it comes back with the
    answer and serves the turn's next `load_progress`."""
    update = {**update, "$setOnInsert": {"created_at": store.clock()}}
    query = {"user_id": user_id, **guard}
    collection = store.db.user_progress
    try:
        if returning:
            doc = await store.run(
                collection.find_one_and_update,
                query,
                update,
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        else:
            result = await store.run(collection.update_one, query, update, upsert=True)
    except DuplicateKeyError:
        return False
    if returning:
        if doc is None:
            return False
        store.remember(("user_progress", user_id), doc)
        return True
    return result.modified_count == 1 or result.upserted_id is not None


def done_path(activity: Activity) -> str:
    assert activity.module_id is not None
    return f"{_base(activity.plan)}.done.{module_key(activity.module_id)}"


def done_entry(activity: Activity, title: str) -> dict[str, Any]:
    """What `record_done` stores under `done_path`."""
    return {
        "id": activity.id,
        "module_id": activity.module_id,
        "title": title,
        "week": activity.week,
        "minutes": activity.minutes,
        "at": activity.at,
        "tz": activity.tz,
    }


def _done_update(activity: Activity, title: str) -> dict[str, Any]:
    return {
        "$set": {
            done_path(activity): done_entry(activity, title),
            "last_action": _last_action(activity),
        },
        "$inc": _spent(activity),
        "$push": _push(activity),
        "$max": {"last_activity_at": activity.at},
    }


async def record_done(store: Store, user_id: int, activity: Activity, title: str) -> bool:
    """Mark `activity.module_id` done in its lineage. False when it already was done:
    the guard makes concurrent duplicates count once."""
    assert activity.kind == "done" and activity.module_id is not None
    guard = {done_path(activity): {"$exists": False}}
    return await _upsert_once(store, user_id, guard, _done_update(activity, title), returning=True)


async def record_done_telling(
    store: Store,
    user_id: int,
    activity: Activity,
    title: str,
    *,
    once: list[str],
    longest: int = 0,
) -> frozenset[str] | None:
    """`record_done` that in the same command marks what the completion earns: ``once``,
    field paths of announcements (`announced_path`, `freeze_path`) each set only where
    absent, and ``longest``, the longest streak (``$max``; 0: leave it). Returns the
    paths this call set — the caller tells those, each exactly once — or None when the
    module already was done.

    The paths' "absent" guards join the completion's in the filter, so of two turns
    (or instances) earning one announcement only one sets it. Should one of them be
    set already (the caller's read was stale), the completion is recorded alone in a
    second command and nothing of ``once`` is claimed: the caller announces what is
    left one by one (`mark_once`)."""
    assert activity.kind == "done" and activity.module_id is not None
    guard: dict[str, Any] = {done_path(activity): {"$exists": False}}
    update = _done_update(activity, title)
    if longest > 0:
        update["$max"]["longest_streak"] = int(longest)
    if once:
        now = store.clock()
        claimed = {**guard, **{path: {"$exists": False} for path in once}}
        telling = {**update, "$set": {**update["$set"], **{path: now for path in once}}}
        if await _upsert_once(store, user_id, claimed, telling, returning=True):
            return frozenset(once)
    if await _upsert_once(store, user_id, guard, update, returning=True):
        return frozenset()
    return None


async def record_work(store: Store, user_id: int, activity: Activity) -> None:
    """Record partial work or logged time (counted every time it is sent)."""
    assert activity.kind in {"partial", "log"}
    await _upsert_once(
        store,
        user_id,
        {},
        {
            "$set": {"last_action": _last_action(activity)},
            "$inc": _spent(activity),
            "$push": _push(activity),
            "$max": {"last_activity_at": activity.at},
        },
        returning=True,
    )


def _undo_action(activity: Activity, now: datetime) -> dict[str, Any]:
    return {"kind": "undo", "id": activity.id, "plan": activity.plan, "at": now}


async def revert_done(store: Store, user_id: int, entry: Activity, now: datetime) -> bool:
    """Un-mark a completion, only if it is still exactly `entry` (same activity id):
    its minutes leave the totals and its study event leaves the activity."""
    assert entry.module_id is not None
    _checked(_ACTIVITY_ID, entry.id, "activity id")
    path = f"{_base(entry.plan)}.done.{module_key(entry.module_id)}"
    result = await store.run(
        store.db.user_progress.update_one,
        {"user_id": user_id, f"{path}.id": entry.id},
        {
            "$unset": {path: ""},
            "$inc": _spent(entry, -1),
            "$pull": {"activity": {"id": entry.id}},
            "$set": {"last_action": _undo_action(entry, now)},
        },
    )
    return result.modified_count == 1


async def revert_work(store: Store, user_id: int, activity: Activity, now: datetime) -> bool:
    """Take back partial work or logged time, only while its activity is still stored."""
    _checked(_ACTIVITY_ID, activity.id, "activity id")
    result = await store.run(
        store.db.user_progress.update_one,
        {"user_id": user_id, "activity.id": activity.id},
        {
            "$inc": _spent(activity, -1),
            "$pull": {"activity": {"id": activity.id}},
            "$set": {"last_action": _undo_action(activity, now)},
        },
    )
    return result.modified_count == 1


def announced_path(lineage: str, name: str) -> str:
    """Where the announcement ``name`` of a lineage is marked (`announce_once`)."""
    return f"{_base(lineage)}.announced.{_checked(_SAFE_KEY, name, 'name')}"


def freeze_path(day: date) -> str:
    """Where telling the user of the streak freeze on ``day`` is marked."""
    return f"freezes.{day.isoformat()}"


async def mark_once(store: Store, user_id: int, path: str) -> bool:
    """Set `path` (`announced_path`, `freeze_path`) to now unless it is set: True the
    first time only."""
    guard = {path: {"$exists": False}}
    return await _upsert_once(store, user_id, guard, {"$set": {path: store.clock()}})


async def announce_once(store: Store, user_id: int, lineage: str, name: str) -> bool:
    """True the first time `name` (an achievement, "ms_<week>", "quiz_<batch>") is
    announced for this lineage."""
    return await mark_once(store, user_id, announced_path(lineage, name))


async def freeze_told_once(store: Store, user_id: int, day: date) -> bool:
    """True the first time the user is told that `day` was covered by a streak freeze."""
    return await mark_once(store, user_id, freeze_path(day))


async def raise_longest_streak(store: Store, user_id: int, days: int) -> None:
    await store.run(
        store.db.user_progress.update_one,
        {"user_id": user_id},
        {"$max": {"longest_streak": int(days)}},
    )
