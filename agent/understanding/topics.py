"""Topics: the parts of the goal someone wants covered ("focusing on hooks and state").

A list of topics is read after a cue phrase ("topics:", "focusing on", "especially",
"things like", "mostly"; weaker cues such as "with" need two items), after a short head
and a colon ("Web dev: HTML, CSS, JS"), or as a bare list right after the goal ("learn
Python, pandas, numpy"). The cue phrases live in `data/lexicon.yaml`.
"""

from __future__ import annotations

import re

from agent.understanding.lexicon import (
    LEXICON,
    PhraseMatcher,
    phrase_key,
    trim_edges,
    word_set,
)
from agent.understanding.nonanswers import classify_nonanswer
from agent.understanding.text import FLAGS, MASK, Scan

__all__ = [
    "MAX_TOPICS",
    "extract_topics",
    "list_after",
    "peer_list_end",
    "topic_items",
    "topics_after_goal",
    "topics_in_sentences",
    "topics_wanted",
]

MAX_TOPICS = 12
MAX_TOPIC_CHARS = 60
_MAX_ITEM_WORDS = 5

_CUES = PhraseMatcher({"strong": LEXICON["topic_cues"], "weak": LEXICON["topic_weak_cues"]})
_JUNK = word_set("topic_junk")
_EXAMS = word_set("exam_words")
_UNIT_WORDS = word_set("typo_units") | {"hrs", "wks", "mins", "minutes", "hour", "weeks"}
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
_SENTENCE_RE = re.compile(r"[^.!?;\n\x1f]+")
_WANTS = "|".join(
    re.escape(w).replace(r"\ ", r"\s+") for w in sorted(LEXICON["topic_want_leads"], key=len)[::-1]
)
_WANTED_RE = re.compile(rf"[,.;!]\s*(?P<lead>(?:and\s+)?(?:{_WANTS}))\s+(?!to\b)", FLAGS)
_INNER_COLON_RE = re.compile(r"(?<=[A-Za-z)])\s*:\s+(?=[A-Za-z])")
_CLAUSE_OPEN_RE = re.compile(r"[,;]\s*$")
_DASHED_WORDS = 3
_CLOSES_RE = re.compile(r"\s*(?:[.!?;,\n]|$)")
_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff\ufe0f"
_EMOJI_RE = re.compile(f"[{_EMOJI}]+")
_AFTER_GOAL_RE = re.compile(rf"\s*(?:,|:|-|!+|[{_EMOJI}]|\band\b)", FLAGS)
_GOAL_LIST_GAP_RE = re.compile(rf"[ ,:\-!{_EMOJI}]*")
_ARTICLE_RE = re.compile(r"(^|\band\b|\bor\b)\s*(?:the|a|an)\s+", FLAGS)
_JOINED_RE = re.compile(r"\s(?:and|or|&|\+|plus)\s+[^,]+$", FLAGS)
_NUMBER_MARK_RE = re.compile(r"(?<![\w.,:])(?P<n>[1-9]|1[0-2])\s?[.)](?=\s*[A-Za-z])")
_NUMBERED_CUE_RE = re.compile(r"(?:\btopics?\s*)?[:\-]?\s*$", FLAGS)
_POSTFIX = frozenset(
    {"mostly", "mainly", "primarily", "especially", "particularly", "in particular"}
)
_NOT_AN_ITEM_START = word_set("clause_openers")
_CLEAR_RE = re.compile(
    r"^\s*(?:drop|remove|clear|delete|no|without)\s+(?:the\s+|all\s+(?:the\s+)?|any\s+)?topics?"
    r"\s*[.!]*\s*$",
    FLAGS,
)
# At the card, which lists the topics, "drop async" / "also add macros" edit that list.
_CARD_EDIT_RE = re.compile(
    r"^\s*(?:(?P<add>(?:(?:can|could|would)\s+you\s+|also\s+|and\s+|please\s+|pls\s+)*"
    r"(?:add|include)|plus)"
    r"|(?P<drop>(?:please\s+)?(?:remove|drop|delete|take\s+out|skip|no\s+more|forget(?:\s+about)?)))"
    r"\s+(?P<items>[^.!?\n]+?)\s*(?:please|pls|too|as\s+well)?\s*[.!]*\s*$",
    FLAGS,
)
_EDIT_RE = re.compile(
    r"^\s*(?:(?P<add>add|include|plus|also)|(?P<drop>remove|drop|delete|take\s+out|no))\s+"
    r"(?P<items>.+?)\s+(?:to|in|into|from|of)\s+(?:the\s+|my\s+)?topics?\b",
    FLAGS,
)
_SWAP_RE = re.compile(
    r"^\s*(?:(?:can|could|would)\s+you\s+|please\s+|pls\s+)*(?:swap|replace|switch|exchange"
    r"|change|trade)\s+(?P<old>[^.!?\n]+?)\s+(?:with|for|to|by|into)\s+(?P<new>[^.!?\n]+?)"
    r"\s*(?:please|pls|instead)?\s*[.!]*\s*$",
    FLAGS,
)
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
_ANSWER_PREFIX_RE = re.compile(
    r"^\s*(?:(?:yes|yeah|yep|sure|ok|okay)\b[\s,!.:-]*)?(?:(?:please|pls)\b[\s,!.:-]*)?"
    r"(?:(?:i'?d|i\s+would)\s+like\s+(?:to\s+)?|i\s+want\s+(?:to\s+)?|maybe\s+|probably\s+)?"
    r"(?:(?:learn|focus|cover|study|do|include|master|understand|practi[cs]e|improve|work|know"
    r"|get\s+(?:better|good|comfortable))\s+(?:more\s+)?(?:on|about|at|with|in)?\s*)?"
    r"(?:(?:the\s+)?topics?\s*(?:are|:|-)?\s*|mostly\s+|mainly\s+|especially\s+|definitely\s+)?",
    FLAGS,
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


def _plausible(items: list[str]) -> bool:
    """Items of a list without a strong cue must look like names, not a sentence."""
    return all(
        len(item.split()) <= _MAX_ITEM_WORDS and phrase_key(item).split()[0] not in _NOT_A_START
        for item in items
    )


def _bare_list(phrase: str) -> list[str]:
    """A list with no cue at all: at least two short items, none opening like a clause
    ("Go, the board game, not the language" is not a list)."""
    raws = [r.strip() for r in _raw_items(phrase) if r.strip()]
    if len(raws) < 2 or any(phrase_key(r).split()[:1] == [] for r in raws):
        return []
    if any(phrase_key(r).split()[0] in _NOT_AN_ITEM_START or r[0].isdigit() for r in raws):
        return []
    topics = topic_items(phrase)
    if len(topics) < 2 or not _plausible(topics) or any(len(t.split()) > 3 for t in topics):
        return []
    return topics


def _named(items: list[str]) -> bool:
    """Some item is written like a name ("LoRA", "React", "C++"), not ordinary words."""
    return any(ch.isupper() or ch.isdigit() for item in items for ch in item)


def _set(scan: Scan, topics: list[str], start: int, end: int) -> bool:
    scan.take(start, end)
    scan.fields["topics"] = topics
    return True


def _cued_topics(scan: Scan, weak: bool) -> bool:
    for hit in _CUES.find(scan.work):
        if (hit.label == "weak") != weak or not scan.free(hit.start, hit.end):
            continue
        start = hit.end + 1 if scan.work[hit.end : hit.end + 1] == "." else hit.end
        end, phrase = list_after(scan, start)
        closes = _CLOSES_RE.match(scan.work, hit.end)  # "circuits mainly. uni starts …"
        if not weak and hit.phrase in _POSTFIX and (closes or not topic_items(phrase)):
            if _postfix_topics(scan, hit.start, hit.end):
                return True
            if not topic_items(phrase):
                continue
        if weak:
            phrase = re.split(r"[;]|,\s*(?=\S+\s+\S+\s+\S+)", phrase, maxsplit=1)[0]
            end = hit.end + len(phrase)
        topics = topic_items(phrase)
        if not weak and topics:
            return _set(scan, topics, hit.start, end)
        opens = _CLAUSE_OPEN_RE.search(scan.work, 0, hit.start)  # ", like pwn and …"
        named = _named(topics) or (opens is not None and hit.phrase == "like")
        if weak and len(topics) >= 2 and _plausible(topics) and named:
            # a weak cue is part of the goal's wording ("master Excel and Word"): keep the text
            scan.fields["topics"] = topics
            return True
    return False


def _postfix_topics(scan: Scan, cue_start: int, cue_end: int) -> bool:
    """ "Async and macros mostly." — the list comes before the cue."""
    begin = max(scan.work.rfind(ch, 0, cue_start) for ch in ".,!?;\n:\x1f") + 1
    dash = scan.work.rfind(" - ", 0, cue_start)
    begin = max(begin, dash + 3 if dash >= 0 else 0)  # "Excel — formulas and pivots mostly"
    emoji = [m.end() for m in _EMOJI_RE.finditer(scan.work, begin, cue_start)]
    begin = max([begin, *emoji])  # "bread baking 🍞 sourdough especially"
    topics = _bare_list(scan.display[begin:cue_start]) or topic_items(scan.display[begin:cue_start])
    if topics and _plausible(topics):
        return _set(scan, topics, begin, cue_end)
    return False


def topics_in_sentences(scan: Scan, goal: tuple[int, int]) -> list[str]:
    """A sentence of its own that is just a list joined by "and" ("Chess. Openings and
    endgames. 20 min a day"); not the sentence of the goal (span `goal`)."""
    for match in _SENTENCE_RE.finditer(scan.work):
        if (match.start() < goal[1] and goal[0] < match.end()) or "," in match.group():
            continue
        topics = _bare_list(scan.display[match.start() : match.end()])
        if topics:
            scan.take(*match.span())
            return topics
    return []


def _card_edit(scan: Scan, known: list[str]) -> re.Match[str] | None:
    """ "drop async" (a topic on the card) or "add macros" at the confirmation card."""
    if scan.expecting != "confirm":
        return None
    match = _CARD_EDIT_RE.match(scan.work)
    if match is None or not scan.free(*match.span("items")):
        return None
    if set(phrase_key(match["items"]).split()) & _UNIT_WORDS:
        return None  # "add two more weeks" changes the length
    if match["drop"]:
        named = {t.lower() for t in topic_items(match["items"])}
        if not named or not named <= {t.lower() for t in known}:
            return None
    return match


def _swapped_topics(scan: Scan, known: list[str]) -> bool:
    """ "swap SQL for visualisation", "replace grammar with reading": a topic on the card
    gives way to a new one, in its place."""
    match = _SWAP_RE.match(scan.work) if scan.expecting == "confirm" else None
    if match is None:
        return False
    old = {t.lower() for t in topic_items(match["old"])}
    new = topic_items(scan.display[match.start("new") : match.end("new")])
    if not old or not new or not old <= {t.lower() for t in known}:
        return False
    topics: list[str] = []
    for topic in known:
        for item in [*new] if topic.lower() in old else [topic]:
            if item.lower() not in {t.lower() for t in topics}:
                topics.append(item)
    return _set(scan, topics[:MAX_TOPICS], *match.span())


def _edited_topics(scan: Scan, known: list[str]) -> bool:
    """ "add SQL to the topics", "remove async from topics", "drop the topics"."""
    if _swapped_topics(scan, known):
        return True
    cleared = _CLEAR_RE.match(scan.work)
    if cleared:
        scan.fields.update(topics=[], topics_answered=True)
        scan.take(*cleared.span())
        return True
    match = _EDIT_RE.match(scan.work) or _card_edit(scan, known)
    if match is None:
        return False
    items = topic_items(scan.display[match.start("items") : match.end("items")])
    if not items:
        return False
    if match["add"]:
        lower = {t.lower() for t in known}
        topics = [*known, *(t for t in items if t.lower() not in lower)]
    else:
        drop = {t.lower() for t in items}
        topics = [t for t in known if t.lower() not in drop]
    scan.fields["topics"] = topics[:MAX_TOPICS]
    if not topics:
        scan.fields["topics_answered"] = True
    scan.take(*match.span())
    return True


def _headed_topics(scan: Scan) -> bool:
    """ "Web dev: HTML, CSS, JS" — the head stays for the goal."""
    match = _HEAD_RE.match(scan.work)
    if match is None or phrase_key(match["head"]) in _HEAD_WORDS:
        return False
    end, phrase = list_after(scan, match.end())
    topics = topic_items(phrase)
    if len(topics) >= 2 and _plausible(topics):
        return _set(scan, topics, match.end("head"), end)
    return False


def _colon_topics(scan: Scan) -> bool:
    """ "I want to learn Scala, functional programming concepts: monads, type classes": a
    colon later in the message lists two or more short items of what stands before it."""
    for colon in scan.matches(_INNER_COLON_RE):
        if phrase_key(scan.work[max(0, colon.start() - 12) : colon.start()]) in _HEAD_WORDS:
            continue
        end, phrase = list_after(scan, colon.end())
        masked = scan.work.find(MASK, colon.end(), end)
        if masked >= 0:
            end, phrase = masked, scan.display[colon.end() : masked]
        topics = _bare_list(phrase.rstrip(" ,;"))
        if topics:
            return _set(scan, topics, colon.start(), end)
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
    items = _bare_list(span[2])
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
        topics = _bare_list(_ARTICLE_RE.sub(r"\g<1> ", phrase))
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
    topics = _bare_list(phrase) or _dashed_item(scan.display[goal_end:start], phrase)
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
    return [] if first in _NOT_AN_ITEM_START or not _plausible(items) else items


def _answered_topics(scan: Scan) -> bool:
    start = len(scan.work) - len(scan.work.lstrip())
    prefix = _ANSWER_PREFIX_RE.match(scan.work, start)
    if prefix:
        start = prefix.end()
    end, phrase = list_after(scan, start)
    topics = topic_items(phrase)
    return _set(scan, topics, start, end) if topics else False


def _bracketed_topics(scan: Scan) -> bool:
    """ "French cooking (sauces, pastry, bread)": a list of two or more in brackets."""
    for match in scan.matches(_BRACKETED_RE):
        topics = _bare_list(match["items"])
        if topics:
            return _set(scan, topics, *match.span())
    return False


def _lines_topics(scan: Scan) -> bool:
    """One topic a line, bulleted or numbered ("- barre chords\n- fingerpicking")."""
    lines = [m for m in _LINE_RE.finditer(scan.work) if m.group().strip()]
    if len(lines) < 2:
        return False
    topics: list[str] = []
    for line in lines:
        text = scan.display[line.start() : line.end()]
        items = topic_items(_BULLET_RE.sub("", text))
        if not items or not _plausible(items):
            return False
        topics.extend(t for t in items if t.lower() not in {x.lower() for x in topics})
    return _set(scan, topics[:MAX_TOPICS], lines[0].start(), lines[-1].end())


def _numbered_topics(scan: Scan) -> bool:
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
        if len(topics) >= 2 and _plausible(topics):
            start = mark.start()
            cue = _NUMBERED_CUE_RE.search(scan.work, 0, start)
            return _set(scan, topics[:MAX_TOPICS], cue.start() if cue else start, end)
    return False


def extract_topics(scan: Scan, known: list[str] | None = None) -> None:
    """Set `topics` from a cued, headed, bracketed, numbered or (when asked for) bare or
    one-a-line list; `known` are the topics so far, which "add X to the topics" changes."""
    if _edited_topics(scan, known or []) or _numbered_topics(scan):
        return
    if scan.expecting == "topics" and (_lines_topics(scan) or _answered_topics(scan)):
        return
    if _cued_topics(scan, weak=False) or _headed_topics(scan) or _bracketed_topics(scan):
        return
    if _colon_topics(scan):
        return
    _cued_topics(scan, weak=True)
