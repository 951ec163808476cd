"""Rule-based parsing of plan-change requests ("make week 2 lighter") into `RefineOp`s.

Pure functions only. A message is split into clauses ("make week 2 lighter and swap
weeks 3 and 4" → two clauses); each clause is matched against op patterns from the
most specific (swaps, quizzes, week-scoped changes) to the most general (adding or
removing a topic). Matched text is masked so a general pattern never re-reads it.
Ordinary chat ("done", "thanks", "undo") yields no ops.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from agent.refine_ops import RefineOp
from agent.understanding.numbers import (
    MAX_HOURS_PER_WEEK,
    MAX_WEEKS,
    MIN_HOURS_PER_WEEK,
    MIN_WEEKS,
    find_plan_weeks,
    find_weekly_hours,
)
from agent.understanding.refinement_flags import FLAG_RES, bare_weekly_hours, corrected, repair
from agent.understanding.refinement_loads import (
    DROP_WEEK_RES,
    FACTORS,
    GENTLE,
    HEAVIER_PRONOUN_RE,
    LIGHTER_PRONOUN_RE,
    WEEK_OP_RES,
)
from agent.understanding.refinement_topics import (
    ADD_TOPIC_RES,
    MORE_ON_RES,
    REMOVE_TOPIC_RES,
    REPLACE_RE,
    SELF_SUBJECT_RE,
    clean_topic,
    clean_topics,
)
from agent.understanding.refinement_weeks import (
    alternation,
    edge_pair,
    history_request,
    move_res,
    name_weeks,
    relative_hours,
    relative_weeks,
    scaled_hours,
    scaled_weeks,
    translate,
    week_numbers,
    week_patterns,
    words,
)
from storage.models import Plan

__all__ = ["history_request", "parse_refinement", "unresolved_removal"]

_FLAGS = re.IGNORECASE | re.ASCII
_MASK = "\x1f"
_MAX_CHARS = 2000

_WEEK, _WEEKS = week_patterns()
_POSITION = (
    alternation([*words()["week_ordinals"], *words()["week_from_end"]]) + r"|\d{1,2}(?:st|nd|rd|th)"
)
_CARDINAL = rf"(?:\d{{1,2}}|{alternation(words()['week_cardinals'])})"
_SWAP_RES = tuple(
    re.compile(pattern, _FLAGS)
    for pattern in (
        r"\b(?:swap|switch|exchange|flip|interchange|trade|reverse)\s+(?:the\s+order\s+of\s+)?"
        rf"(?:weeks?\s*)?(?P<a>{_CARDINAL})\s*(?:and|with|&|<->|/|,)\s*(?:week\s*)?(?P<b>{_CARDINAL})\b",
        rf"\b(?:{alternation(words()['swap_verbs'])})\s+(?P<a>{_WEEK})\s+(?:and|with|for)\s+"
        rf"(?P<b>{_WEEK})",
        rf"(?P<a>{_WEEK})\s+(?:and|&)\s+(?P<b>{_WEEK}|{_CARDINAL})\s+(?:should\s+be\s+)?swapped",
        rf"\b(?:{alternation(words()['swap_verbs'])})\s+(?:the\s+)?"
        rf"(?P<a>{_POSITION})\s+(?:week\s+)?(?:and|with|&)\s+(?:the\s+)?(?P<b>{_POSITION})\s+weeks?",
    )
)
_QUIZ_RE = re.compile(
    r"\b(?:drop|remove|skip|delete|cut|ditch|get\s+rid\s+of|no(?:\s+more)?|without|lose"
    r"|leave\s+out|take\s+out|scrap|kill|nix|bin|forget(?:\s+about)?"
    r"|no\s+need\s+for|stop(?:\s+doing)?|(?:i'?d\s+)?rather\s+not\s+(?:do|have|take)"
    r"|(?:i\s+)?(?:don'?t|do\s+not)\s+(?:want|need|like)(?:\s+to\s+(?:do|take))?)\s+"
    rf"(?P<det>the\s+|that\s+|this\s+|a\s+|any\s+|all\s+(?:the\s+)?)?(?:(?P<a>{_WEEKS})\s+)?"
    r"(?P<noun>quiz(?:zes|es)?)\b"
    rf"(?:\s+(?:in|for|from|of|on|at\s+the\s+end\s+of)\s+(?P<b>{_WEEKS}))?",
    _FLAGS,
)
_QUIZ_TITLE_RE = re.compile(r"\bquiz\b", _FLAGS)
_NO_TOPIC_RE = re.compile(
    r"^\s*no\s+(?!more\b|need\b|thanks\b|problem\b|worries\b|way\b|idea\b|rush\b)"
    r"(?P<t>[^,;.!?\n\x1f]{1,40}?)\s*(?:,|\s+(?:please|pls|plz|thanks|thank\s+you|thx)\b)",
    _FLAGS,
)
_HOURS_CUE_RE = re.compile(rf"\b(?:{alternation(words()['hours_cues'])})\b", _FLAGS)
_BARE_HOURS_RE = re.compile(
    r"\b(?:change|set|reduce|increase|lower|raise|bump|drop|cut|cap|limit|down|up|only|make)"
    r"\s+(?:it\s+|the\s+(?:hours|budget|time)\s+|my\s+(?:hours|budget|time)\s+|hours\s+)?"
    r"(?:down\s+|up\s+)?(?:to\s+)?(?P<n>\d{1,3}(?:\.\d{1,2})?)\s*(?:h|hrs?|hours?)\b",
    _FLAGS,
)
_WEEKS_CUE_RE = re.compile(rf"\b(?:{alternation(words()['weeks_cues'])})\b", _FLAGS)
_RELATIVE_WEEKS_RE = re.compile(r"\b(?:by|more|extra|another|additional|add)\s+\S*\s*$", _FLAGS)
_CLAUSE_BREAK_RE = re.compile(
    r"[.;!?\n]|,|\b(?:and\s+then|and\s+also|then|also|plus)\b"
    r"|\band\b(?=\s+(?:make|swap|switch|drop|remove|add|include|skip|extend|shorten|less|more"
    r"|no|put|give|i\s+can|i\s+only|cut|lighten|reduce|increase|change|set|get\s+rid|leave\s+out"
    r"|move|exchange|let'?s|please|can\s+you|could\s+you|it'?s|its|fewer|lose|ditch|delete"
    r"|focus|go\s+deeper|too)\b)",
    _FLAGS,
)
_REMARK_STARTS = frozenset(str(w) for w in words()["remark_starts"])
_REASON_RE = re.compile(rf"^\s*(?:{alternation(words()['reason_starts'])})(?![\w'])", _FLAGS)
# A week's load and the plan's difficulty in the same direction.
_SAME_WAY = {"heavier_week": "harder", "lighter_week": "easier"}
_ARROW_RE = re.compile(r"[\u2190-\u21ff\u27f0-\u27ff\u2900-\u297f]|(?<![<\w])-+>|=>")
_REFINE_COMMAND_RE = re.compile(r"^\s*/(?:refine|change|adjust|edit)(?:@\w+)?\b", _FLAGS)


@dataclass
class _Clause:
    """One clause of the message; matched text is masked as ops are found."""

    display: str
    work: str
    message: str
    plan_weeks: int | None = None
    plan_hours: float | None = None
    quiz_weeks: tuple[int, ...] = ()
    ops: list[tuple[int, RefineOp]] = field(default_factory=list)

    def matches(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        for match in list(pattern.finditer(self.work)):
            if _MASK not in self.work[match.start() : match.end()]:
                yield match

    def add(self, start: int, end: int, op: RefineOp) -> None:
        self.work = self.work[:start] + _MASK * (end - start) + self.work[end:]
        self.ops.append((start, op))


def _week_number(text: str | None, plan_weeks: int | None) -> int | None:
    numbers = week_numbers(text, plan_weeks)
    return numbers[0] if numbers else None


def _week_ops(clause: _Clause) -> None:
    for kind, pattern in WEEK_OP_RES:
        for match in clause.matches(pattern):
            weeks = week_numbers(match["a"], clause.plan_weeks)
            if not weeks:
                continue
            modifier = " ".join((match.groupdict().get("mod") or "").split()).lower()
            factor = FACTORS[kind].get(modifier)
            if modifier in {"a bit", "a little", "slightly"}:
                factor = GENTLE[kind]
            if match.group().lower().lstrip().startswith("halve"):
                factor = 0.5
            clause.add(*match.span(), RefineOp(kind=kind, week=weeks[0], factor=factor))
            for offset, week in enumerate(weeks[1:], start=1):
                clause.ops.append(
                    (match.start() + offset, RefineOp(kind=kind, week=week, factor=factor))
                )


def _swap_ops(clause: _Clause) -> None:
    edge = edge_pair(clause.work, clause.plan_weeks)
    if edge is not None and _MASK not in clause.work[edge[2][0] : edge[2][1]]:
        clause.add(*edge[2], RefineOp(kind="swap_weeks", week=edge[0], other_week=edge[1]))
    for pattern in _SWAP_RES:
        for match in clause.matches(pattern):
            first = _week_number(match["a"], clause.plan_weeks)
            second = _week_number(match["b"], clause.plan_weeks)
            if first is None or second is None or first == second:
                continue
            low, high = sorted((first, second))
            clause.add(*match.span(), RefineOp(kind="swap_weeks", week=low, other_week=high))


def _quiz_weeks(plan: Plan | None) -> tuple[int, ...]:
    """The weeks of `plan` with a quiz (its own, or a module titled as one)."""
    if plan is None:
        return ()
    return tuple(
        w.number
        for w in plan.weeks
        if w.quiz is not None or any(_QUIZ_TITLE_RE.search(m.title) for m in w.modules)
    )


def _quiz_ops(clause: _Clause) -> None:
    """ "no quizzes" drops every quiz; "drop the quiz" is the plan's one quiz when it has
    exactly one (otherwise every quiz, as before)."""
    for match in clause.matches(_QUIZ_RE):
        found = week_numbers(match["a"] or match["b"], clause.plan_weeks)
        singular = match["noun"].lower() == "quiz" and (match["det"] or "").strip().lower() in {
            "the",
            "that",
            "this",
        }
        if not found and singular and len(clause.quiz_weeks) == 1:
            found = list(clause.quiz_weeks)
        weeks: list[int | None] = [*found] or [None]
        clause.add(*match.span(), RefineOp(kind="drop_quiz", week=weeks[0]))
        for offset, week in enumerate(weeks[1:], start=1):
            clause.ops.append((match.start() + offset, RefineOp(kind="drop_quiz", week=week)))


def _hours_ops(clause: _Clause) -> None:
    found = [(q.value, q.start, q.end) for q in find_weekly_hours(clause.work)]
    if not found:
        found = [(float(m["n"]), *m.span()) for m in clause.matches(_BARE_HOURS_RE)]
    if not found:
        found = bare_weekly_hours(clause.work, clause.message)
    if not found or not _HOURS_CUE_RE.search(clause.message):
        return
    value, start, end = found[-1]
    if _MASK in clause.work[start:end]:
        return
    if MIN_HOURS_PER_WEEK <= value <= MAX_HOURS_PER_WEEK:
        clause.add(start, end, RefineOp(kind="set_hours", hours=value))


def _relative_ops(clause: _Clause) -> None:
    """ "add two more weeks", "shorten it by a week" → set_weeks, from the plan's length."""
    found = relative_weeks(clause.work)
    if found is None or clause.plan_weeks is None:
        return
    change, (start, end) = found
    if _MASK in clause.work[start:end]:
        return
    weeks = min(MAX_WEEKS, max(MIN_WEEKS, clause.plan_weeks + change))
    if weeks != clause.plan_weeks:
        clause.add(start, end, RefineOp(kind="set_weeks", weeks=weeks))


def _scaled_weeks_ops(clause: _Clause) -> None:
    """ "make it twice as long", "cut the plan in half" → set_weeks, from the plan's length."""
    found = scaled_weeks(clause.work)
    if found is None or clause.plan_weeks is None:
        return
    factor, (start, end) = found
    weeks = min(MAX_WEEKS, max(MIN_WEEKS, round(clause.plan_weeks * factor)))
    if _MASK not in clause.work[start:end] and weeks != clause.plan_weeks:
        clause.add(start, end, RefineOp(kind="set_weeks", weeks=weeks))


def _drop_week_ops(clause: _Clause) -> None:
    """ "drop week 3", "get rid of the fifth week": that week leaves the plan."""
    for pattern in DROP_WEEK_RES:
        for match in clause.matches(pattern):
            week = _week_number(match["a"], clause.plan_weeks)
            if week is not None and (clause.plan_weeks is None or week <= clause.plan_weeks):
                clause.add(*match.span(), RefineOp(kind="drop_week", week=week))


def _relative_hours_ops(clause: _Clause) -> None:
    """ "an extra hour per week", "two hours less" → set_hours, from the plan's budget."""
    if clause.plan_hours is None:
        return
    scaled = scaled_hours(clause.work)
    found = relative_hours(clause.work)
    if scaled is not None:
        factor, (start, end) = scaled
        hours = round(clause.plan_hours * factor * 2) / 2
    elif found is not None:
        change, (start, end) = found
        hours = round(clause.plan_hours + change, 2)
    else:
        return
    if _MASK in clause.work[start:end]:
        return
    if MIN_HOURS_PER_WEEK <= hours <= MAX_HOURS_PER_WEEK and hours != clause.plan_hours:
        clause.add(start, end, RefineOp(kind="set_hours", hours=hours))


def _move_ops(clause: _Clause) -> None:
    """ "put week 2 last", "move week 3 to the start", "do week 5 before week 2"."""
    for pattern in move_res():
        for match in clause.matches(pattern):
            groups = match.groupdict()
            week = _week_number(groups["a"], clause.plan_weeks)
            target: int | None = None
            if groups.get("start"):
                target = 1
            elif groups.get("end"):
                target = clause.plan_weeks
            elif groups.get("b"):
                other = _week_number(groups["b"], clause.plan_weeks)
                if other is None and groups["b"]:
                    digits = re.search(r"\d+", groups["b"])
                    other = int(digits.group()) if digits else None
                if other is not None and week is not None:
                    target = other
                    if groups.get("before") and week < other:
                        target = other - 1
                    elif groups.get("after") and week > other:
                        target = other + 1
            if week is None or target is None or week == target:
                continue
            if abs(week - target) == 1 and (groups.get("before") or groups.get("after")):
                low, high = sorted((week, target))
                op = RefineOp(kind="swap_weeks", week=low, other_week=high)
            else:
                op = RefineOp(kind="move_week", week=week, to=target)
            clause.add(*match.span(), op)


def _weeks_ops(clause: _Clause) -> None:
    if not _WEEKS_CUE_RE.search(clause.message):
        return
    for quantity in find_plan_weeks(clause.work):
        if _MASK in clause.work[quantity.start : quantity.end]:
            continue
        if _RELATIVE_WEEKS_RE.search(clause.work[: quantity.start]):
            continue
        weeks = int(quantity.value)
        if MIN_WEEKS <= weeks <= MAX_WEEKS:
            clause.add(quantity.start, quantity.end, RefineOp(kind="set_weeks", weeks=weeks))


def _flag_ops(clause: _Clause) -> None:
    for kind, patterns in FLAG_RES:
        for pattern in patterns:
            for match in clause.matches(pattern):
                clause.add(*match.span(), RefineOp(kind=kind))


def _topic_ops(clause: _Clause, kind: str, patterns: tuple[re.Pattern[str], ...]) -> None:
    for pattern in patterns:
        for match in clause.matches(pattern):
            if SELF_SUBJECT_RE.search(clause.work[: match.start()]):
                continue  # "can I add a note?" is about the user, not the plan
            topics, practice = clean_topics(clause.display[match.start("t") : match.end("t")])
            if not topics:
                continue
            clause.add(*match.span(), RefineOp(kind=kind, topic=topics[0]))
            for offset, topic in enumerate(topics[1:], start=1):
                clause.ops.append((match.start() + offset, RefineOp(kind=kind, topic=topic)))
            if practice and kind == "more_on":
                clause.ops.append((match.end(), RefineOp(kind="more_practice")))


def _replace_ops(clause: _Clause) -> None:
    """ "replace LoRA with QLoRA" → remove LoRA, add QLoRA."""
    for match in clause.matches(REPLACE_RE):
        old = clean_topic(clause.display[match.start("old") : match.end("old")])
        new = clean_topic(clause.display[match.start("new") : match.end("new")])
        if old and new:
            clause.add(*match.span(), RefineOp(kind="remove_topic", topic=old[0]))
            clause.ops.append((match.start() + 1, RefineOp(kind="add_topic", topic=new[0])))


def _clause_ops(display: str, message: str, plan: Plan | None) -> list[RefineOp]:
    weeks = len(plan.weeks) if plan is not None and plan.weeks else None
    hours = float(plan.hours_per_week) if plan is not None else None
    clause = _Clause(display, display, message, weeks, hours, _quiz_weeks(plan))
    steps: tuple[Callable[[_Clause], None], ...] = (
        _move_ops,
        _swap_ops,
        _quiz_ops,
        _relative_ops,
        _scaled_weeks_ops,
        _drop_week_ops,
        _week_ops,
        _relative_hours_ops,
        _hours_ops,
        _weeks_ops,
        _flag_ops,
        _replace_ops,
        lambda c: _topic_ops(c, "remove_topic", REMOVE_TOPIC_RES),
        lambda c: _topic_ops(c, "remove_topic", (_NO_TOPIC_RE,)),
        lambda c: _topic_ops(c, "more_on", MORE_ON_RES),
        lambda c: _topic_ops(c, "add_topic", ADD_TOPIC_RES),
    )
    for step in steps:
        step(clause)
    return [op for _, op in sorted(clause.ops, key=lambda item: item[0])]


def _clauses(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _CLAUSE_BREAK_RE.finditer(text):
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


def _prepare(text: str, plan: Plan | None = None) -> str | None:
    """Printable text with emoji and other symbols as spaces; None for other commands."""
    text = "".join(
        ch if (ch.isprintable() or ch == "\n") and unicodedata.category(ch) != "So" else " "
        for ch in text[:_MAX_CHARS]
    )
    text = text.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = _ARROW_RE.sub(" ", text)  # "week 2 → lighter"
    text = name_weeks(repair(corrected(translate(text)), plan), plan)
    command = _REFINE_COMMAND_RE.match(text)
    if command:
        return text[command.end() :]
    return None if text.lstrip().startswith("/") else text


def _continued_list(clause: str, previous: list[RefineOp]) -> list[RefineOp]:
    """ "add LoRA, QLoRA and DPO": bare items after a topic op continue its list."""
    if not previous or previous[-1].kind not in {"add_topic", "remove_topic", "more_on"}:
        return []
    first = clause.split()[0].lower().strip(",;:") if clause.split() else ""
    if first in _REMARK_STARTS:
        return []
    topics = clean_topic(clause)
    if not topics or any(len(t.split()) > 4 for t in topics):
        return []
    return [RefineOp(kind=previous[-1].kind, topic=t) for t in topics]


def _pronoun_week_ops(clause: str, named: list[int]) -> list[RefineOp]:
    """ "I'm free in week 9, load it up": a load idiom about the week an earlier clause
    named (and did nothing else with)."""
    if len(named) != 1:
        return []
    if HEAVIER_PRONOUN_RE.search(clause):
        return [RefineOp(kind="heavier_week", week=named[0])]
    if LIGHTER_PRONOUN_RE.search(clause):
        return [RefineOp(kind="lighter_week", week=named[0])]
    return []


def _without_reasons(ops: list[RefineOp], reasons: list[RefineOp]) -> list[RefineOp]:
    """ "put more into week 2, it's too easy": the reason's "harder" is the week's, so it
    goes when a week is changed the same way."""
    loads = {_SAME_WAY[op.kind] for op in ops if op.kind in _SAME_WAY}
    return [op for op in ops if not (op in reasons and op.kind in loads)]


def _parse(text: str, plan: Plan | None) -> list[RefineOp]:
    prepared = _prepare(text, plan)
    if prepared is None:
        return []
    ops: list[RefineOp] = []
    reasons: list[RefineOp] = []
    weeks = len(plan.weeks) if plan is not None and plan.weeks else None
    named: list[int] = []
    for clause in _clauses(prepared):
        found = (
            _clause_ops(clause, prepared, plan)
            or _continued_list(clause, ops)
            or _pronoun_week_ops(clause, named)
        )
        if not found:
            named = week_numbers(" ".join(re.findall(_WEEK, clause, _FLAGS)), weeks) or named
        if _REASON_RE.match(clause):
            reasons.extend(found)
        for op in found:
            if op not in ops:
                ops.append(op)
    return _without_reasons(ops, reasons)


def parse_refinement(text: str, plan: Plan | None = None) -> list[RefineOp]:
    """The plan changes requested in `text`, in order; [] when it is not a change request.

    With the plan, references that need it are resolved: "the last week", relative
    lengths ("add two more weeks" on a 6-week plan → set_weeks 8), "put week 2 last".
    """
    try:
        return _parse(text, plan)
    except Exception:
        return []


_PRONOUN_REMOVAL_RE = re.compile(
    r"^\s*(?:(?:please|pls|ok|okay|actually|hmm|just|and|also)[\s,]+)*"
    r"(?:take|remove|drop|delete|cut|ditch|get\s+rid\s+of|skip|leave)\s+"
    r"(?:it|that|this|them|those|these|that\s+one|this\s+one|that\s+part|this\s+part)"
    r"(?:\s+(?:out|off))?(?:\s+(?:of\s+(?:the|my)\s+plan|please|pls|too|as\s+well))*"
    r"\s*[.!]*\s*$",
    _FLAGS,
)


def unresolved_removal(text: str) -> bool:
    """ "take it out", "remove that": a removal whose object is a pronoun the rules can't
    resolve — ask which topic, never guess (and never take "it" as a topic)."""
    return isinstance(text, str) and _PRONOUN_REMOVAL_RE.match(text[:200]) is not None
