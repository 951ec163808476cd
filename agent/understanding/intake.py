"""`parse_intake`: every Goal field stated in one intake message, composed from the extractors.

Pure functions only: no I/O, no LLM and no clock (callers pass ``today``). The extractors
run in a fixed order over one `Scan` — dates, weekly hours, plan length, availability,
skill level, time zone, topics and finally the goal — and each masks what it consumed.
When the bot has just asked for a field (``expecting``) a bare answer ("5", "Berlin") is
read as that field, and a non-answer ("not sure", "later", "yes") is reported in
`IntakeUpdate.nonanswer` instead of being stored.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from agent.understanding.availability import ASSUMED_DAYS, extract_availability
from agent.understanding.dates import DateHit, find_dates
from agent.understanding.goal import GoalHit, find_goal, is_vague_goal
from agent.understanding.lexicon import correct_typos, word_set
from agent.understanding.nonanswers import (
    NonAnswer,
    after_hedge,
    asks_back,
    classify_nonanswer,
    listed_nonanswer,
)
from agent.understanding.numbers import (
    MAX_WEEKS,
    MIN_WEEKS,
    extract_hours,
    extract_weeks,
    normalise_amounts,
)
from agent.understanding.phrases import is_smalltalk
from agent.understanding.places import PlaceOption, lookup_zone, timezone_from_location
from agent.understanding.sessions import extract_session_hours, settle_range
from agent.understanding.skill import extract_skill
from agent.understanding.text import MASK, Scan, clean_text
from agent.understanding.topics import (
    extract_topics,
    peer_list_end,
    topic_items,
    topics_after_goal,
    topics_in_sentences,
    topics_wanted,
)
from storage.models import Goal

__all__ = ["FIELD_ORDER", "IntakeUpdate", "missing_fields", "parse_intake"]

FIELD_ORDER = (
    "goal",
    "skill_level",
    "hours_per_week",
    "weeks",
    "topics",
    "availability",
    "timezone",
)

_LOCATION_RE = re.compile(
    r"^\s*__location__\s+(?P<lat>-?\d{1,3}(?:\.\d+)?)\s+(?P<lon>-?\d{1,3}(?:\.\d+)?)\s*$"
)
_DERIVED = "_derived"
_UNCLEAR = "_unclear"
_DATE_FIELDS = {"weeks", "deadline", "start_date"}
_SHORT_ANSWER_WORDS = 3
_DAYS_NOT_DATES = {"availability", "hours_per_week", "skill_level", "topics", "timezone"}
# Fields where a value after a hedge ("idk maybe 4", "not sure, B1?") is still the answer.
_HEDGED_FIELDS = {"skill_level", "hours_per_week", "weeks", "availability", "timezone"}
_CLASSIFY_FIRST = {None, "goal", "topics", "confirm", "timezone"}
# Where a whole "leave it to you" answer would otherwise be read as a value ("any day
# really" is no constraint, not every day).
_ANYTHING_FIRST = {"availability", "hours_per_week", "weeks"}
# At the card, what is negated or taken off is the old value, never the new one ("Berlin
# not Paris", "remove Paris", "weekends instead of weekdays").
_NEGATED_RE = re.compile(
    r"\b(?:not|remove|drop|delete|without|forget(?:\s+about)?|take\s+out|instead\s+of"
    r"|rather\s+than)\s+[^,.;!?\n]+",
    re.IGNORECASE,
)
_REPLACED_RE = re.compile(r"\b(?:instead\s+of|rather\s+than)\s+[^,.;!?\n]+", re.IGNORECASE)
# "no"/"none" answer the topics question; "you pick" leaves it to the bot (a non-answer).
_NO_TOPICS: set[str] = {"none", "no"}
# Greedy: the last "on"/"in" before the date ("exam in stats on thursday" keeps "exam in stats").
_EVENT_LEAD_RE = re.compile(r"(?:[A-Za-z']+\s+){1,3}(?P<on>(?:is\s+)?(?:on|in)\s)", re.IGNORECASE)
_NAMED_EVENT_RE = re.compile(
    r"(?P<event>[A-Za-z]+)\s*(?:,|-|\u2014)\s*(?:it'?s|it\s+is|is)\s", re.I
)
_WORD_BEFORE_RE = re.compile(r"([A-Za-z]+)\s+$")
_DETERMINERS = {"the", "my", "a", "an", "our", "this", "that", "his", "her", "their"}
_OPENING_SUBJECT_RE = re.compile(
    r"\s*(?P<subject>[A-Za-z][\w+#&' -]{0,40}?)\s*(?:\x1f[\x1f\s]*)?(?:[.!,]|->|\u2192|(?<=\s)-)\s"
)
_WISH_LEAD_RE = re.compile(
    r"\b(?:want|wanna|need|going|hope|plan|planning|trying)\s+to\s+$", re.IGNORECASE
)
_PRACTICE_LEAD_RE = re.compile(
    r"\b(?:work\s+on|focus\s+on|practi[cs]e|improve|get\s+better\s+at|nail|master)(?:\s+(?:my|the|on|at))?\s+$",
    re.IGNORECASE,
)
_NOT_A_SUBJECT = word_set("not_a_goal_start") | word_set("acks")
_SUBJECT_WORDS = 4
_PERSON_WORDS = word_set("person_words") | word_set("skill_followers")
_DATE_TRIGGER_RE = re.compile(
    r"^\s*(?:by|until|till|til|before|deadline|due|no\s+later|end|finish|done|ready|complete"
    r"|start|begin|kick|from|as\s+of)\b",
    re.IGNORECASE,
)


class IntakeUpdate(BaseModel):
    """What one message said: Goal fields, polite notes about values that can't be used, a
    non-answer ("unsure", "later", "yes", "no", "none", "anything", "question"), the readings
    of an ambiguous place, and how sure the rules are (0..1)."""

    fields: dict[str, Any] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list)
    nonanswer: NonAnswer | None = None
    zone_options: list[PlaceOption] = Field(default_factory=list)
    confidence: float = 0.0
    derived: list[str] = Field(
        default_factory=list,
        description="fields computed, not stated (weeks from a deadline): not what was said",
    )
    unclear: list[str] = Field(
        default_factory=list,
        description="fields named without one value (a deadline of '5/3'): the bot asks",
    )
    assumed_days: list[int] = Field(
        default_factory=list,
        description="weekdays named without a clock ('weekends'): their window is a default",
    )


def _fmt_date(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _is_bare(scan: Scan, hit: DateHit) -> bool:
    """The message is just a date, with no "by"/"start" saying what it is."""
    whole = not scan.work[: hit.start].strip() and not scan.work[hit.end :].strip(" .!")
    return whole and not _DATE_TRIGGER_RE.match(scan.work)


def _event_kept(scan: Scan, hit: DateHit) -> int:
    """Where to start masking a date: "test on 3rd Feb" leaves "test" to the goal, and so
    does "the bar exam, it's on July 27" (the event word ends a name, then a clause dates it)."""
    text = scan.work[hit.start : hit.end]
    named = _NAMED_EVENT_RE.match(text)
    before = _WORD_BEFORE_RE.search(scan.work, 0, hit.start)
    if named and before and before.group(1).lower() not in _DETERMINERS:
        return hit.start + named.end("event")
    event = _EVENT_LEAD_RE.match(text)
    if event is None or _DATE_TRIGGER_RE.match(text):
        return hit.start
    return hit.start + event.start("on")


def _extract_dates(scan: Scan) -> None:
    for hit in find_dates(scan.work.replace(MASK, " "), today=scan.today):
        if not scan.free(hit.start, hit.end):
            continue
        if _is_bare(scan, hit) and scan.expecting not in _DATE_FIELDS:
            continue
        cued = _DATE_TRIGGER_RE.match(scan.work[hit.start : hit.end])
        if scan.expecting in _DAYS_NOT_DATES and not cued:
            continue  # "Saturday mornings", "2h on tue and thu": study days, not a date
        kind = "start" if scan.expecting == "start_date" and _is_bare(scan, hit) else hit.kind
        scan.take(_event_kept(scan, hit), hit.end)
        if hit.value is None:  # "5/3", "by summer": asked about, never guessed
            scan.note(hit.unclear or "")
            unclear = "start_date" if kind == "start" else "deadline"
            scan.fields.setdefault(_UNCLEAR, []).append(unclear)
        elif kind == "start":
            if hit.value < scan.today:
                scan.note(
                    f"{_fmt_date(hit.value)} is already in the past — when would you like to start?"
                )
            else:
                scan.fields["start_date"] = hit.value
        elif hit.value <= scan.today:
            scan.note(
                f"{_fmt_date(hit.value)} is not in the future — when would you like to finish by?"
            )
        else:
            scan.fields["deadline"] = hit.value


def _reconcile_deadline(scan: Scan) -> None:
    """A deadline implies the number of weeks; flag it when it contradicts stated weeks."""
    deadline: date | None = scan.fields.get("deadline")
    if deadline is None:
        return
    start: date = scan.fields.get("start_date") or scan.today
    days = (deadline - start).days
    if days <= 0:
        scan.note(
            f"The deadline ({_fmt_date(deadline)}) comes before the start date "
            f"({_fmt_date(start)}) — could you check the dates?"
        )
        del scan.fields["deadline"]
        return
    derived = min(max(math.ceil(days / 7), MIN_WEEKS), MAX_WEEKS)
    stated = scan.fields.get("weeks")
    if stated is None:
        scan.fields["weeks"] = derived
        scan.fields[_DERIVED] = ["weeks"]
    elif abs(stated - derived) > 1:
        scan.note(
            f"You mentioned {stated} weeks, but {_fmt_date(deadline)} is about {derived} weeks "
            "away — which one should I plan for?"
        )
        del scan.fields["weeks"]
        del scan.fields["deadline"]


def _extract_zone(scan: Scan) -> list[PlaceOption]:
    whole = scan.expecting == "timezone"
    text = scan.display
    if scan.expecting == "confirm":  # "Berlin not Paris": the negated part is not the answer
        text = _NEGATED_RE.sub(lambda m: " " * len(m.group()), text)
        # a bare "Vienna" is the new zone; beside another change ("more intermediate") a
        # short word is not read as a place
        whole = not scan.fields and len(text.split()) <= _SHORT_ANSWER_WORDS
    found = lookup_zone(text, whole_answer=whole)
    if found.start >= 0 and not scan.free(found.start, found.end):
        # the place finder reads whole messages; a hit inside another field is retried
        found = lookup_zone(scan.work.replace(MASK, " "), whole_answer=whole)
    if found.start >= 0 and scan.free(found.start, found.end):
        scan.take(found.start, found.end)
    if found.zone:
        scan.fields["timezone"] = found.zone
    elif found.options:
        return found.options
    elif found.start >= 0:
        named = " ".join(scan.display[found.start : found.end].split())
        scan.note(
            f"I can't tell the time zone from “{named}” — could you send a city like “Berlin” "
            "or an offset like “UTC+2”?"
        )
    return []


def _extract_goal(scan: Scan, subject: tuple[int, int] | None) -> bool:
    """Set the goal (and a bare topic list after it); False when the goal was too vague.
    `subject` is what a skill cue named ("a beginner at chess"), the goal if nothing else is."""
    hit = find_goal(scan)
    if hit is None and subject is not None and scan.expecting in {None, "goal"}:
        hit = GoalHit(" ".join(scan.display[subject[0] : subject[1]].split()), *subject)
    if hit is None:
        return not is_vague_goal(scan.rest()) or scan.expecting not in {None, "goal"}
    if is_vague_goal(hit.goal):
        return False
    hit = _subject_before_practice(scan, hit)
    peers = None if "topics" in scan.fields else peer_list_end(scan, hit.goal, hit.end)
    if peers is not None:
        hit = GoalHit(" ".join(scan.display[hit.start : peers].split()), hit.start, peers)
        scan.take(hit.start, hit.end)
    scan.fields["goal"] = hit.goal
    if "topics" not in scan.fields:
        topics = (
            topics_after_goal(scan, hit.end)
            or topics_in_sentences(scan, hit[1:])
            or topics_wanted(scan, hit.end)
        )
        if topics:
            scan.fields["topics"] = topics
    return True


def _subject_before_practice(scan: Scan, hit: GoalHit) -> GoalHit:
    """ "Violin. beginner. want to work on bowing and scales": a bare subject opening the
    message is the goal, and what they want to work on in it are the topics; what they want
    to do with it ("Vietnamese, going to live in Hanoi", "french C1 -> want to polish for
    work") is no goal of its own."""
    opening = _OPENING_SUBJECT_RE.match(scan.work)
    practice = _PRACTICE_LEAD_RE.search(scan.work, 0, hit.start)
    if (
        opening is None
        or opening.end() > hit.start
        or not scan.free(*opening.span("subject"))
        or not (practice or _WISH_LEAD_RE.search(scan.work, 0, hit.start))
        or is_smalltalk(opening["subject"])  # "Hi! I'd like to get better at …"
        or not _plausible_subject(opening["subject"])
    ):
        return hit
    topics = topic_items(hit.goal) if practice and "topics" not in scan.fields else []
    if practice and not topics:
        return hit
    scan.take(hit.start, hit.end)
    if topics:
        scan.fields["topics"] = topics
    start, end = opening.span("subject")
    return GoalHit(scan.display[start:end], start, end)


def _plausible_subject(subject: str) -> bool:
    """An opening that names a subject, not a person or a clause ("I'm a dev", "so")."""
    words = subject.lower().split()
    return (
        bool(words)
        and words[0] not in _NOT_A_SUBJECT
        and words[-1] not in _PERSON_WORDS
        and len(words) <= _SUBJECT_WORDS
    )


def _location_update(text: str) -> IntakeUpdate | None:
    match = _LOCATION_RE.match(text)
    if not match:
        return None
    zone = timezone_from_location(float(match["lat"]), float(match["lon"]))
    return IntakeUpdate(fields={"timezone": zone} if zone else {}, confidence=1.0 if zone else 0.0)


def _nonanswer_update(kind: NonAnswer, expecting: str | None) -> IntakeUpdate:
    if expecting == "topics" and kind in _NO_TOPICS:
        fields = {"topics": [], "topics_answered": True}
        return IntakeUpdate(fields=fields, nonanswer=kind, confidence=0.9)
    return IntakeUpdate(nonanswer=kind, confidence=0.9)


def _parse(text: str, today: date, expecting: str | None, goal: Goal | None) -> IntakeUpdate:
    location = _location_update(text)
    if location is not None:
        return location
    cleaned = clean_text(text)
    if not cleaned.strip() or cleaned.lstrip().startswith("/"):
        return IntakeUpdate()
    if expecting not in {None, "confirm"} and asks_back(cleaned):
        return _nonanswer_update("question", expecting)  # "what counts as intermediate?"
    if expecting in _CLASSIFY_FIRST:
        kind = classify_nonanswer(cleaned, asking=expecting)
        if kind is not None and (kind != "question" or expecting in {"goal", "topics"}):
            return _nonanswer_update(kind, expecting)
    elif expecting in _ANYTHING_FIRST and listed_nonanswer(cleaned) == "anything":
        return _nonanswer_update("anything", expecting)
    if expecting == "confirm":
        cleaned = _REPLACED_RE.sub(lambda m: " " * len(m.group()), cleaned)
    scan = Scan.of(normalise_amounts(correct_typos(cleaned)), today, expecting)
    extract_session_hours(scan)
    extract_hours(scan)
    settle_range(scan)
    extract_weeks(scan)  # before dates: "a fortnight" is a length, "by March 1" a date
    _extract_dates(scan)
    _reconcile_deadline(scan)
    windows = extract_availability(scan)
    if windows and "hours_per_week" not in scan.fields and not (goal and goal.hours_per_week):
        # "mon wed fri 7-8pm": 3 h, reported as the card proposes it (README, understand)
        scan.fields["hours_per_week"] = windows
    hint = find_goal(scan)
    known = goal.goal if goal and goal.goal else None
    subject = extract_skill(scan, goal=known, hint=tuple(hint) if hint else None)
    options = _extract_zone(scan)
    extract_topics(scan, goal.topics if goal else None)
    specific = _extract_goal(scan, subject)
    derived = scan.fields.pop(_DERIVED, [])
    unclear = scan.fields.pop(_UNCLEAR, [])
    assumed_days = scan.fields.pop(ASSUMED_DAYS, [])
    fields = scan.fields
    if not fields and not options and not scan.problems:
        kind = classify_nonanswer(cleaned, asking=expecting, loose=True)
        kind = kind or (None if specific else "unsure")
        if kind is not None:
            return _nonanswer_update(kind, expecting)
    confidence = 1.0 if fields or options or unclear else 0.0
    return IntakeUpdate(
        fields=fields,
        problems=scan.problems,
        zone_options=options,
        confidence=confidence,
        derived=derived,
        unclear=unclear,
        assumed_days=assumed_days,
    )


def parse_intake(
    text: str, *, today: date, expecting: str | None = None, goal: Goal | None = None
) -> IntakeUpdate:
    """Every Goal field stated in `text`; `expecting` is the field the bot just asked for and
    `goal` what intake knows so far."""
    try:
        update = _parse(text, today, expecting, goal)
        hedged = after_hedge(text) if expecting in _HEDGED_FIELDS else None
        if update.nonanswer == "unsure" and hedged:
            retried = _parse(hedged, today, expecting, goal)  # "idk maybe 4": the 4 counts
            if retried.fields:
                return retried
        return update
    except Exception:
        return IntakeUpdate()


def missing_fields(goal: Goal) -> list[str]:
    """Fields intake still has to ask for, in asking order."""
    present = {
        "goal": bool(goal.goal and goal.goal.strip()),
        "skill_level": goal.skill_level is not None,
        "hours_per_week": goal.hours_per_week is not None,
        "weeks": goal.weeks is not None or goal.deadline is not None,
        "topics": bool(goal.topics) or goal.topics_answered,
        "availability": bool(goal.availability),
        "timezone": bool(goal.timezone),
    }
    return [name for name in FIELD_ORDER if not present[name]]
