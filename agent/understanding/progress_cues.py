"""Cues the progress rules (`agent.understanding.progress`) read besides "done": partial work,
work begun but not finished, and a module done (or not done) said in other words.

- `partial_span`: "did half", "a third done", "3/4 done", "part 2 half", "made some progress".
- `partial_module`: in "preterite part 1 done, part 2 half" the partial module is the one of
  the clause that says "half", not the first one named.
- `begun_unfinished`: "X started, not finished", "X was too hard, didn't finish" — work begun,
  so partial rather than taken back (unless the message is about the tick itself).
- `completed_in_words`: "learned Em and Am", "installed rust + cargo", "played my first song"
  (the verb of the module's own title, "Playing your first song").
- `missed_in_words`: "haven't recorded myself yet", "didn't install rust".

Pure and rule based; the words live in ``data/progress.yaml``.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise

from agent.understanding.progress_modules import phrases, resolve_module, tokens, words
from agent.understanding.progress_stems import irregular, same_stem
from agent.understanding.refinement import parse_refinement
from storage.models import Plan

_PARTIAL_RE = re.compile(
    r"\bpartial(?:ly)?\b"
    r"|\b(?:did|done|finished|completed|read|through|got\s+through)\s+(?:about\s+|roughly\s+)?"
    r"(?:the\s+)?(?:first\s+)?half\b"
    r"|\bhalf[\s-]*(?:way\s+)?(?:done|finished|through|complete[d]?)\b"
    r"|\bhalfway\b"
    r"|\b(?:did|finished|done|completed)\s+(?:some|part|parts|a\s+bit)\s+of\b"
    r"|\bnot\s+(?:quite|fully|completely|entirely|all\s+the\s+way)\s+"
    r"(?:done|finished|complete[d]?)\b"
    r"|\b(?:mostly|almost|nearly)\s+(?:done|finished|complete[d]?|through)\b"
    # "part 2 half": "half" closing a clause, after what it is said of ("cut it in half",
    # "by half" halve the plan)
    r"|(?<=[\w)]\s)(?<!\ba\s)(?<!\bin\s)(?<!\bby\s)(?<!\bto\s)(?<!\binto\s)half"
    r"(?=\s*(?:[,.;!]|$))"
    # "error handling - started": begun, said after what it is said of
    r"|(?<=\w)\s*[:,–—-]\s*(?:just\s+|only\s+)?(?:started|begun|began|half)(?=\s*(?:[,.;!]|$))"
)
_PARTIAL_PHRASES_RE = re.compile(
    rf"(?<![\w-])(?:{phrases([*words()['partial_phrases'], *words()['partial_more']])})(?![\w-])"
)
_FRACTION_RE = re.compile(
    r"(?<![\d/])(?:[1-9]/(?:[2-9]|1\d)(?![\d/])|(?:[1-9]\d?)\s*%)\s*"
    r"(?:done|through|finished|complete|of\b|there\b)"
    # "the dataframes module: 50%": a share right after what it is said of, ending the message
    r"|(?<=\w)\s*[:–—-]\s*[1-9]\d?\s*%\s*[.!]*\s*$"
)
_CLAUSE_RE = re.compile(r"[,;]|\s(?:but|and\s+then)\s")
_FUTURE_RE = re.compile(rf"(?:\b(?:{phrases(words()['future_words'])})\b|'ll\b)")
_PAST_RE = re.compile(rf"\b(?:[^\W\d_]{{3,}}ed|{phrases(irregular())})\b")


def _whole(items: list[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'-])(?:{phrases(items)})(?![\w'-])")


@cache
def _cue_res() -> dict[str, re.Pattern[str]]:
    data = words()
    return {
        "start": _whole(data["start_words"]),
        "unfinished": _whole(data["unfinished_phrases"]),
        "mark": _whole(data["mark_words"]),
        "missed": _whole(data["missed_phrases"]),
        "completed": _whole(data["completion_verbs"]),
        "background": _whole(data["background_words"]),
        "hedge": _whole([*data["trouble_words"], *data["amount_words"], *data["request_words"]]),
        "negated": re.compile(
            rf"(?<![\w'-])(?:{phrases(data['negations'])})\s+(?:really\s+|actually\s+|even\s+)?"
            rf"(?P<verb>{phrases([*data['completion_verbs'], *data['completion_bases']])}"
            r"|[^\W\d_]+)(?![\w'-])"
        ),
    }


def partial_span(text: str) -> tuple[int, int] | None:
    """Where `text` (durations blanked) says only part of the work was done, if it does."""
    for pattern in (_PARTIAL_RE, _PARTIAL_PHRASES_RE, _FRACTION_RE):
        m = pattern.search(text)
        if m:
            return m.span()
    return None


def partial_module(text: str, plan: Plan | None) -> str | None:
    """The module of the one clause that says the work is partial, when the message has
    several clauses and that clause names exactly one module ("part 1 done, part 2 half")."""
    if plan is None:
        return None
    bounds = [0, *(m.end() for m in _CLAUSE_RE.finditer(text)), len(text)]
    clauses = [text[a:b] for a, b in pairwise(bounds) if text[a:b].strip()]
    partial = [c for c in clauses if partial_span(c)]
    if len(clauses) < 2 or len(partial) != 1:
        return None
    return resolve_module(partial[0], plan).module_id


def begun_unfinished(text: str) -> bool:
    """ "X started, not finished", "X was too hard, didn't finish": begun, not finished (a
    negated completion is already known). Not when the message is about the tick ("marked
    it but didn't finish") and never for "haven't started"."""
    cues = _cue_res()
    if cues["mark"].search(text):
        return False
    rest = cues["missed"].sub(" ", text)  # "haven't started" is no start
    return bool(cues["start"].search(rest) or cues["unfinished"].search(rest))


def _title_verb(word: str, text: str, plan: Plan) -> bool:
    """Whether `word` is another form of a verb in the title of a module `text` names
    ("played" of "Playing your first song", "tuned" of "Holding the guitar and tuning",
    "wrote" of "Writing tests"); the title's own word does not count ("Advanced SQL" is not
    done by being advanced). When the words fit several modules, the caller keeps them all
    as candidates: the bot asks which one."""
    found = resolve_module(text, plan)
    ids = [found.module_id] if found.module_id else list(found.ambiguous)
    said = tokens(word)
    if not said:
        return False
    for module in filter(None, map(plan.find_module, ids)):
        if word in re.findall(r"[^\W\d_]+", module.title.lower()):
            continue
        if any(same_stem(said[0], t) for t in tokens(module.title)):
            return True
    return False


def _negated_verb(text: str, plan: Plan) -> bool:
    """Whether a negation comes before a completion verb or a verb of the title of the
    module `text` names ("haven't recorded", "didn't learn")."""
    completion = {*words()["completion_verbs"], *words()["completion_bases"]}
    for m in _cue_res()["negated"].finditer(text):
        verb = " ".join(m.group("verb").split())
        if verb in completion or _title_verb(verb, text, plan):
            return True
    return False


def _plain_report(text: str, plan: Plan) -> bool:
    """Neither about the user's past ("haven't learned pandas before") nor inside a plan
    change ("never learned closures, add more")."""
    return not _cue_res()["background"].search(text) and not parse_refinement(text, plan)


def completed_in_words(text: str, plan: Plan | None) -> bool:
    """ "learned Em and Am", "installed rust + cargo, all good", "recorded myself": a past
    tense that says a module was done (the caller checks that a module is named). Not for a
    plan or wish ("want to have learned"), some of it ("learned a bit about X"), a problem
    ("installed rust but cargo fails"), a negation or outside a plain report."""
    if plan is None or _cue_res()["hedge"].search(text) or _negated_verb(text, plan):
        return False
    if not _plain_report(text, plan):
        return False
    m = _cue_res()["completed"].search(text)
    if m is not None:
        return not _FUTURE_RE.search(text, 0, m.start())
    return any(
        _title_verb(w.group(), text, plan) and not _FUTURE_RE.search(text, 0, w.start())
        for w in _PAST_RE.finditer(text)
    )


def missed_in_words(text: str, plan: Plan | None) -> bool:
    """ "haven't recorded myself yet", "didn't install rust": a negated completion verb, or
    a negated verb of the title of the module the message names, in a plain report."""
    return plan is not None and _negated_verb(text, plan) and _plain_report(text, plan)
