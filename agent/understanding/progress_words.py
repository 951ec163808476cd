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
    phrases,
    resolve_module,
    words,
)
from agent.understanding.refinement import parse_refinement
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
    """Words never corrected: the targets, the filler vocabulary and listed real words."""
    data = words()
    return frozenset([*_typo_targets(), *(str(w) for w in [*data["filler"], *data["not_typos"]])])


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


_CLAUSES_RE = re.compile(r"[,;.!?]+|\s(?:but|so|and|also|then)\s")


@cache
def _change_res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    data = words()

    def whole(items: list[str]) -> str:
        return rf"(?<![\w'-])(?:{phrases(items)})(?![\w'-])"

    return (
        re.compile(whole(data["change_verbs"])),
        re.compile(whole(data["change_words"])),
        re.compile(rf"^\s*(?:{whole(data['change_request_openers'])})"),
    )


def asks_for_change(text: str, plan: Plan | None) -> bool:
    """Whether a progress message also asks for a plan change ("didn't finish week 2, can
    we move it", "done with closures, make week 5 lighter"): a clause the plan-change rules
    read, or one with a change word that opens with a request ("can we", "please") or with
    the change verb itself. The first clause is the report and is not read."""
    verbs, changes, openers = _change_res()
    clauses = [c.strip() for c in _CLAUSES_RE.split(text.lower().replace("’", "'"))]
    for clause in [c for c in clauses if c][1:]:
        if parse_refinement(clause, plan) if plan is not None else False:
            return True
        verb = verbs.search(clause)
        if verb is None and not changes.search(clause):
            continue
        if openers.search(clause) or (verb is not None and verb.start() == 0):
            return True
    return False


# A report, then a question: "done with the tokio one, what's next?", "finished X! btw …?"
_SENTENCE_RE = re.compile(r"[,;.!?]+\s*|\s(?:but|so|and|also|then|btw|by the way)\s")


@cache
def _question_start_re() -> re.Pattern[str]:
    starts = phrases(words()["question_starts"])
    return re.compile(rf"^(?:btw\s+|by the way\s+)?(?:{starts})\b(?!')")


def report_before_question(text: str) -> str | None:
    """The report that opens a message going on to a question ("done with the tokio one,
    what's next?" → "done with the tokio one"), or None when the message opens with the
    question or does not end with a question mark. The caller keeps the report only when
    it names a module; the node tells the user to ask the question on its own."""
    cuts = [m for m in _SENTENCE_RE.finditer(text) if m.start() > 0]
    if not cuts or _question_start_re().match(text):
        return None
    head = text[: cuts[0].start()].strip()
    rest = text[cuts[0].end() :].strip()
    if not head or not rest.endswith("?"):
        return None
    return head


def asks_question(text: str) -> bool:
    """Whether a progress report goes on to a question (see `report_before_question`)."""
    return report_before_question(" ".join(text.lower().replace("’", "'").split())) is not None
