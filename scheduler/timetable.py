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
* Modules are placed strictly in plan order, one calendar week at a time. A week's work
  (its plan week's modules plus what spilled from earlier weeks, at most the budget) is
  spread over the week's days: each day with slot time gets up to the work divided by
  those days, rounded up to whole half hours and at least an hour, and what a day cannot
  use goes to the next.
* Sessions nobody can follow are avoided: no more than ``max_session_minutes`` (default
  2 h) of study in a row — a longer stretch of one slot gets a ``BREAK_MINUTES`` break —
  and no part shorter than ``MIN_PART_MINUTES`` (30), unless the module (or the slot
  itself) is shorter. A module is split only where a day's share or a slot ends, and
  both parts are at least 30 minutes; minutes too few for that stay free and go to the
  next module's session. Short modules share a session back to back.
* Overflow: when a week has less slot time (or budget) than its work, the rest spills
  into the next calendar week, ahead of that week's own modules, which then start later
  (and may spill further). Work is never dropped while it can still be placed; if
  nothing can be placed for more than two weeks (no usable slots, a budget under the
  shortest part), placement stops and the modules placed so far are returned. Whether
  the result still ends inside the plan's weeks is the caller's question (`plan_end`).
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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.models import Plan, Slot, StudySession

MIN_PART_MINUTES = 30
"""Shortest session or module part (a shorter module, or a shorter slot, is placed whole)."""

_RELAXED_PART_MINUTES = 15
"""Shortest part of a module that fitted nowhere in parts of 30 minutes."""

DEFAULT_MAX_SESSION_MINUTES = 120
"""Longest stretch of study in a row, unless the caller sets another."""

BREAK_MINUTES = 15
"""Pause between two stretches of study in one long slot."""

_DAY_ROUNDING = 30
"""A day's share of the week's work is rounded up to whole half hours…"""

_DAY_SHARE_MIN = 60
"""…and is at least an hour: work is spread over days, not crumbled into bits."""

_STALL_WEEKS = 3
"""Give up after this many calendar weeks in a row without placing anything."""

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
    plan: Plan,
    slots: list[Slot],
    tz: str,
    start: date,
    *,
    now: datetime,
    max_session_minutes: int = DEFAULT_MAX_SESSION_MINUTES,
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
    cap = max(MIN_PART_MINUTES, int(max_session_minutes))
    works = [
        _Work(module.id, week.number, _module_minutes(module.hours))
        for week in plan.weeks
        for module in week.modules
    ]
    queue = list(works)
    today = now.astimezone(zone).date()
    window, idle = 0, 0
    while queue and idle < _STALL_WEEKS:
        first = start + timedelta(days=7 * window)
        ready = [w for w in queue if w.week <= window + 1]
        if ready:
            days = _week_days(slot_map, zone, max(first, today), first + timedelta(days=7), now)
            placed = _fill_week(ready, days, budget, cap)
            idle = 0 if placed else idle + 1
            if days and not placed:
                ready[0].relaxed = True
            queue = [w for w in queue if w.remaining > 0]
        window += 1
    placed = [w for w in works if w.remaining == 0]
    return _chronological(
        [s for w in placed for s in _module_sessions(w.module_id, w.week, w.pieces)]
    )


def weekly_capacity_minutes(
    slots: list[Slot], max_session_minutes: int = DEFAULT_MAX_SESSION_MINUTES
) -> int:
    """Study minutes a week of the slots can hold, with the breaks long slots get."""
    cap = max(MIN_PART_MINUTES, int(max_session_minutes))
    total = 0
    for intervals in _slot_map(slots).values():
        for begin, end in intervals:
            stretches, rest = divmod(end - begin, cap + BREAK_MINUTES)
            total += stretches * cap + min(rest, cap)
    return total


def plan_end(plan: Plan, start: date, deadline: date | None = None) -> date:
    """The first local day after the plan's weeks (or after its deadline, if sooner)."""
    weeks = max((w.number for w in plan.weeks), default=1)
    end = start + timedelta(days=7 * weeks)
    return min(end, deadline + timedelta(days=1)) if deadline is not None else end


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


@dataclass
class _Work:
    """One module's minutes still to place, and the pieces placed so far."""

    module_id: str
    week: int
    remaining: int
    pieces: list[tuple[datetime, datetime]] = field(default_factory=list)
    relaxed: bool = False
    """Set after a week in which this module fitted nowhere (e.g. 45 minutes and only
    30-minute slots): then it may be split into parts down to `_RELAXED_PART_MINUTES`."""

    def piece(self, room: int, slot_minutes: int) -> int:
        """Minutes of this module to place in ``room`` free minutes, or 0 to wait."""
        if self.remaining <= room:
            return self.remaining
        shortest = _RELAXED_PART_MINUTES if self.relaxed else MIN_PART_MINUTES
        piece = room
        if self.remaining - piece < shortest:
            piece = self.remaining - shortest
        smallest = min(shortest, slot_minutes)
        return piece if piece >= smallest and piece > 0 else 0


def _week_days(
    slot_map: _SlotMap, zone: ZoneInfo, first: date, end: date, now: datetime
) -> list[list[_Occurrence]]:
    """The slot occurrences of each local day in [first, end) that start at or after now."""
    if first >= end:
        return []
    by_day: dict[date, list[_Occurrence]] = {}
    for occ in _occurrences(slot_map, zone, first, not_before=now):
        if occ.day >= end:
            break
        by_day.setdefault(occ.day, []).append(occ)
    return list(by_day.values())


def _fill_week(ready: list[_Work], days: list[list[_Occurrence]], budget: int, cap: int) -> int:
    """Place the ready work (in order) into one calendar week; returns minutes placed."""
    target = min(budget, sum(w.remaining for w in ready))
    if not days or target <= 0:
        return 0
    share = -(-target // len(days))
    share = max(-(-share // _DAY_ROUNDING) * _DAY_ROUNDING, _DAY_SHARE_MIN)
    placed, carry = 0, 0
    for occurrences in days:
        quota = min(share + carry, target - placed)
        used = _fill_day(ready, occurrences, quota, target - placed, cap)
        placed += used
        carry = quota - used
        if placed >= target:
            break
    return placed


def _fill_day(
    ready: list[_Work], occurrences: list[_Occurrence], quota: int, limit: int, cap: int
) -> int:
    """Place about ``quota`` minutes (never more than ``limit``) into one day's slots:
    stretches of at most ``cap`` minutes with a break between them, module pieces of at
    least 30 minutes. A module that fits whole is not split to keep to the quota."""
    used = 0
    for occ in occurrences:
        slot_minutes = _minutes_between(occ.start, occ.end)
        cursor, stretch = occ.start, 0
        while used < quota:
            work = next((w for w in ready if w.remaining > 0), None)
            if work is None:
                return used
            if stretch >= cap:
                cursor += timedelta(minutes=BREAK_MINUTES)
                stretch = 0
            whole = min(_minutes_between(cursor, occ.end), cap - stretch, limit - used)
            room = min(whole, quota - used)
            if 0 < work.remaining <= whole:
                minutes = work.remaining
            else:
                minutes = work.piece(room, slot_minutes) if room > 0 else 0
            if minutes == 0:
                if stretch and room > 0 and _minutes_between(cursor, occ.end) > room:
                    stretch = cap  # the rest of this stretch is too short: take the break
                    continue
                break
            end = cursor + timedelta(minutes=minutes)
            work.pieces.append((cursor, end))
            work.remaining -= minutes
            cursor, stretch, used = end, stretch + minutes, used + minutes
    return used


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
