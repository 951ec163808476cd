"""Topic names in plan-change requests: the patterns that find them ("add more on LoRA",
"drop the part about RLHF", "replace X with Y") and the cleaning that turns the matched
words into topics ("LoRA practice" → LoRA, plus a wish for practice). Words come from
``data/refinement.yaml``."""

from __future__ import annotations

import re

from agent.understanding.refinement_weeks import alternation, words

_FLAGS = re.IGNORECASE | re.ASCII

TOPIC = r"(?P<t>[^,;.!?\n\x1f]{1,80})"
REMOVE_TOPIC_RES = tuple(
    re.compile(pattern, _FLAGS)
    for pattern in (
        rf"\b(?:{alternation(words()['remove_verbs'])})\s+(?:the\s+|all\s+(?:the\s+)?)?(?:topic\s+(?:of\s+)?"
        r"|topics?\s*:\s*|(?:part|section|stuff|module|bits?)\s+(?:on|about)\s+)?" + TOPIC,
        r"\b(?:less|fewer)\s+(?:on|about)\s+" + TOPIC,
        r"\b(?:don'?t|do\s+not)\s+(?:include|cover|need|want|like|enjoy|care\s+about)\s+" + TOPIC,
        r"\bnot\s+interested\s+in\s+" + TOPIC,
        # "take barre chords out", "leave the podcasts out"
        r"\b(?:take|leave|cut|strip|throw|kick|cross)\s+(?:the\s+)?(?P<t>[^,;.!?\n\x1f]{1,60}?)"
        r"\s+out\b(?!\s+of\b)",
    )
)
MORE_ON_RES = tuple(
    re.compile(pattern, _FLAGS)
    for pattern in (
        r"\b(?:(?:add|include|put\s+in|give\s+(?:me|us)|want|need|like|cover|do|have|spend)\s+)?"
        r"(?:a\s+(?:bit|little|lot)\s+|(?:much|way|even|some|a\s+few)\s+)?"
        r"(?:more|extra|additional)\s+(?:time\s+|focus\s+|depth\s+|work\s+|content\s+"
        r"|material\s+|stuff\s+|modules?\s+|hours\s+|emphasis\s+)?(?:on|about|of|for|with)\s+"
        + TOPIC,
        r"\b(?:add|include|give\s+(?:me|us)|want|need|i'?d\s+like)\s+(?:some\s+|a\s+bit\s+)?"
        r"(?:more|extra|additional)\s+" + TOPIC,
        r"^\s*(?:(?:please|pls|plz|and|also|maybe|just|ok|okay|so)\s+)*(?:more|extra)\s+" + TOPIC,
        r"\b(?:focus|concentrate)\s+(?:more\s+)?on\s+" + TOPIC,
        r"\b(?:go|dig|dive)\s+deeper\s+(?:on|into|in)\s+" + TOPIC,
        r"\ba\s+deep(?:er)?\s+dive\s+(?:on|into)\s+" + TOPIC,
        r"\b(?:expand|beef\s+up|strengthen|double\s+down\s+on)\s+(?:the\s+)?"
        r"(?:(?:part|section|bit|stuff)\s+(?:on|about)\s+)?" + TOPIC,
        r"\b(?:want|like|need)\s+to\s+(?:learn|cover|study|know)\s+more\s+(?:about\s+)?" + TOPIC,
    )
)
ADD_TOPIC_RES = tuple(
    re.compile(pattern, _FLAGS)
    for pattern in (
        r"\b(?:add|include|incorporate|put\s+in|throw\s+in|also\s+cover|please\s+cover|cover)\s+"
        r"(?:(?:a\s+)?(?:bit|little|section|module|part|week|lesson|chapter|unit)\s+"
        r"(?:on|about|of)\s+|(?:a\s+(?:little\s+)?)?something\s+(?:on|about)\s+|(?:some\s+)?(?:stuff\s+)?"
        r"(?:on|about)\s+|the\s+topic(?:\s+of)?\s+|a\s+(?:new\s+)?topic\s*(?::|\s(?:on|about|called|named))\s*|topics?\s*:?\s*"
        r"|some\s+)?" + TOPIC,
        r"\b(?:want|like|need)\s+(?:to\s+)?(?:learn|cover|study|know)\s+(?:about\s+)?" + TOPIC,
        rf"(?:\b|(?<='))(?:{alternation(words()['wish_verbs'])})\s+(?:to\s+(?:have|get|see|add|"
        r"include|learn|cover)\s+)?(?:some\s+|a\s+bit\s+of\s+|a\s+(?:module|section|week|part)"
        r"\s+(?:on|about)\s+)?(?!to\b|be\b|it\b|make\b)" + TOPIC,
    )
)
REPLACE_RE = re.compile(
    r"\b(?:replace|swap|switch|substitute|exchange|trade)\s+(?P<old>[^,;.!?\n\x1f]{1,60}?)\s+"
    r"(?:with|for|by)\s+(?P<new>[^,;.!?\n\x1f]{1,60})",
    _FLAGS,
)
_TOPIC_CUT_RE = re.compile(
    r"\s+(?:in|to|into|for|from|during)\s+(?:week\b|the\s+plan\b|my\s+plan\b|it\b|the\s+\w+\s+week\b)"
    r"|\s+(?:too|as\s+well|also|please|pls|instead|again)\b"
    rf"|\s+(?:{alternation(words()['topic_tails'])})\b"
    rf"|\s+(?:{alternation(words()['wish_tails'])})(?![\w'])",
    _FLAGS,
)
SELF_SUBJECT_RE = re.compile(
    r"\b(?:(?:can|could|should|may|do|did|how\s+do|where\s+do|when\s+do)\s+i"
    r"|i'?ll|i\s+will|i\s+did|i'?ve|i\s+have|let\s+me)\s+$",
    _FLAGS,
)
_TOPIC_SPLIT_RE = re.compile(r"\s*(?:\band\b|&|\bplus\b)\s*", _FLAGS)
_TOPIC_LEAD = frozenset(words()["topic_lead"])
_NOT_TOPICS = frozenset(words()["not_topics"])
_PRONOUN_LEAD = frozenset(words()["pronoun_lead"])
_PRACTICE_TAILS = frozenset(words()["practice_tails"])
_FILLER_TAILS = frozenset(words()["filler_tails"])
_TAIL_KEEPERS = frozenset(words()["tail_keepers"])
_BAD_TOPIC_RE = re.compile(
    r"\b(?:weeks?|hours?|days?|quiz(?:zes)?|session|sessions|plan|today|tomorrow|reminders?)\b"
    r"|^\W*\d|\b\d+\s*(?:h|hrs?|m|mins?|x|%)\b",
    _FLAGS,
)


def _strip_tails(topic: str) -> tuple[str, bool]:
    """ "LoRA practice" → ("LoRA", True); "LoRA stuff" → ("LoRA", False)."""
    words_ = topic.split()
    practice = False
    while len(words_) > 1:
        last = words_[-1].lower().strip(" '\"`")
        pair = " ".join(words_[-2:]).lower()
        if all(w.lower() in _TAIL_KEEPERS for w in words_[:-1]):
            break  # "final project" is a name, not "final" plus practice
        if pair in _PRACTICE_TAILS:
            words_, practice = words_[:-2], True
        elif last in _PRACTICE_TAILS:
            words_, practice = words_[:-1], True
        elif last in _FILLER_TAILS:
            words_ = words_[:-1]
        else:
            break
    return " ".join(words_), practice


def clean_topics(raw: str) -> tuple[list[str], bool]:
    """Topics named in `raw`, and whether a practice word followed one of them."""
    cut = _TOPIC_CUT_RE.search(raw)
    if cut:
        raw = raw[: cut.start()]
    topics: list[str] = []
    practice = False
    for part in _TOPIC_SPLIT_RE.split(raw):
        words_ = part.strip(" \t'\"`*:-").split()
        while words_ and words_[0].lower() in _TOPIC_LEAD:
            words_.pop(0)
        topic, tail_practice = _strip_tails(" ".join(words_).strip(" '\"`"))
        if not topic or topic.lower() in _NOT_TOPICS or _BAD_TOPIC_RE.search(topic):
            practice = practice or (tail_practice and not topic)
            continue
        if topic.split()[0].lower() in _PRONOUN_LEAD:
            continue
        if len(topic.split()) <= 6:
            topics.append(topic)
            practice = practice or tail_practice
    return topics, practice


def clean_topic(raw: str) -> list[str]:
    return clean_topics(raw)[0]
