"""Week references, relative plan lengths, week moves and history requests for the
refinement rules. The words come from ``data/refinement.yaml``.

Week references are read against the plan when there is one: "the last week" is the
plan's last week, "add two more weeks" on a 6-week plan means 8 weeks. Without a plan a
reference that needs one ("the last week", "two more weeks") yields nothing rather than
a guess.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from agent.understanding.numbers import NUMBER_PATTERN, parse_number
from agent.understanding.progress_modules import title_score, tokens
from agent.understanding.text import swap_words
from storage.models import Plan

FLAGS = re.IGNORECASE


@cache
def words() -> dict[str, Any]:
    """The refinement word lists (loaded once)."""
    text = resources.files("agent.understanding").joinpath("data/refinement.yaml").read_text()
    return dict(yaml.safe_load(text))


def alternation(phrases: Any) -> str:
    """A regex alternation of whole phrases, longest first; spaces match any whitespace."""
    items = sorted({str(p) for p in phrases}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in items)


@cache
def week_patterns() -> tuple[str, str]:
    """(one week reference, a list of week references) as regex sources."""
    data = words()
    cardinal = rf"(?:\d{{1,2}}|{alternation(data['week_cardinals'])})"
    ordinal = rf"(?:{alternation(data['week_ordinals'])}|\d{{1,2}}(?:st|nd|rd|th))"
    from_end = alternation(data["week_from_end"])
    week = (
        rf"(?:week\s*[#-]?\s*{cardinal}\b|(?:the\s+|my\s+)?(?:{from_end}|{ordinal})\s+week\b"
        rf"|\bw{cardinal}\b(?!\s*m\d)|\bwk\s*{cardinal}\b(?!\s*m\d))(?:'s)?"
    )
    weeks = rf"(?:weeks?\s+{cardinal}(?:\s*(?:,|and|&|-|to)\s*(?:week\s+)?{cardinal})+\b|{week})"
    return week, weeks


_SHORT_WEEK_RE = re.compile(r"\bw(?:k|eek)?\s*(\d{1,2})\b", FLAGS)


@cache
def _token_re() -> re.Pattern[str]:
    data = words()
    tokens = alternation([*data["week_from_end"], *data["week_ordinals"], *data["week_cardinals"]])
    return re.compile(rf"\b({tokens}|\d{{1,2}}(?:st|nd|rd|th)?)\b", FLAGS)


def week_numbers(text: str | None, plan_weeks: int | None) -> list[int]:
    """Week numbers in a reference like "week 2", "the third week", "weeks 2 and 3",
    "the last week" (needs `plan_weeks`)."""
    data = words()
    numbers: list[int] = []
    span = _SHORT_WEEK_RE.sub(r"week \1", " ".join((text or "").lower().split()))
    for match in _token_re().finditer(span):
        token = match.group(1)
        number: int | None
        if token in data["week_from_end"]:
            number = plan_weeks - int(data["week_from_end"][token]) if plan_weeks else None
        elif token in data["week_ordinals"]:
            number = int(data["week_ordinals"][token])
        elif token in data["week_cardinals"]:
            number = int(data["week_cardinals"][token])
        else:
            number = int(re.match(r"\d+", token).group())  # type: ignore[union-attr]
        if number and number >= 1 and number not in numbers:
            numbers.append(number)
    if re.search(r"\d\s*(?:-|to)\s*\d", span) and len(numbers) == 2 and numbers[0] < numbers[1]:
        numbers = list(range(numbers[0], numbers[1] + 1))
    return numbers


# ---- relative plan lengths ------------------------------------------------------------


@cache
def relative_length_res() -> tuple[tuple[int, re.Pattern[str]], ...]:
    """(sign, pattern with group n) for "two more weeks", "a week shorter", … ."""
    data = words()
    n = rf"(?P<n>{NUMBER_PATTERN}|another)"
    more = alternation(data["more_weeks"])
    shorter = alternation(data["shorter"])
    extend = alternation(data["extend_verbs"])
    shorten = alternation(data["shorten_verbs"])
    add = alternation(data["add_verbs"])
    drop = alternation(data["drop_verbs"])
    end = alternation(data["week_from_end"])
    obj = r"(?:\s+(?:it|the\s+plan|this|the\s+whole\s+thing|things|my\s+plan))?"
    longer_sources = [
        rf"\b{n}\s+(?:{more})\s+weeks?\b",
        rf"\b(?:another|one\s+more|an?\s+(?:{more}))\s+(?P<m>{NUMBER_PATTERN}\s+)?weeks?\b",
        rf"\b(?:{extend}){obj}\s+by\s+{n}\s+weeks?\b",
        rf"\b{n}\s+weeks?\s+(?:longer|more)\b",
        rf"\b(?:longer|bigger)\s+by\s+{n}\s+weeks?\b",
        rf"\b(?:{add})\s+{n}\s+weeks?\b(?!\s+(?:on|about|of|for|with)\b)",
        rf"\b(?:{add})\s+(?:an?\s+(?:extra\s+|additional\s+)?)?week\b(?!\s*\d)"
        r"(?!\s+(?:on|about|of|for|with)\b)",
        rf"\b(?:{add})\s+{n}\s+(?:more\s+)?weeks?\s+(?:to|on\s+to|onto)\s+(?:it|the\s+plan|the\s+end)\b",
    ]
    shorter_sources = [
        rf"\b(?:{shorten}){obj}(?:\s+down)?\s+by\s+{n}\s+weeks?\b",
        rf"\b{n}\s+weeks?\s+(?:shorter|less)\b",
        rf"\b(?:{shorter}|smaller)\s+by\s+{n}\s+weeks?\b",
        rf"\b{n}\s+weeks?\s+(?:earlier|sooner)\b",
        rf"\b{n}\s+(?:{shorter})\s+weeks?\b",
        rf"\b(?:{drop})\s+(?:a|one|{n})\s+weeks?\b(?!\s*\d)",
        rf"\b(?:{drop})\s+the\s+(?:{end})\s+(?:(?P<m>{NUMBER_PATTERN})\s+)?weeks?\b",
        rf"\b(?:{shorten}|knock|chop)\s+(?:a|one|{n})\s+weeks?\s+off\b",
    ]
    return tuple(
        [(+1, re.compile(s, FLAGS)) for s in longer_sources]
        + [(-1, re.compile(s, FLAGS)) for s in shorter_sources]
    )


def relative_weeks(text: str) -> tuple[int, tuple[int, int]] | None:
    """(change in weeks, span) of the first relative length in `text`, e.g. +2."""
    for sign, pattern in relative_length_res():
        match = pattern.search(text)
        if match is None:
            continue
        groups = match.groupdict()
        token = groups.get("m") or groups.get("n") or "one"
        value = 1.0 if token.strip().lower() in {"another", "a", "an"} else parse_number(token)
        if value is None or value != int(value) or not 1 <= value <= 52:
            continue
        return sign * int(value), match.span()
    return None


@cache
def relative_hours_res() -> tuple[tuple[int, re.Pattern[str]], ...]:
    """(sign, pattern with group n) for "an extra hour a week", "two hours less", … ."""
    data = words()
    n = rf"(?P<n>{NUMBER_PATTERN}|another)"
    unit = rf"(?:{alternation(data['hour_units'])})\b"
    more = alternation(data["more_weeks"])
    shorter = alternation(data["shorter"])
    per = rf"(?:\s*(?:{alternation(data['per_week'])}))?"
    longer_sources = [
        rf"\b{n}\s+(?:{more})\s+{unit}{per}",
        rf"\b{n}\s+{unit}\s+more\b{per}",
        rf"\b(?:add|give\s+me|plus)\s+{n}\s+{unit}{per}(?!\s+(?:to|in|for|on)\s+week)",
        rf"\b(?:increase|raise|bump|up)(?:\s+(?:it|that|the\s+hours|my\s+hours))?\s+by\s+"
        rf"{n}\s+{unit}",
        rf"(?<![\w+])\+\s*{n}\s*{unit}{per}",
    ]
    shorter_sources = [
        rf"\b{n}\s+{unit}\s+(?:less|fewer)\b{per}",
        rf"(?<![\w-])-\s*{n}\s*{unit}{per}",
        rf"\b{n}\s+(?:{shorter})\s+{unit}{per}",
        rf"\b(?:reduce|cut|lower|drop|decrease)(?:\s+(?:it|that|the\s+hours|my\s+hours))?\s+"
        rf"by\s+{n}\s+{unit}",
        rf"\b(?:cut|drop|remove|take\s+off|lose|minus)\s+{n}\s+{unit}{per}"
        rf"(?!\s+(?:from|in|of)\s+week)",
    ]
    return tuple(
        [(+1, re.compile(s, FLAGS)) for s in longer_sources]
        + [(-1, re.compile(s, FLAGS)) for s in shorter_sources]
    )


_SCALE_RE = re.compile(
    r"\b(?P<how>halve|half|cut\s+in\s+half|double|twice)\s+(?:the|my|all\s+the)?\s*"
    r"(?:weekly\s+)?(?:hours|time|workload|study\s+time|load)\b",
    FLAGS,
)


def scaled_hours(text: str) -> tuple[float, tuple[int, int]] | None:
    """(factor, span) for "halve the hours" (0.5) or "double my study time" (2)."""
    match = _SCALE_RE.search(text)
    if match is None:
        return None
    factor = 2.0 if match.group("how").lower() in {"double", "twice"} else 0.5
    return factor, match.span()


def relative_hours(text: str) -> tuple[float, tuple[int, int]] | None:
    """(change in weekly hours, span) of the first relative change in `text`, e.g. +1."""
    for sign, pattern in relative_hours_res():
        match = pattern.search(text)
        if match is None:
            continue
        token = match.group("n").strip().lower()
        value = 1.0 if token in {"another", "a", "an"} else parse_number(token)
        if value is None or not 0 < value <= 60:
            continue
        return sign * value, match.span()
    return None


_EDGE_PAIR_RE = re.compile(
    r"\b(?:swap|switch|exchange|flip|interchange|trade|reverse)\s+(?:the\s+order\s+of\s+)?"
    r"(?:the\s+|my\s+)?(?P<edge>first|last|final|opening|closing)\s+(?:two|2)\s+weeks\b",
    FLAGS,
)


def edge_pair(text: str, plan_weeks: int | None) -> tuple[int, int, tuple[int, int]] | None:
    """ "swap the last two weeks" → (plan_weeks - 1, plan_weeks, span); "the first two"
    → (1, 2, span). None without a plan of at least two weeks."""
    match = _EDGE_PAIR_RE.search(text)
    if match is None or not plan_weeks or plan_weeks < 2:
        return None
    if match.group("edge").lower() in {"first", "opening"}:
        return 1, 2, match.span()
    return plan_weeks - 1, plan_weeks, match.span()


# ---- moving a week ----------------------------------------------------------------------


@cache
def move_res() -> tuple[re.Pattern[str], ...]:
    """Patterns with group a (the week) and one of start/end/before/after/to."""
    data = words()
    week, _ = week_patterns()
    verbs = alternation(data["move_verbs"])
    start = alternation(data["to_start"])
    end = alternation(data["to_end"])
    return tuple(
        re.compile(source, FLAGS)
        for source in (
            rf"\b(?:{verbs})\s+(?P<a>{week})\s+(?:be\s+|come\s+|go\s+|the\s+)?"
            rf"(?:(?P<start>{start})|(?P<end>{end}))\b",
            rf"\b(?:{verbs})\s+(?P<a>{week})\s+(?:(?P<before>before)|(?P<after>after))\s+"
            rf"(?P<b>{week})",
            rf"\b(?:move|shift|push|bring)\s+(?P<a>{week})\s+(?:(?:up|down|back|forward|over)\s+)?"
            rf"(?:to|into)\s+(?:the\s+)?(?:place\s+of\s+)?"
            rf"(?P<b>{week}|position\s+\d{{1,2}})",
            # "move week 6 up so it becomes week 5"
            rf"\b(?:move|shift|push|bring)\s+(?P<a>{week})\s+(?:up|down|back|forward|earlier|later)"
            rf"\s*,?\s+(?:so\s+(?:that\s+)?it\s+(?:becomes|is|'s)|to\s+become|to\s+be|as)\s+"
            rf"(?P<b>{week})",
            rf"(?P<a>{week})\s+(?:should|could|can|must)\s+(?:come|be|go)\s+"
            rf"(?:(?P<start>{start})|(?P<end>{end}))\b",
            rf"^\s*(?P<a>{week})\s+(?:(?P<start>{start})|(?P<end>{end}))\b"
            r"(?!\s+(?:module|one|lesson|part|unit|mod)\b)",
        )
    )


# ---- history ------------------------------------------------------------------------------


@cache
def _history_res() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    data = words()
    undo = re.compile(rf"(?<![\w+-])(?:{alternation(data['undo'])})(?![\w+-])", FLAGS)
    redo = re.compile(rf"(?<![\w+-])(?:{alternation(data['redo'])})(?![\w+-])", FLAGS)
    return undo, redo, frozenset(str(w) for w in data["history_filler"])


def history_request(text: str) -> Literal["undo", "redo"] | None:
    """ "undo", "ctrl+z", "go back", "redo", "ctrl+y": a step in the plan history, when
    nothing but filler words surrounds the phrase."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    undo, redo, filler = _history_res()
    lowered = " ".join(text.lower().replace("’", "'").split())
    for way, pattern in (("redo", redo), ("undo", undo)):
        if pattern.search(lowered) is None:
            continue
        rest = pattern.sub(" ", lowered)
        leftover = [w for w in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", rest) if w not in filler]
        if not leftover:
            return way  # type: ignore[return-value]
    return None


@cache
def _fresh_res() -> tuple[re.Pattern[str], frozenset[str]]:
    data = words()
    fresh = re.compile(rf"(?<![\w+-])(?:{alternation(data['fresh_plan'])})(?![\w+-])", FLAGS)
    return fresh, frozenset(str(w) for w in [*data["fresh_plan_filler"], *data["history_filler"]])


def fresh_plan_request(text: str) -> bool:
    """ "redo it from scratch", "start over with a new plan": a new plan in place of this
    one, when nothing but filler surrounds the phrase."""
    if not isinstance(text, str) or len(text) > 200:
        return False
    pattern, filler = _fresh_res()
    lowered = " ".join(text.lower().replace("’", "'").split())
    if pattern.search(lowered) is None:
        return False
    rest = pattern.sub(" ", lowered)
    return all(w in filler for w in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", rest))


# ---- foreign words, weeks named by their topic, scaled lengths ---------------------------


@cache
def _foreign() -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in words()["foreign"].items()}


def translate(text: str) -> str:
    """ "Woche 2 bitte leichter" → "week 2 please lighter": plan-change words of other
    languages (``foreign`` in the data file) read as English."""
    return swap_words(text, _foreign())


_WEEK_WORD_RE = re.compile(r"\bweek\b(?!\s*\d)", FLAGS)
_NAME_WORD_RE = re.compile(r"[^\s,;.!?]+")
_DETERMINERS = frozenset({"the", "my", "that", "this"})
_MAX_NAME_WORDS = 4


def _week_named(name: str, plan: Plan) -> int | None:
    """The one week whose module titles the words name ("async" → the Tokio week): the
    best-scoring week, unique, and every content word of `name` is a word of its titles."""
    said = tokens(name)
    if not said or all(t.isdigit() for t in said):
        return None
    best: dict[int, float] = {}
    for week in plan.weeks:
        scores = [title_score(said, m)[0] for m in week.modules]
        best[week.number] = max(scores, default=0.0)
    top = max(best.values(), default=0.0)
    winners = [n for n, score in best.items() if score == top]
    if top < 1.0 or len(winners) != 1:
        return None
    week = next(w for w in plan.weeks if w.number == winners[0])
    if any(all(title_score([t], m)[0] < 1.0 for m in week.modules) for t in said):
        return None
    return week.number


def _named_span(text: str, end: int, plan: Plan) -> tuple[int, int] | None:
    """(start, week number) of the longest run of words before `end` that names one week;
    a determiner ("the cloudwatch week") is taken with the name and ends the run."""
    words_before = list(_NAME_WORD_RE.finditer(text[:end]))
    found: tuple[int, int] | None = None
    for k in range(1, min(_MAX_NAME_WORDS, len(words_before)) + 1):
        first = words_before[-k]
        if any(ch in ",;.!?" for ch in text[first.start() : end]):
            break
        if first.group().lower() in _DETERMINERS:
            if found is not None:
                found = (first.start(), found[1])
            break
        number = _week_named(text[first.start() : end], plan)
        if number is not None:
            found = (first.start(), number)
    return found


def name_weeks(text: str, plan: Plan | None) -> str:
    """ "move the async week to the end" → "move week 6 to the end": a week named by the
    topic of its modules becomes its number (only when exactly one week fits)."""
    if plan is None or not plan.weeks:
        return text
    out, last = [], 0
    for match in _WEEK_WORD_RE.finditer(text):
        found = _named_span(text, match.start(), plan)
        if found is None or found[0] < last:
            continue
        out.append(text[last : found[0]])
        out.append(f"week {found[1]}")
        last = match.end()
    out.append(text[last:])
    return "".join(out)


@cache
def _scaled_length_res() -> tuple[tuple[float, re.Pattern[str]], ...]:
    noun = rf"(?:{alternation(words()['length_nouns'])})"
    double = r"(?:twice|double|two\s+times|2\s*x|2\s+times)"
    sources = (
        (2.0, rf"\b{double}\s+as\s+long\b"),
        (2.0, rf"\b{double}\s+(?:longer|the\s+weeks)\b"),
        (2.0, rf"\b(?:double|doubling)\s+{noun}(?:\s+(?:length|duration))?\b(?!\s+hours)"),
        (0.5, r"\bhalf\s+as\s+long\b"),
        (0.5, r"\bhalf\s+the\s+(?:length|weeks|duration|number\s+of\s+weeks)\b"),
        (0.5, rf"\b(?:halve|halving)\s+{noun}\b"),
        (0.5, rf"\b(?:cut|split|chop)\s+{noun}\s+in\s+half\b"),
    )
    return tuple((factor, re.compile(source, FLAGS)) for factor, source in sources)


def scaled_weeks(text: str) -> tuple[float, tuple[int, int]] | None:
    """(factor, span) for "make it twice as long" (2) or "cut the plan in half" (0.5)."""
    for factor, pattern in _scaled_length_res():
        match = pattern.search(text)
        if match is not None:
            return factor, match.span()
    return None
