"""Place a plan's modules into the user's weekly study slots.

Pure time logic: no I/O and no clock, "now" is always a parameter.

Model
-----
* A ``Slot`` is a weekly window of local wall-clock time (weekday 0 = Monday) in the
  user's IANA zone. Overlapping or touching slots on the same weekday are merged; a
  slot ending at 00:00 runs to midnight; other slots with ``end <= start`` are ignored
  (overnight windows are not supported).
* Plan week *k* may use the 7 local days starting at ``start + 7 * (k - 1)`` and later
  days, never earlier ones. The same 7-day windows anchored at ``start`` are the
  "calendar weeks" whose placed minutes never exceed ``plan.hours_per_week``.
* Modules are placed strictly in plan order. A module that does not fit the remaining
  time of a slot is split into parts of at least 15 whole minutes (a module shorter than
  15 minutes is placed whole); short modules share a slot back to back.
* Overflow: when a plan week has less slot time (or budget) than its hours, the rest
  spills into the next calendar week's free slots, ahead of that week's own modules,
  which then start later (and may spill further). Work is never dropped while it can
  still be placed; if nothing can be placed for more than two weeks (no usable slots,
  all slots shorter than 15 minutes, a budget under 15 minutes), placement stops and
  the modules placed so far are returned.
* Only slot occurrences that start at or after ``now`` are used ("a slot later today
  counts"); a slot that has already started is skipped.

Time zones and DST
------------------
Each occurrence's start and end wall times are converted to UTC separately with
``zoneinfo`` using ``fold=0``, so a 19:00 Europe/Berlin slot is 17:00Z in summer and
18:00Z in winter. Per PEP 495, a wall time in a spring-forward gap (e.g. 02:30 on
2027-03-28 in Berlin) with ``fold=0`` is shifted forward by the gap length (to 03:30
CEST); an ambiguous fall-back time (e.g. 02:30 on 2026-10-25) resolves to its first
occurrence (summer time). An occurrence offers the real elapsed minutes between its
converted ends, so a window spanning a transition is an hour shorter or longer that day.

Stored ``starts_at``/``ends_at`` are UTC (``timezone.utc``). Session ids are
``f"{module_id}-p{part}"``: deterministic for the same plan and placement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.models import Plan, Slot, StudySession

MIN_CHUNK_MINUTES = 15
"""Shortest part a module is split into (a whole module may be shorter)."""

_STALL_LIMIT = timedelta(days=15)
"""Give up placing a module after this long without progress (slots repeat weekly)."""

_RESCHEDULE_HORIZON = timedelta(days=21)
"""How far past its earliest start a moved session is searched for a free slot."""

_MINUTES_PER_DAY = 24 * 60

_SlotMap = dict[int, list[tuple[int, int]]]
"""Weekday -> merged, sorted (start, end) minute-of-day intervals."""


@dataclass(frozen=True)
class _Occurrence:
    """One concrete slot occurrence: a local day and its UTC bounds."""

    day: date
    start: datetime
    end: datetime


def first_available_start(slots: list[Slot], tz: str, now: datetime) -> date:
    """Local date of the next slot occurrence that has not started yet (today counts).

    Returns the local date of ``now`` when there are no usable slots.
    """
    zone = ZoneInfo(tz)
    now = _aware_utc(now, "now")
    today = now.astimezone(zone).date()
    slot_map = _slot_map(slots)
    if not slot_map:
        return today
    occurrences = _occurrences(slot_map, zone, today, not_before=now)
    return next(occurrences).day


def build_timetable(
    plan: Plan, slots: list[Slot], tz: str, start: date, *, now: datetime
) -> list[StudySession]:
    """Place every module of ``plan`` into slot occurrences from ``start`` on.

    Returns sessions in chronological order (see the module docstring for the rules).
    Returns an empty list when there are no usable slots or no weekly budget.
    """
    zone = ZoneInfo(tz)
    now = _aware_utc(now, "now")
    budget = _budget_minutes(plan.hours_per_week)
    slot_map = _slot_map(slots)
    if not slot_map or budget <= 0:
        return []
    first_day = max(start, now.astimezone(zone).date())
    placer = _Placer(_occurrences(slot_map, zone, first_day, not_before=now), budget, start)
    sessions: list[StudySession] = []
    for week in plan.weeks:
        week_start = start + timedelta(days=7 * (week.number - 1))
        for module in week.modules:
            pieces = placer.place(_module_minutes(module.hours), week_start)
            if pieces is None:
                return sessions
            sessions.extend(_module_sessions(module.id, week.number, pieces))
    return sessions


def reschedule_missed(
    sessions: list[StudySession],
    slots: list[Slot],
    tz: str,
    *,
    now: datetime,
    hours_per_week: float,
    start: date | None = None,
) -> tuple[list[StudySession], list[tuple[StudySession, StudySession]]]:
    """Move missed and later planned work into the next free slots from ``now`` on.

    A "planned" session with ``ends_at <= now`` is missed. When there is at least one,
    every planned session (missed ones first, all in chronological order) is re-placed
    whole, keeping its ``session_id``, into free time of slot occurrences starting at or
    after ``now``: after the previously placed session, never earlier than its own old
    start (unless it was missed), outside "done" sessions and within ``hours_per_week``
    per 7-day window anchored at ``start``. Without ``start`` the anchor is inferred as
    the latest date consistent with the sessions' plan weeks (``week`` field).

    A session whose time changes gets ``sequence + 1`` and status "planned"; the pair
    ``(old, new)`` is reported, ``old`` carrying status "missed" if it was missed. A
    planned session that lands on its old time is unchanged and not reported. A missed
    session that fits nowhere within three weeks stays at its old time, marked "missed";
    a later planned session that cannot be re-placed (e.g. it is longer than any free
    slot) is pinned at its old time and the rest is placed around it. Done, skipped and
    previously missed sessions are never moved; skipped and missed ones do not block
    time. Returns all sessions sorted by start, and the moves.
    """
    zone = ZoneInfo(tz)
    now = _aware_utc(now, "now")
    current = [_utc_session(s) for s in sessions]
    missed_ids = {s.session_id for s in current if s.status == "planned" and s.ends_at <= now}
    if not missed_ids:
        return _chronological(current), []
    slot_map = _slot_map(slots)
    budget = _budget_minutes(hours_per_week)
    anchor = start if start is not None else _infer_anchor(current, zone)
    pinned: set[str] = set()
    while True:
        free = _FreeTime(slot_map, zone, now, budget, anchor)
        result, moves, unplaced = _replace_planned(current, missed_ids, pinned, free, now)
        stuck = unplaced - missed_ids
        if not stuck:
            return _chronological(result), moves
        pinned |= stuck


def _replace_planned(
    current: list[StudySession],
    missed_ids: set[str],
    pinned: set[str],
    free: _FreeTime,
    now: datetime,
) -> tuple[list[StudySession], list[tuple[StudySession, StudySession]], set[str]]:
    """One re-placement pass; also returns the ids of sessions that found no spot."""
    fixed = [s for s in current if s.status != "planned" or s.session_id in pinned]
    for s in fixed:
        if s.status in ("done", "planned"):
            free.reserve(s.starts_at, s.ends_at)
    result, moves, unplaced = list(fixed), [], set()
    cursor = now
    movable = [s for s in current if s.status == "planned" and s.session_id not in pinned]
    for old in _chronological(movable):
        was_missed = old.session_id in missed_ids
        reported = old.model_copy(update={"status": "missed"}) if was_missed else old
        earliest = cursor if was_missed else max(cursor, old.starts_at)
        spot = free.find(earliest, _minutes_between(old.starts_at, old.ends_at))
        if spot is None:
            unplaced.add(old.session_id)
            result.append(reported)
            continue
        free.reserve(*spot)
        cursor = spot[1]
        if not was_missed and spot == (old.starts_at, old.ends_at):
            result.append(old)
            continue
        new = old.model_copy(
            update={"starts_at": spot[0], "ends_at": spot[1], "sequence": old.sequence + 1}
        )
        result.append(new)
        moves.append((reported, new))
    return result, moves, unplaced


class _Placer:
    """Sequential first-fit over an infinite stream of slot occurrences."""

    def __init__(self, occurrences: Iterator[_Occurrence], budget: int, anchor: date) -> None:
        self._occurrences = occurrences
        self._budget = budget
        self._anchor = anchor
        self._used: defaultdict[int, int] = defaultdict(int)
        self._current = next(occurrences)
        self._free_from = self._current.start

    def place(self, minutes: int, not_before: date) -> list[tuple[datetime, datetime]] | None:
        """Place ``minutes`` of one module; ``None`` when it cannot be placed at all."""
        while self._current.day < not_before:
            self._advance()
        pieces: list[tuple[datetime, datetime]] = []
        last_progress = self._free_from
        remaining = minutes
        while remaining > 0:
            if self._current.start - last_progress > _STALL_LIMIT:
                return None
            chunk = _chunk_minutes(remaining, self._available())
            if chunk == 0:
                self._advance()
                continue
            end = self._free_from + timedelta(minutes=chunk)
            pieces.append((self._free_from, end))
            self._used[self._window()] += chunk
            self._free_from = last_progress = end
            remaining -= chunk
        return pieces

    def _available(self) -> int:
        in_slot = _minutes_between(self._free_from, self._current.end)
        return min(in_slot, self._budget - self._used[self._window()])

    def _window(self) -> int:
        return (self._current.day - self._anchor).days // 7

    def _advance(self) -> None:
        self._current = next(self._occurrences)
        self._free_from = self._current.start


class _FreeTime:
    """Free, budget-limited slot time used when re-placing whole sessions."""

    def __init__(
        self,
        slot_map: _SlotMap,
        zone: ZoneInfo,
        now: datetime,
        budget: int,
        anchor: date,
    ) -> None:
        self._slot_map = slot_map
        self._zone = zone
        self._now = now
        self._budget = budget
        self._anchor = anchor
        self._busy: list[tuple[datetime, datetime]] = []
        self._used: defaultdict[int, int] = defaultdict(int)

    def reserve(self, start: datetime, end: datetime) -> None:
        """Mark an interval as taken and count it against its window's budget."""
        self._busy.append((start, end))
        self._used[self._window(start)] += _minutes_between(start, end)

    def find(self, earliest: datetime, minutes: int) -> tuple[datetime, datetime] | None:
        """First free interval of ``minutes`` starting at or after ``earliest``."""
        if not self._slot_map or minutes <= 0:
            return None
        first_day = earliest.astimezone(self._zone).date()
        occurrences = _occurrences(self._slot_map, self._zone, first_day, not_before=self._now)
        for occ in occurrences:
            if occ.start > earliest + _RESCHEDULE_HORIZON:
                return None
            if self._used[self._window(occ.start)] + minutes > self._budget:
                continue
            spot = self._fit(occ, earliest, timedelta(minutes=minutes))
            if spot is not None:
                return spot
        return None

    def _fit(
        self, occ: _Occurrence, earliest: datetime, length: timedelta
    ) -> tuple[datetime, datetime] | None:
        candidate = max(occ.start, earliest)
        for busy_start, busy_end in sorted(self._busy):
            if busy_end <= candidate or busy_start >= occ.end:
                continue
            if busy_start >= candidate + length:
                break
            candidate = max(candidate, busy_end)
        if candidate + length <= occ.end:
            return candidate, candidate + length
        return None

    def _window(self, instant: datetime) -> int:
        return (instant.astimezone(self._zone).date() - self._anchor).days // 7


def _chunk_minutes(remaining: int, available: int) -> int:
    """Minutes of a module to place now, or 0 to wait for the next occurrence.

    Everything fits: place it all. Otherwise split so that both this part and what
    is left are at least ``MIN_CHUNK_MINUTES``.
    """
    if remaining <= available:
        return remaining
    chunk = min(available, remaining - MIN_CHUNK_MINUTES)
    return chunk if chunk >= MIN_CHUNK_MINUTES else 0


def _module_sessions(
    module_id: str, week: int, pieces: list[tuple[datetime, datetime]]
) -> list[StudySession]:
    parts = len(pieces)
    return [
        StudySession(
            session_id=f"{module_id}-p{part}",
            module_id=module_id,
            week=week,
            part=part,
            parts=parts,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        for part, (starts_at, ends_at) in enumerate(pieces, start=1)
    ]


def _slot_map(slots: list[Slot]) -> _SlotMap:
    """Weekday -> merged, sorted (start, end) minute-of-day intervals."""
    by_day: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    for slot in slots:
        begin = _minute_of_day(slot.start)
        end = _minute_of_day(slot.end)
        if end == 0:
            end = _MINUTES_PER_DAY
        if end > begin:
            by_day[slot.weekday].append((begin, end))
    return {day: _merge(intervals) for day, intervals in by_day.items()}


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _occurrences(
    slot_map: _SlotMap,
    zone: ZoneInfo,
    first_day: date,
    *,
    not_before: datetime,
) -> Iterator[_Occurrence]:
    """Endless chronological slot occurrences from ``first_day`` starting >= ``not_before``."""
    day = first_day
    while True:
        for begin, end in slot_map.get(day.weekday(), []):
            occ = _Occurrence(day, _wall_to_utc(day, begin, zone), _wall_to_utc(day, end, zone))
            if occ.start >= not_before and occ.end > occ.start:
                yield occ
        day += timedelta(days=1)


def _wall_to_utc(day: date, minute_of_day: int, zone: ZoneInfo) -> datetime:
    """Local wall time to UTC with ``fold=0`` (gap: shift forward; overlap: first)."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute_of_day)
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _infer_anchor(sessions: list[StudySession], zone: ZoneInfo) -> date:
    """Latest plan start consistent with every session's plan week."""
    return min(
        s.starts_at.astimezone(zone).date() - timedelta(days=7 * (s.week - 1)) for s in sessions
    )


def _utc_session(session: StudySession) -> StudySession:
    """The session with UTC times (naive values from storage are read as UTC)."""
    return session.model_copy(
        update={"starts_at": _as_utc(session.starts_at), "ends_at": _as_utc(session.ends_at)}
    )


def _chronological(sessions: list[StudySession]) -> list[StudySession]:
    return sorted(sessions, key=lambda s: (s.starts_at, s.session_id))


def _aware_utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _minute_of_day(value: time) -> int:
    return value.hour * 60 + value.minute


def _minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def _module_minutes(hours: float) -> int:
    return max(1, round(hours * 60))


def _budget_minutes(hours_per_week: float) -> int:
    return int(hours_per_week * 60 + 1e-6)
