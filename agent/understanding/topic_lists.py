"""Written lists of topics: the items of a list ("HTML, CSS and JS"), and the readers that
find a list by its shape rather than by a cue phrase: numbered ("1) loops 2) functions"),
after a short head and a colon ("Web dev: HTML, CSS, JS") or a later colon, in brackets,
one a line, right after the goal ("learn Python, pandas, numpy"), or in a later clause
that wants two or more things ("… need pivots + charts")."""

from __future__ import annotations

import re

from agent.understanding.lexicon import LEXICON, phrase_key, trim_edges, word_set
from agent.understanding.nonanswers import classify_nonanswer
from agent.understanding.text import FLAGS, MASK, Scan

__all__ = [
    "EMOJI",
    "MAX_TOPICS",
    "bare_list",
    "bracketed_topics",
    "colon_topics",
    "headed_topics",
    "lines_topics",
    "list_after",
    "numbered_topics",
    "peer_list_end",
    "plausible",
    "set_topics",
    "topic_items",
    "topics_after_goal",
    "topics_wanted",
]

MAX_TOPICS = 12
MAX_TOPIC_CHARS = 60
_MAX_ITEM_WORDS = 5
_JUNK = word_set("topic_junk")
_EXAMS = word_set("exam_words")
_FILLER = word_set("filler")
_LEAD = word_set("topic_lead_words")
_NOT_A_START = word_set("not_a_goal_start") - {"ai", "go", "r"}
_LIST_END_RE = re.compile(
    r"[!?\n()\x1f]|\.(?=\s|$)|\b(?:but|because|since|so\s+that|so\s+i|as\s+i|which|in\s+order\s+to"
    r"|i'?m|i\s+am|i\s+have|i\s+can|i'?d|i\s+would|i\s+want|i\s+need|my|for\s+(?:my|work|fun|a|an|the)"
    r"|and\s+(?:want|wanna|would|need|hope|plan|i)|to\s+(?:get|help|be|build|make|pass|start|land|become|work|improve|prepare))\b",
    FLAGS,
)
_JOINERS = "|".join(re.escape(str(w)) for w in LEXICON["foreign_list_joiners"])
_LIST_SPLIT_RE = re.compile(
    r"\s*(?:,|;|\s&\s|\s\+\s|\s/\s|\band\b|\bor\b|\bas\s+well\s+as\b|\bplus\b"
    rf"|\bthen\b|\balso\b|(?<=\w)\s(?-i:{_JOINERS})\s(?=\w))\s*",
    FLAGS,
)
_INNER_SPLIT_RE = re.compile(rf"\s\+\s|(?<=\w)\s(?-i:{_JOINERS})\s(?=\w)", FLAGS)
"""What splits an item before the last comma too: "+" and "and" of other languages."""
_COMMA_RE = re.compile(r"\s*[,;]\s*")
_BRACKETED_RE = re.compile(r"\((?P<items>[^()\n]{3,120})\)")
_LINE_RE = re.compile(r"[^\n]+")
_BULLET_RE = re.compile(r"^\s*(?:[-*\u2022\u2013\u00b7]+|\d{1,2}\s*[.)])\s*")
_WANTS = "|".join(
    re.escape(w).replace(r"\ ", r"\s+") for w in sorted(LEXICON["topic_want_leads"], key=len)[::-1]
)
_WANTED_RE = re.compile(rf"[,.;!]\s*(?P<lead>(?:and\s+)?(?:{_WANTS}))\s+(?!to\b)", FLAGS)
_INNER_COLON_RE = re.compile(r"(?<=[A-Za-z)])\s*:\s+(?=[A-Za-z])")
_DASHED_WORDS = 3
EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff\ufe0f"
_AFTER_GOAL_RE = re.compile(rf"\s*(?:,|:|-|!+|[{EMOJI}]|\band\b)", FLAGS)
_GOAL_LIST_GAP_RE = re.compile(rf"[ ,:\-!{EMOJI}]*")
_ARTICLE_RE = re.compile(r"(^|\band\b|\bor\b)\s*(?:the|a|an)\s+", FLAGS)
_JOINED_RE = re.compile(r"\s(?:and|or|&|\+|plus)\s+[^,]+$", FLAGS)
_NUMBER_MARK_RE = re.compile(r"(?<![\w.,:])(?P<n>[1-9]|1[0-2])\s?[.)](?=\s*[A-Za-z])")
_NUMBERED_CUE_RE = re.compile(r"(?:\btopics?\s*)?[:\-]?\s*$", FLAGS)
_NOT_AN_ITEM_START = word_set("clause_openers")
_HEAD_RE = re.compile(
    r"^\s*(?P<head>[^:\n]{1,40}?)\s*(?::|\s-+\s|\s-+(?=\s*[A-Za-z]))\s*(?=\S)", FLAGS
)
_HEAD_WORDS = frozenset(
    {
        "goal",
        "topics",
        "topic",
        "timezone",
        "time zone",
        "tz",
        "level",
        "skill",
        "hours",
        "weeks",
        "availability",
        "deadline",
        "focus",
        "plan",
        "when",
        "schedule",
        "time",
        "duration",
        "note",
        "ps",
    }
)


def _clean_item(raw: str) -> str | None:
    words = raw.strip(" \t'\"`*•:-.").split()
    while words and phrase_key(words[0]) in _LEAD:
        words.pop(0)
    item = trim_edges(" ".join(words))
    key = phrase_key(item)
    if (
        not key
        or key in _JUNK | _FILLER | _EXAMS  # "…, prüfung am 28.04.": the dated event
        or len(item) > MAX_TOPIC_CHARS
        or not any(c.isalpha() for c in item)
        or classify_nonanswer(item) is not None  # "I don't know, maybe OOP?"
    ):
        return None
    return item


def _raw_items(phrase: str) -> list[str]:
    """With commas, "and" joins words only in the last item ("supply and demand, elasticity
    and market failure" keeps "supply and demand"); without, every "and" separates."""
    parts = [p for p in _COMMA_RE.split(phrase) if p.strip()]
    if len(parts) <= 1:
        return _LIST_SPLIT_RE.split(phrase)
    joined = [item for part in parts[:-1] for item in _INNER_SPLIT_RE.split(part)]  # "a + b, c"
    return [*joined, *_LIST_SPLIT_RE.split(parts[-1])]


def topic_items(phrase: str) -> list[str]:
    """The items of a written list ("HTML, CSS and JS" → ["HTML", "CSS", "JS"])."""
    topics: list[str] = []
    for raw in _raw_items(phrase):
        item = _clean_item(raw)
        if item and item.lower() not in {t.lower() for t in topics}:
            topics.append(item)
    return topics[:MAX_TOPICS]


def list_after(scan: Scan, start: int) -> tuple[int, str]:
    """Where a list starting at `start` ends, and its text."""
    end_match = _LIST_END_RE.search(scan.work, start)
    end = end_match.start() if end_match else len(scan.work)
    return end, scan.display[start:end]


def plausible(items: list[str]) -> bool:
    """Items of a list without a strong cue must look like names, not a sentence."""
    return all(
        len(item.split()) <= _MAX_ITEM_WORDS and phrase_key(item).split()[0] not in _NOT_A_START
        for item in items
    )


def bare_list(phrase: str) -> list[str]:
    """A list with no cue at all: at least two short items, none opening like a clause
    ("Go, the board game, not the language" is not a list)."""
    raws = [r.strip() for r in _raw_items(phrase) if r.strip()]
    if len(raws) < 2 or any(phrase_key(r).split()[:1] == [] for r in raws):
        return []
    if any(phrase_key(r).split()[0] in _NOT_AN_ITEM_START or r[0].isdigit() for r in raws):
        return []
    topics = topic_items(phrase)
    if len(topics) < 2 or not plausible(topics) or any(len(t.split()) > 3 for t in topics):
        return []
    return topics


def set_topics(scan: Scan, topics: list[str], start: int, end: int) -> bool:
    scan.take(start, end)
    scan.fields["topics"] = topics
    return True


def headed_topics(scan: Scan) -> bool:
    """ "Web dev: HTML, CSS, JS" — the head stays for the goal."""
    match = _HEAD_RE.match(scan.work)
    if match is None or phrase_key(match["head"]) in _HEAD_WORDS:
        return False
    end, phrase = list_after(scan, match.end())
    topics = topic_items(phrase)
    if len(topics) >= 2 and plausible(topics):
        return set_topics(scan, topics, match.end("head"), end)
    return False


def colon_topics(scan: Scan) -> bool:
    """ "I want to learn Scala, functional programming concepts: monads, type classes": a
    colon later in the message lists two or more short items of what stands before it."""
    for colon in scan.matches(_INNER_COLON_RE):
        if phrase_key(scan.work[max(0, colon.start() - 12) : colon.start()]) in _HEAD_WORDS:
            continue
        end, phrase = list_after(scan, colon.end())
        masked = scan.work.find(MASK, colon.end(), end)
        if masked >= 0:
            end, phrase = masked, scan.display[colon.end() : masked]
        topics = bare_list(phrase.rstrip(" ,;"))
        if topics:
            return set_topics(scan, topics, colon.start(), end)
    return False


def _list_span(scan: Scan, goal_end: int) -> tuple[int, int, str] | None:
    rest = scan.work[goal_end:]
    if not re.match(r"\s*(?:,|:|-|\band\b)", rest, FLAGS):
        return None
    start = goal_end + len(rest) - len(rest.lstrip(" ,:-"))
    end, phrase = list_after(scan, start)
    masked = scan.work.find(MASK, start, end)
    if masked >= 0:
        end, phrase = masked, scan.display[start:masked]
    return start, end, phrase


def peer_list_end(scan: Scan, goal: str, goal_end: int) -> int | None:
    """Where a list of peers of the goal ends: in "Learn Docker, Kubernetes and Terraform"
    every item is a name like the goal, so the whole list is the goal, not its topics."""
    span = _list_span(scan, goal_end)
    if span is None or not scan.work[goal_end:].lstrip().startswith(","):
        return None
    items = bare_list(span[2])
    named = [goal, *items]
    if items and all(item[:1].isupper() for item in named) and len(goal.split()) <= 2:
        return span[0] + len(span[2].rstrip(" ,;"))
    return None


def topics_wanted(scan: Scan, goal_end: int) -> list[str]:
    """ "Excel, … need pivots + charts", "chess openings! want the Sicilian and the
    Caro-Kann": a later clause that wants two or more things lists the goal's topics."""
    for match in scan.matches(_WANTED_RE, goal_end):
        end, phrase = list_after(scan, match.end())
        masked = scan.work.find(MASK, match.end(), end)
        if masked >= 0:
            end, phrase = masked, scan.display[match.end() : masked]
        phrase = phrase.rstrip(" ,;")
        topics = bare_list(_ARTICLE_RE.sub(r"\g<1> ", phrase))
        if topics and _JOINED_RE.search(phrase):  # "need help, the final is on …" lists none
            scan.take(match.start("lead"), end)
            return topics
    return []


def topics_after_goal(scan: Scan, goal_end: int) -> list[str]:
    """A bare list right after the goal ("learn Python, pandas, numpy"), consumed."""
    rest = scan.work[goal_end:]
    gap = _GOAL_LIST_GAP_RE.match(rest)
    if not _AFTER_GOAL_RE.match(rest) or gap is None:
        return []  # "excel!! pivot tables, …", "wine 🍷 tasting, regions, grapes" are lists too
    start = goal_end + gap.end()
    end, phrase = list_after(scan, start)
    masked = scan.work.find(MASK, start, end)
    if masked >= 0:
        end, phrase = masked, scan.display[start:masked]
    topics = bare_list(phrase) or _dashed_item(scan.display[goal_end:start], phrase)
    if not topics or not scan.free(start, end):
        return []
    scan.take(start, end)
    return topics


def _dashed_item(gap: str, phrase: str) -> list[str]:
    """ "swimming - freestyle technique, intermediate": one short item after a hyphen (a
    long dash explains the goal instead: "accounting for my CPA — FAR section")."""
    items = topic_items(phrase)
    if " - " not in gap or len(items) != 1 or len(items[0].split()) > _DASHED_WORDS:
        return []
    first = phrase_key(items[0]).split()[0]
    return [] if first in _NOT_AN_ITEM_START or not plausible(items) else items


def bracketed_topics(scan: Scan) -> bool:
    """ "French cooking (sauces, pastry, bread)": a list of two or more in brackets."""
    for match in scan.matches(_BRACKETED_RE):
        topics = bare_list(match["items"])
        if topics:
            return set_topics(scan, topics, *match.span())
    return False


def lines_topics(scan: Scan) -> bool:
    """One topic a line, bulleted or numbered ("- barre chords\n- fingerpicking")."""
    lines = [m for m in _LINE_RE.finditer(scan.work) if m.group().strip()]
    if len(lines) < 2:
        return False
    topics: list[str] = []
    for line in lines:
        text = scan.display[line.start() : line.end()]
        items = topic_items(_BULLET_RE.sub("", text))
        if not items or not plausible(items):
            return False
        topics.extend(t for t in items if t.lower() not in {x.lower() for x in topics})
    return set_topics(scan, topics[:MAX_TOPICS], lines[0].start(), lines[-1].end())


def numbered_topics(scan: Scan) -> bool:
    """ "1) loops 2) functions", "topics: 1. html 2. css": an inline list numbered 1, 2, …
    (two items at least), wherever it stands; the goal before it keeps none of it."""
    marks = [m for m in scan.matches(_NUMBER_MARK_RE)]
    for first, mark in enumerate(marks):
        run = [mark]
        for later in marks[first + 1 :]:
            if int(later["n"]) != int(run[-1]["n"]) + 1:
                break
            run.append(later)
        if mark["n"] != "1" or len(run) < 2:
            continue
        end, _ = list_after(scan, run[-1].end())
        masked = scan.work.find(MASK, run[-1].end(), end)
        end = end if masked < 0 else masked
        bounds = [m.end() for m in run]
        raws = [
            scan.display[begin : stop.start() if stop is not None else end]
            for begin, stop in zip(bounds, [*run[1:], None], strict=True)
        ]
        topics = [t for raw in raws for t in topic_items(raw.strip(" ,;"))]
        if len(topics) >= 2 and plausible(topics):
            start = mark.start()
            cue = _NUMBERED_CUE_RE.search(scan.work, 0, start)
            return set_topics(scan, topics[:MAX_TOPICS], cue.start() if cue else start, end)
    return False
