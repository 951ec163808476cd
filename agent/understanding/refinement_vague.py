"""A change of the plan's length or weekly hours asked without a number ("make the plan
longer", "more hours"): the bot asks how many rather than guessing one. The phrases come
from ``data/refinement.yaml``."""

from __future__ import annotations

import re
from functools import cache

from agent.understanding.refinement_weeks import alternation, words

_FLAGS = re.IGNORECASE
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
# Which Goal field each phrase list leaves open.
_LISTS = (("weeks", "vague_weeks"), ("hours_per_week", "vague_hours"))


@cache
def _vague_res() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (field, re.compile(rf"(?<![\w-])(?:{alternation(words()[name])})(?![\w-])", _FLAGS))
        for field, name in _LISTS
    )


def unclear_change(text: str) -> list[str]:
    """["weeks"] for "make the plan a bit longer", ["hours_per_week"] for "more hours":
    the field a numberless change is about, when nothing but filler surrounds it."""
    if not isinstance(text, str) or len(text) > 200:
        return []
    filler = frozenset(str(w) for w in words()["vague_filler"])
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    for field, pattern in _vague_res():
        if pattern.search(lowered) is None:
            continue
        rest = pattern.sub(" ", lowered)
        if all(w in filler for w in _WORD_RE.findall(rest)):
            return [field]
    return []
