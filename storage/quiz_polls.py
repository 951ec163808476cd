"""Quiz polls in the user's `user_progress` document (`storage.progress`): which
question a sent poll is, and its first answer, graded and counted once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.progress import (
    _LINEAGE,
    _POLL_ID,
    Activity,
    _base,
    _checked,
    _push,
    _upsert_once,
)
from storage.store import Store


async def record_poll(store: Store, user_id: int, poll_id: str, meta: dict[str, Any]) -> None:
    """Remember which quiz question a sent poll is (its id comes from Telegram)."""
    _checked(_POLL_ID, poll_id, "poll id")
    _checked(_LINEAGE, meta.get("plan"), "lineage")
    await _upsert_once(
        store,
        user_id,
        {f"polls.{poll_id}": {"$exists": False}},
        {"$set": {f"polls.{poll_id}": meta}},
    )


@dataclass(frozen=True)
class PollAnswer:
    poll: dict[str, Any]
    option: int
    correct: bool | None


async def record_poll_answer(
    store: Store, user_id: int, poll_id: str, option: int, at: datetime, tz: str
) -> PollAnswer | None:
    """Grade and store the first answer to one of the user's polls (a study event at `at`,
    local zone `tz`); None when the poll is unknown (not theirs, or forgotten) or was
    already answered."""
    if not isinstance(poll_id, str) or not _POLL_ID.fullmatch(poll_id):
        return None

    async def find() -> dict[str, Any] | None:
        doc = await store.db.user_progress.find_one(
            {"user_id": user_id, f"polls.{poll_id}.week": {"$exists": True}},
            {f"polls.{poll_id}": 1},
        )
        return None if doc is None else dict(doc["polls"][poll_id])

    poll = await store.run(find)
    if poll is None or not 0 <= option < int(poll.get("option_count", 0) or 0):
        return None
    base = _base(str(poll["plan"]))
    week = f"w{int(poll['week'])}"
    activity = Activity(kind="quiz", plan=str(poll["plan"]), at=at, tz=tz, week=int(poll["week"]))
    correct_index = poll.get("correct_index")
    correct = None if correct_index is None else option == int(correct_index)
    if correct is None:
        inc = {f"{base}.self_rating.{week}.count": 1, f"{base}.self_rating.{week}.sum": option + 1}
    else:
        inc = {f"{base}.quiz.{week}.answered": 1, f"{base}.quiz.{week}.correct": int(correct)}
    answer = {"option": option, "correct": correct, "at": activity.at}
    result = await store.run(
        store.db.user_progress.update_one,
        {
            "user_id": user_id,
            f"polls.{poll_id}.week": {"$exists": True},
            f"polls.{poll_id}.answer": {"$exists": False},
        },
        {
            "$set": {f"polls.{poll_id}.answer": answer},
            "$inc": inc,
            "$push": _push(activity),
            "$max": {"last_activity_at": activity.at},
        },
    )
    if result.modified_count != 1:
        return None
    return PollAnswer(poll={**poll, "answer": answer}, option=option, correct=correct)
