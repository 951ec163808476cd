"""Week loads and whole weeks in plan-change requests: "make week 2 lighter", "week 3 is too
much", "go easy on week 4", "put more into week 5", "I'm free in week 9, load it up", and
"drop week 3" (the week leaves the plan). Words come from ``data/refinement.yaml``."""

from __future__ import annotations

import re

from agent.understanding.refinement_weeks import alternation, week_patterns, words

_FLAGS = re.IGNORECASE | re.ASCII
_WEEK, _WEEKS = week_patterns()

_MODIFIER = r"(?P<mod>a\s+(?:bit|little|lot)\s+|much\s+|way\s+|slightly\s+|even\s+|far\s+)?"

_LIGHTER = alternation(words()["lighter"])
_HEAVIER = alternation(words()["heavier"])
_TOO_MUCH = alternation(words()["too_much"])
_TOO_LITTLE = alternation(words()["too_little"])
_BE = (
    r"(?:is|are|was|were|looks?|seems?|feels?|'s)\s+"
    r"(?:(?:way|much|a\s+bit|a\s+little|kind\s+of|kinda)\s+)?"
)
_SHOULD_BE = (
    r"(?:(?:should|could|can|would|needs\s+to|need\s+to|must)\s+be\s+|be\s+|to\s+be\s+"
    r"|were\s+|was\s+|is\s+|got\s+|became\s+)?"
)

# "week 2 lighter", "week 9: heavier", "week 3 - lighter"
_GAP = r"(?:\s*[:=-]+\s*|\s+)"
_LIGHTER_LEAD = alternation(words()["lighter_leads"])
_HEAVIER_LEAD = alternation(words()["heavier_leads"])
_PLEASE = r"(?:(?:please|pls|plz)\s+)?"

_NEED = alternation(words()["need_verbs"])
_MORE_TIME = alternation(words()["more_time"])
_LESS_TIME = alternation(words()["less_time"])

_WEEK_OPS: tuple[tuple[str, str], ...] = (
    ("heavier_week", rf"(?P<a>{_WEEKS})\s+(?:really\s+)?(?:{_NEED})\s+(?:{_MORE_TIME})\b"),
    ("lighter_week", rf"(?P<a>{_WEEKS})\s+(?:really\s+)?(?:{_NEED})\s+(?:{_LESS_TIME})\b"),
    ("lighter_week", rf"\b(?:{_LIGHTER_LEAD})\s+(?:on\s+|in\s+|during\s+|for\s+)?(?P<a>{_WEEKS})"),
    ("heavier_week", rf"\b(?:{_HEAVIER_LEAD})\s+(?:on\s+|in\s+|during\s+|for\s+)?(?P<a>{_WEEKS})"),
    ("lighter_week", rf"\b(?:make|making|keep)\s+(?P<a>{_WEEKS})\s+{_MODIFIER}(?:{_LIGHTER})"),
    (
        "lighter_week",
        rf"\b(?:an?\s+)?{_MODIFIER}(?:{_LIGHTER})\s+{_PLEASE}(?:(?:for|in|on|during)\s+)?(?P<a>{_WEEKS})",
    ),
    (
        "lighter_week",
        r"\b(?:lighten(?:ing)?|eas(?:e|ing)|reduc(?:e|ing)|shorten(?:ing)?|cut(?:ting)?(?:\s+down)?"
        r"|trim(?:ming)?|halv(?:e|ing)|thin(?:ning)?\s+out|lessen(?:ing)?|lower(?:ing)?)"
        rf"\s+(?:up\s+on\s+|down\s+)?(?:the\s+(?:load|work(?:load)?|hours)\s+(?:in|of|for)\s+)?"
        rf"(?P<a>{_WEEKS})",
    ),
    ("lighter_week", rf"(?P<a>{_WEEKS})\s+{_BE}(?:{_TOO_MUCH})"),
    (
        "lighter_week",
        r"\btoo\s+much\s+(?:work\s+|stuff\s+|content\s+|going\s+on\s+)?(?:in|for|during)\s+"
        rf"(?P<a>{_WEEKS})",
    ),
    (
        "lighter_week",
        rf"\b(?:less|fewer)\s+(?:work|hours|stuff|load|modules|content)\s+(?:in|for|during)\s+"
        rf"(?P<a>{_WEEKS})",
    ),
    (
        "lighter_week",
        rf"(?P<a>{_WEEKS}){_GAP}{_PLEASE}{_SHOULD_BE}{_MODIFIER}(?:{_LIGHTER})",
    ),
    ("heavier_week", rf"\b(?:make|making)\s+(?P<a>{_WEEKS})\s+{_MODIFIER}(?:{_HEAVIER})"),
    (
        "heavier_week",
        rf"\b(?:an?\s+)?{_MODIFIER}(?:{_HEAVIER})\s+{_PLEASE}(?:(?:for|in|on|during)\s+)?(?P<a>{_WEEKS})",
    ),
    (
        "heavier_week",
        rf"\b(?:give|allow|allot|assign|put)\s+(?P<a>{_WEEKS})\s+(?:{_MORE_TIME})\b",
    ),
    (
        "lighter_week",
        rf"\b(?:give|allow|allot|assign|put)\s+(?P<a>{_WEEKS})\s+(?:{_LESS_TIME})\b",
    ),
    (
        "heavier_week",
        r"\b(?:add(?:ing)?\s+more\s+(?:work\s+)?to|increas(?:e|ing)|intensify(?:ing)?"
        r"|beef(?:ing)?\s+up|fill(?:ing)?\s+up|load(?:ing)?\s+up)"
        rf"\s+(?:the\s+(?:load|work(?:load)?|hours)\s+(?:in|of|for)\s+)?(?P<a>{_WEEKS})",
    ),
    ("heavier_week", rf"(?P<a>{_WEEKS})\s+{_BE}(?:{_TOO_LITTLE})"),
    (
        "heavier_week",
        rf"\bmore\s+(?:work|hours|stuff|content|modules)\s+(?:in|for|during)\s+(?P<a>{_WEEKS})",
    ),
    (
        "heavier_week",
        rf"(?P<a>{_WEEKS}){_GAP}{_PLEASE}{_SHOULD_BE}{_MODIFIER}(?:{_HEAVIER})",
    ),
)
WEEK_OP_RES = tuple((kind, re.compile(pattern, _FLAGS)) for kind, pattern in _WEEK_OPS)
FACTORS = {
    "lighter_week": {"much": 0.5, "way": 0.5, "a lot": 0.5, "far": 0.5, "even": 0.5},
    "heavier_week": {"much": 1.6, "way": 1.6, "a lot": 1.6, "far": 1.6, "even": 1.6},
}
GENTLE = {"lighter_week": 0.85, "heavier_week": 1.15}

DROP_WEEK_RES = tuple(
    re.compile(pattern, _FLAGS)
    for pattern in (
        rf"\b(?:{alternation(words()['drop_week_verbs'])})\s+(?P<a>{_WEEK})"
        rf"(?!\s*(?:'s\s+)?(?:quiz|module|lesson|one|unit|mod)\b)(?!\s*m\d)"
        rf"(?:\s+(?:{alternation(words()['drop_week_tails'])})\b)*",
        rf"\b(?:i\s+)?(?:don'?t|do\s+not)\s+(?:need|want)\s+(?P<a>{_WEEK})"
        r"(?=\s*(?:[,.;!]|$|\s+(?:at\s+all|anymore|any\s+more)\b))",
    )
)
LIGHTER_PRONOUN_RE = re.compile(rf"\b(?:{alternation(words()['lighter_pronoun'])})\b", _FLAGS)
HEAVIER_PRONOUN_RE = re.compile(rf"\b(?:{alternation(words()['heavier_pronoun'])})\b", _FLAGS)
