"""Topics: the parts of the goal someone wants covered ("focusing on hooks and state").

A list of topics is read after a cue phrase ("topics:", "focusing on", "especially",
"things like", "mostly"; weaker cues such as "with" need two items), after a short head
and a colon ("Web dev: HTML, CSS, JS"), or as a bare list right after the goal ("learn
Python, pandas, numpy"). The cue phrases live in `data/lexicon.yaml`; lists found by
their shape (numbered, headed, bracketed, …) are read in `topic_lists`. This module also
applies the edits made at the card ("add SQL to the topics", "swap X for Y").
"""

from __future__ import annotations

import re

from agent.understanding.lexicon import LEXICON, PhraseMatcher, phrase_key, word_set
from agent.understanding.text import FLAGS, Scan
from agent.understanding.topic_lists import (
    EMOJI,
    MAX_TOPICS,
    bare_list,
    bracketed_topics,
    colon_topics,
    headed_topics,
    lines_topics,
    list_after,
    numbered_topics,
    peer_list_end,
    plausible,
    set_topics,
    topic_items,
    topics_after_goal,
    topics_wanted,
)

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

_CUES = PhraseMatcher({"strong": LEXICON["topic_cues"], "weak": LEXICON["topic_weak_cues"]})
_UNIT_WORDS = word_set("typo_units") | {"hrs", "wks", "mins", "minutes", "hour", "weeks"}
_SENTENCE_RE = re.compile(r"[^.!?;\n\x1f]+")
_CLAUSE_OPEN_RE = re.compile(r"[,;]\s*$")
_CLOSES_RE = re.compile(r"\s*(?:[.!?;,\n]|$)")
_EMOJI_RE = re.compile(f"[{EMOJI}]+")
_POSTFIX = frozenset(
    {"mostly", "mainly", "primarily", "especially", "particularly", "in particular"}
)
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
_ANSWER_PREFIX_RE = re.compile(
    r"^\s*(?:(?:yes|yeah|yep|sure|ok|okay)\b[\s,!.:-]*)?(?:(?:please|pls)\b[\s,!.:-]*)?"
    r"(?:(?:i'?d|i\s+would)\s+like\s+(?:to\s+)?|i\s+want\s+(?:to\s+)?|maybe\s+|probably\s+)?"
    r"(?:(?:learn|focus|cover|study|do|include|master|understand|practi[cs]e|improve|work|know"
    r"|get\s+(?:better|good|comfortable))\s+(?:more\s+)?(?:on|about|at|with|in)?\s*)?"
    r"(?:(?:the\s+)?topics?\s*(?:are|:|-)?\s*|mostly\s+|mainly\s+|especially\s+|definitely\s+)?",
    FLAGS,
)


def _named(items: list[str]) -> bool:
    """Some item is written like a name ("LoRA", "React", "C++"), not ordinary words."""
    return any(ch.isupper() or ch.isdigit() for item in items for ch in item)


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
            return set_topics(scan, topics, hit.start, end)
        opens = _CLAUSE_OPEN_RE.search(scan.work, 0, hit.start)  # ", like pwn and …"
        named = _named(topics) or (opens is not None and hit.phrase == "like")
        if weak and len(topics) >= 2 and plausible(topics) and named:
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
    topics = bare_list(scan.display[begin:cue_start]) or topic_items(scan.display[begin:cue_start])
    if topics and plausible(topics):
        return set_topics(scan, topics, begin, cue_end)
    return False


def topics_in_sentences(scan: Scan, goal: tuple[int, int]) -> list[str]:
    """A sentence of its own that is just a list joined by "and" ("Chess. Openings and
    endgames. 20 min a day"); not the sentence of the goal (span `goal`)."""
    for match in _SENTENCE_RE.finditer(scan.work):
        if (match.start() < goal[1] and goal[0] < match.end()) or "," in match.group():
            continue
        topics = bare_list(scan.display[match.start() : match.end()])
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
    return set_topics(scan, topics[:MAX_TOPICS], *match.span())


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


def _answered_topics(scan: Scan) -> bool:
    start = len(scan.work) - len(scan.work.lstrip())
    prefix = _ANSWER_PREFIX_RE.match(scan.work, start)
    if prefix:
        start = prefix.end()
    end, phrase = list_after(scan, start)
    topics = topic_items(phrase)
    return set_topics(scan, topics, start, end) if topics else False


def extract_topics(scan: Scan, known: list[str] | None = None) -> None:
    """Set `topics` from a cued, headed, bracketed, numbered or (when asked for) bare or
    one-a-line list; `known` are the topics so far, which "add X to the topics" changes."""
    if _edited_topics(scan, known or []) or numbered_topics(scan):
        return
    if scan.expecting == "topics" and (lines_topics(scan) or _answered_topics(scan)):
        return
    if _cued_topics(scan, weak=False) or headed_topics(scan) or bracketed_topics(scan):
        return
    if colon_topics(scan):
        return
    _cued_topics(scan, weak=True)
