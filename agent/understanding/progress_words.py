"""Word-level repairs and cues for the progress rules (`agent.understanding.progress`).

`repair` fixes what people type fast: contractions without the apostrophe ("didnt") and
one-edit typos of the key progress words ("finshed", "compelted"), unless the typo is a
word of the plan's own titles. `did_module` tells "did practice exam 1 — 2h10" (the module
itself was done) from "did 40 minutes of grouping" (time spent on it); `log_module` keeps a
log's module only when its words name that module, not another thing or the plan's subject
("practiced guitar 25 min"). Words come from
``data/progress.yaml``.
"""

from __future__ import annotations

import re
from functools import cache

from agent.understanding.progress_modules import (
    Resolution,
    names_something_else,
    only_the_subject,
    resolve_module,
    words,
)
from agent.understanding.typos import fix_typos, plan_words
from storage.models import Plan

_DID_RE = re.compile(r"\bdid\s+(?:the\s+|my\s+|today's\s+|todays\s+)?(?P<rest>\S.*)")
# After "did", these say how much was done, not which module: "did some", "did about 40".
_AMOUNT_STARTS = frozenset(
    {"some", "a", "an", "about", "around", "roughly", "half", "part", "bits", "most", "more"}
)


@cache
def _contractions() -> dict[str, str]:
    return {str(k): str(v) for k, v in words()["contractions"].items()}


@cache
def _typo_targets() -> tuple[str, ...]:
    return tuple(str(w) for w in words()["typo_targets"])


@cache
def _known() -> frozenset[str]:
    """Words never corrected: the targets themselves and the filler vocabulary."""
    return frozenset([*_typo_targets(), *(str(w) for w in words()["filler"])])


def repair(text: str, plan: Plan | None) -> str:
    """`text` (already lowercased) with apostrophes restored and key-word typos fixed."""
    return fix_typos(text, _typo_targets(), _known() | plan_words(plan), _contractions())


def did_module(text: str, duration: tuple[int, int] | None, plan: Plan | None) -> bool:
    """ "did <a module of the plan>" — the module, not an amount of time, follows "did"."""
    if plan is None:
        return False
    match = _DID_RE.search(text)
    if match is None:
        return False
    rest = match.group("rest")
    first = rest.split()[0].strip(",.:;!") if rest.split() else ""
    if not first or first in _AMOUNT_STARTS or first[:1].isdigit():
        return False
    start = match.start("rest")
    if duration is not None and start <= duration[0] <= start + len(first) + 1:
        return False
    if duration is not None and duration[0] >= start:
        cut = duration[0] - start
        rest = rest[:cut] + " " * (duration[1] - duration[0]) + rest[duration[1] - start :]
    found = resolve_module(rest, plan)
    return bool(found.module_id or found.ambiguous)


def log_module(said: str, found: Resolution, plan: Plan | None) -> Resolution:
    """A log's module, unless its words name another thing ("20 min vocab review" is not
    "Final review and quiz") or only the plan's own subject ("practiced guitar 25 min")."""
    if plan is None:
        return found
    ids = [found.module_id] if found.module_id else list(found.ambiguous)
    modules = [m for m in map(plan.find_module, ids) if m is not None]
    if not modules:
        return found
    if found.module_id and names_something_else(said, modules[0]):
        return Resolution()
    if all(only_the_subject(said, m, plan) for m in modules):
        return Resolution()
    return found
