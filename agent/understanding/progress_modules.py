"""Which plan module a progress message names ("w1m2", "week 1 module 2", "the first module
of week 3", "the last one of week 2", "LoRA basics", "qlroa (part 2)").

In order: a literal module id; a position ("week W module M", "module M of week W", "the
first/2nd/last module of week W", "week W's last module"); a lone "module M", "the 2nd
module" or "week W" (ambiguous when several modules fit); and finally the words of module
titles and topics. Only real overlaps with the plan count: filler words
(``data/progress.yaml``) never match, typos are forgiven with rapidfuzz (one edit from 5
letters, two from 8), and "part 2" picks the module whose title says so.

When nothing matches, `reference` keeps the words in an object slot ("done with RLHF" →
"rlhf") so the caller can ask which module is meant; filler ("took me ages", "phew") is
never kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml
from rapidfuzz.distance import OSA

from agent.understanding.progress_stems import same_stem, stem
from storage.models import Module, Plan

_TOKEN_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_PART_TOKEN = "part#"


@cache
def words() -> dict[str, Any]:
    """The progress word lists (loaded once)."""
    text = resources.files("agent.understanding").joinpath("data/progress.yaml").read_text()
    return dict(yaml.safe_load(text))


def phrases(items: Iterable[Any]) -> str:
    """A regex alternation of whole phrases, longest first; spaces match any whitespace."""
    ordered = sorted({str(p) for p in items}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)


@cache
def _filler() -> frozenset[str]:
    return frozenset(str(w).replace("'", "") for w in words()["filler"])


@dataclass(frozen=True)
class Resolution:
    module_id: str | None = None
    ambiguous: tuple[str, ...] = ()
    reference: str | None = None


# ---- positions ----------------------------------------------------------------------------


@cache
def _position_res() -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str], re.Pattern[str]]:
    """(week+module patterns with groups w and m/o, lone module pattern, lone week pattern)."""
    data = words()
    ordinal = rf"(?P<o>{phrases([*data['ordinals'], *data['from_end']])})"
    week = r"w(?:eek|k)?\s*(?P<w>\d{1,3})(?:s(?=\s))?"
    module = rf"(?:{phrases(data['module_nouns'])})s?"
    positioned = (
        re.compile(rf"\b{week}\s*[,/.:-]?\s*m(?:odule|od)?\s*(?P<m>\d{{1,3}})\b"),
        re.compile(rf"\bm(?:odule|od)?\s*(?P<m>\d{{1,3}})\s+(?:of|in|from)\s+(?:the\s+)?{week}\b"),
        re.compile(rf"\b{ordinal}\s+{module}\s+(?:of|in|from|for)\s+(?:the\s+)?{week}\b"),
        re.compile(rf"\b{week}(?:'s)?\s*[,:-]?\s+(?:the\s+)?{ordinal}\s+{module}\b"),
        re.compile(rf"\b{week}(?:'s)?\s*[,:-]?\s+(?:the\s+)?{ordinal}(?:\s+one)?\b"),
        # "the third module of the first week"
        re.compile(
            rf"\b{ordinal}\s+{module}\s+(?:of|in|from|for)\s+(?:the\s+)?"
            rf"(?P<wo>{phrases(data['ordinals'])})\s+w(?:eek|k)\b"
        ),
    )
    lone_module = re.compile(
        rf"\b(?:(?:module|mod)\s*(?P<m>\d{{1,3}})|(?:the\s+)?{ordinal}\s+(?:module|mod)s?)\b"
    )
    lone_week = re.compile(r"\b(?:week|wk)\s*(?P<w>\d{1,3})\b")
    return positioned, lone_module, lone_week


def _position(match: re.Match[str], count: int) -> int | None:
    """The 1-based position a match names among `count` modules (from "m" or an ordinal)."""
    groups = match.groupdict()
    if groups.get("m"):
        return int(groups["m"])
    token = " ".join(str(groups.get("o") or "").lower().split())
    data = words()
    if token in data["ordinals"]:
        return int(data["ordinals"][token])
    if token in data["from_end"]:
        return count - int(data["from_end"][token]) if count else None
    return None


def _week_number(match: re.Match[str]) -> int:
    """The week a position match names, as a digit ("week 3") or an ordinal ("first week")."""
    groups = match.groupdict()
    if groups.get("wo"):
        return int(words()["ordinals"][" ".join(groups["wo"].lower().split())])
    return int(groups["w"])


def _module_at(plan: Plan, week: int, match: re.Match[str]) -> Module | None:
    for w in plan.weeks:
        if w.number == week:
            position = _position(match, len(w.modules))
            if position is not None and 1 <= position <= len(w.modules):
                return w.modules[position - 1]
    return None


def resolved(candidates: Iterable[str], reference: str) -> Resolution:
    ids = list(dict.fromkeys(candidates))
    if len(ids) == 1:
        return Resolution(module_id=ids[0], reference=reference)
    return Resolution(ambiguous=tuple(ids), reference=reference)


def _match_ids(text: str, plan: Plan) -> Resolution | None:
    """Module ids written literally in `text` ("w1m2")."""
    ids = [
        module.id
        for module in plan.modules()
        if module.id.strip()
        and re.search(rf"(?<![\w-]){re.escape(module.id.strip().lower())}(?![\w-])", text)
    ]
    if not ids:
        return None
    return resolved(ids, " ".join(i.lower() for i in dict.fromkeys(ids)))


def _match_positions(text: str, plan: Plan | None) -> Resolution | None:
    positioned, _, _ = _position_res()
    for pattern in positioned:
        m = pattern.search(text)
        if m:
            week = _week_number(m)
            module = _module_at(plan, week, m) if plan else None
            label = m.groupdict().get("m") or " ".join(str(m.group("o")).split())
            return Resolution(
                module_id=module.id if module else None, reference=f"week {week} module {label}"
            )
    return None


@cache
def _plan_position_re() -> re.Pattern[str]:
    data = words()
    ordinal = rf"(?P<o>{phrases([*data['ordinals'], *data['from_end']])})"
    module = rf"(?:{phrases(data['module_nouns'])})"
    nouns = phrases(data["plan_nouns"])
    whole = rf"(?:the\s+|my\s+|this\s+)?(?:whole\s+|entire\s+|full\s+)?(?:{nouns})"
    plain = ordinal.replace("(?P<o>", "(?:", 1)
    return re.compile(
        rf"\b(?:(?:the\s+)?(?:very\s+)?(?={plain}\s+{module}\s+(?:of|in|from)\s+{whole}\b)"
        rf"|very\s+(?={plain}\s+{module}\b)){ordinal}"
    )


def _match_plan_position(text: str, plan: Plan | None) -> Resolution | None:
    """ "the last module of the whole plan", "the very first lesson": counted over the plan."""
    m = _plan_position_re().search(text)
    if m is None:
        return None
    modules = plan.modules() if plan else []
    position = _position(m, len(modules))
    label = " ".join(str(m.group("o")).split())
    if position is None or not 1 <= position <= len(modules):
        return Resolution(reference=f"the {label} module")
    return Resolution(module_id=modules[position - 1].id, reference=f"the {label} module")


def _match_lone(text: str, plan: Plan | None) -> Resolution | None:
    """A lone "module M" / "the 2nd module" (that position of any week) or "week W"."""
    _, lone_module, lone_week = _position_res()
    weeks = plan.weeks if plan else []
    m = lone_module.search(text)
    if m:
        ids = []
        for w in weeks:
            position = _position(m, len(w.modules))
            if position is not None and 1 <= position <= len(w.modules):
                ids.append(w.modules[position - 1].id)
        label = m.groupdict().get("m") or " ".join(str(m.group("o")).split())
        return resolved(ids, f"module {label}")
    m = lone_week.search(text)
    if m:
        week = int(m.group("w"))
        ids = [mod.id for w in weeks if w.number == week for mod in w.modules]
        return resolved(ids, f"week {week}")
    return None


# ---- titles -------------------------------------------------------------------------------


@cache
def _part_re() -> re.Pattern[str]:
    data = words()
    ordinal = phrases(data["ordinals"])
    part = phrases(data["part_words"])
    cardinal = phrases(data["part_numbers"])
    return re.compile(
        rf"\b(?:(?:{part})\s*#?\s*(?:(?P<n>\d{{1,2}})|(?P<c>{cardinal})\b)"
        rf"|(?P<o>{ordinal})\s+(?:{part})\b)",
        re.IGNORECASE,
    )


def tokens(text: str) -> list[str]:
    """Content tokens: lowercased, stemmed (`progress_stems`), no filler; "part 2" becomes
    one token. Single letters ("G, C and D") and small numbers ("Practice exam 2") are
    kept: they count only when a title has them too. A hyphenated word yields its parts
    and its joined form."""
    out: list[str] = []
    lowered = text.lower()
    for m in _part_re().finditer(lowered):
        if m.group("c"):
            n = str(words()["part_numbers"][m.group("c").lower()])
        else:
            n = m.group("n") or str(words()["ordinals"].get(m.group("o").lower(), ""))
        if n:
            out.append(f"{_PART_TOKEN}{int(n)}")
    lowered = _part_re().sub(" ", lowered)
    filler = _filler()
    numbers = words()["title_numbers"]
    previous = ""
    for raw in _TOKEN_RE.findall(lowered):
        if raw in numbers and previous and previous not in filler:
            raw = str(numbers[raw])  # "practice exam one" → "practice exam 1"
        previous = raw
        parts = raw.replace("'", "").split("-")
        candidates = [*parts, "".join(parts)] if len(parts) > 1 else parts
        for tok in candidates:
            if tok in filler or (tok.isdigit() and len(tok) > 2):
                continue
            stemmed = stem(tok)
            if stemmed not in out:
                out.append(stemmed)
    return out


def _joined_pairs(title: str) -> list[str]:
    """Neighbouring title words written as one ("Route 53" → "route53", "Sign In" →
    "signin", "E minor" → "em"), or as one the other way round ("Telling stories" →
    "storytelling"), so a user who runs them together still matches."""
    raw = [t.replace("'", "") for t in _TOKEN_RE.findall(title.lower())]
    short = words()["title_abbreviations"]
    joined = [a + b for a, b in pairwise(raw) if len(a + b) >= 4]
    # "E minor" is also written "Em", "C major" "Cmaj"
    joined += [a + str(short[b]) for a, b in pairwise(raw) if len(a) == 1 and b in short]
    filler = _filler()
    content = [(a, b) for a, b in pairwise(raw) if len(a) >= 3 and len(b) >= 3]
    joined += [stem(b) + stem(a) for a, b in content if a not in filler and b not in filler]
    return joined


def _token_matches(user: str, module_token: str) -> bool:
    if same_stem(user, module_token):
        return True
    if user.isdecimal() and user.isascii() and module_token == f"{_PART_TOKEN}{int(user)}":
        return True  # "strumming patterns 2" is part 2
    if user.startswith(_PART_TOKEN) or module_token.startswith(_PART_TOKEN) or user.isdigit():
        return False
    if len(user) >= 4 and module_token.startswith(user):
        return True
    shortest = min(len(user), len(module_token))
    allowed = 2 if shortest >= 8 else 1 if shortest >= 5 else 0
    return allowed > 0 and OSA.distance(user, module_token, score_cutoff=allowed) <= allowed


def title_score(user_tokens: list[str], module: Module) -> tuple[float, bool]:
    """(overlap score, whole title covered) of the user's tokens against one module.

    A user token scores 1 when it matches a title token and 0.5 when it only matches a
    topic token. A title without "part N" counts as part 1 for a user who names part 1.
    """
    title = tokens(module.title)
    joined = _joined_pairs(module.title)
    if not any(t.startswith(_PART_TOKEN) for t in title):
        title_parts = [*title, *joined, f"{_PART_TOKEN}1"]
    else:
        title_parts = [*title, *joined]
    topics = tokens(" ".join(module.topics))
    score = 0.0
    for user in user_tokens:
        if any(_token_matches(user, t) for t in title_parts):
            score += 1.0
        elif any(_token_matches(user, t) for t in topics):
            score += 0.5
    covered = bool(title) and all(any(_token_matches(u, t) for u in user_tokens) for t in title)
    return score, covered


def names_something_else(text: str, module: Module) -> bool:
    """ "20 min vocab review" against "Final review and quiz": one word of the title is
    matched and a content word right next to it (in the same phrase) is not, so the words
    name another thing. Resource words ("tokio docs") do not count as another thing."""
    if title_score(tokens(text), module)[1]:
        return False
    title = [*tokens(module.title), *_joined_pairs(module.title)]
    neutral = frozenset(stem(str(w)) for w in words()["resource_words"])
    chunks = [tokens(chunk) for chunk in re.split(r"[,;.!?()/:]|\s-\s", text)]
    hits = [[any(_token_matches(u, t) for t in title) for u in said] for said in chunks]
    if sum(sum(h) for h in hits) != 1:
        return False
    said, hit = next((c, h) for c, h in zip(chunks, hits, strict=True) if any(h))
    at = hit.index(True)
    neighbours = [said[i] for i in (at - 1, at + 1) if 0 <= i < len(said) and not hit[i]]
    return any(not n.startswith(_PART_TOKEN) and n not in neutral for n in neighbours)


def only_the_subject(text: str, module: Module, plan: Plan) -> bool:
    """ "practiced guitar 25 min" on a guitar plan: every word that matches the module's
    title is a word of the plan's own goal or title, so it names the subject in general,
    not that module ("Holding the guitar and tuning"). A plan whose goal and title say
    nothing ("plan") has the usual subjects of study (`subject_words`) as its subject."""
    title = [*tokens(module.title), *_joined_pairs(module.title)]
    hits = [u for u in tokens(text) if any(_token_matches(u, t) for t in title)]
    return bool(hits) and all(u in _subject(plan) for u in hits)


def _subject(plan: Plan) -> frozenset[str]:
    generic = {stem(str(w)) for w in words()["plan_nouns"]}
    known = set(tokens(f"{plan.goal} {plan.title}")) - generic
    return frozenset(known) if known else _subject_words()


@cache
def _subject_words() -> frozenset[str]:
    return frozenset(stem(str(w).lower()) for w in words()["subject_words"])


@cache
def _slot_re() -> re.Pattern[str]:
    """Where a module name is expected: after a study verb or preposition."""
    return re.compile(
        r"\b(?:with|on|about|finished|finish|completed|complete|did|done|undo|through|"
        r"logged|log|studied|practi[cs]ed|read|watched|mark|marked|unmark|revert|skip|"
        r"skipping|into)\s+(?=(?P<ref>[^,.;!?()]+))"
    )


_DETERMINERS = frozenset({"the", "my", "a", "an", "that", "this", "today's", "todays"})


def _slot_reference(text: str) -> str | None:
    """The words right after a study verb or preposition, when they start with a content
    word ("done with RLHF" → "rlhf"; "done and dusted", "finished it already" → None)."""
    for match in _slot_re().finditer(text):
        ref = match.group("ref").split()
        while ref and ref[0] in _DETERMINERS:
            ref.pop(0)
        if not ref or not tokens(ref[0]):
            continue
        return " ".join(tokens(" ".join(ref)))
    return None


_WEAK_ECHOES = frozenset({"about", "after", "again", "their", "there", "these", "those", "which"})


def _echoed_filler(said: frozenset[str], module: Module) -> int:
    """How many filler words of the message are also words of the module's title ("first
    chords" → "First chords: E minor and A minor"): a tie-break among equal matches."""
    data = words()
    title = frozenset(_TOKEN_RE.findall(module.title.lower()))
    return sum(
        1
        for word in title & said & _filler()
        if word not in _WEAK_ECHOES
        and (word in data["ordinals"] or word in data["from_end"] or len(word) >= 5)
    )


def _ordinal_pick(said: frozenset[str], ids: list[str]) -> list[str]:
    """ "the 2nd practice exam", "the last quiz": an ordinal picks one of several equally
    matching modules, in plan order."""
    if len(ids) < 2:
        return ids
    data = words()
    for word in said:
        if word in data["ordinals"] and 1 <= int(data["ordinals"][word]) <= len(ids):
            return [ids[int(data["ordinals"][word]) - 1]]
        if word in data["from_end"] and int(data["from_end"][word]) < len(ids):
            return [ids[len(ids) - 1 - int(data["from_end"][word])]]
    return ids


def _match_titles(text: str, plan: Plan | None) -> Resolution:
    """Best unique title/topic match; ties at the best score are ambiguous.

    Modules are ranked by overlap score, then by whether the user's words cover the whole
    title (so "evaluation" picks "Evaluation" over "Evaluation harnesses")."""
    user_tokens = tokens(text)
    if not user_tokens:
        return Resolution()
    if plan is not None:
        said = frozenset(_TOKEN_RE.findall(text.lower()))
        scored = [
            ((*title_score(user_tokens, m), _echoed_filler(said, m)), m.id) for m in plan.modules()
        ]
        scored = [(key, mid) for key, mid in scored if key[0] >= 1.0 or key[0] == 0.5]
        if scored:
            best = max(key for key, _ in scored)
            ids = [mid for key, mid in scored if key == best]
            return resolved(_ordinal_pick(said, ids), " ".join(user_tokens))
    return Resolution(reference=_slot_reference(text))


_WEEK_RANGE_RE = re.compile(
    r"\bw(?:ee)?ks?\s*(?P<a>\d{1,3})\s*(?:-|–|—|to|through)\s*(?P<b>\d{1,3})\b"
)


def _covers(module: Module, week: int) -> bool:
    """Whether the module's title names a span of weeks that holds `week` ("Quiz: weeks
    1-3" is about week 1 too)."""
    m = _WEEK_RANGE_RE.search(module.title.lower())
    return m is not None and int(m.group("a")) <= week <= int(m.group("b"))


def _narrowed(text: str, plan: Plan, lone: Resolution) -> Resolution | None:
    """ "the quiz of week 4": a week (or a position) that fits several modules, narrowed by
    title words to the one module among them that the words name. A module whose title
    spans that week is among them ("week 1 quiz" is the "Quiz: weeks 1-3" of week 3)."""
    _, lone_module, lone_week = _position_res()
    rest = lone_week.sub(" ", lone_module.sub(" ", text))
    week = lone_week.search(text)
    spanning = {
        m.id for m in plan.modules() if week is not None and _covers(m, int(week.group("w")))
    }
    weeks = [
        w.model_copy(
            update={"modules": [m for m in w.modules if m.id in lone.ambiguous or m.id in spanning]}
        )
        for w in plan.weeks
    ]
    among = plan.model_copy(update={"weeks": weeks})
    found = _match_titles(rest, among)
    return found if found.module_id else None


_LIST_SPLIT_RE = re.compile(r"\s*(?:,|&|\+|/|\band\b|\bplus\b|\bas\s+well\s+as\b)\s*")


def named_modules(text: str, plan: Plan | None) -> list[str]:
    """ "ec2 and ebs both done": the modules a list names one by one, when its parts name
    at least two different modules, each part exactly one ("Structs and enums" is one
    title, "S3 and EC2" with two S3 modules is not a list of modules). [] otherwise."""
    if plan is None:
        return []
    parts = [part for part in _LIST_SPLIT_RE.split(text) if tokens(part)]
    if len(parts) < 2:
        return []
    found: list[str] = []
    for part in parts:
        resolution = resolve_module(part, plan)
        if resolution.ambiguous:
            return []
        module = plan.find_module(resolution.module_id) if resolution.module_id else None
        if module is not None and only_the_subject(part, module, plan):
            continue  # "played guitar, first song done": "guitar" is the plan's subject
        if resolution.module_id and resolution.module_id not in found:
            found.append(resolution.module_id)
    return found if len(found) >= 2 else []


def resolve_module(text: str, plan: Plan | None, *, vague_is_none: bool = False) -> Resolution:
    """The module a normalized message (durations already blanked) names, if any.

    With `vague_is_none` (time logged on "some" of something: "did some rust today, 30
    min"), words that fit several titles name the subject in general, not a module: no
    module, no question."""
    structural = (
        (_match_ids(text, plan) if plan else None)
        or _match_positions(text, plan)
        or _match_plan_position(text, plan)
    )
    resolution = structural or _match_lone(text, plan)
    if resolution is not None and plan is not None and len(resolution.ambiguous) > 1:
        narrowed = _narrowed(text, plan, resolution)
        if narrowed is not None:
            return narrowed
    if resolution is not None:
        return resolution
    found = _match_titles(text, plan)
    if vague_is_none and found.ambiguous:
        return Resolution()
    return found
