"""The goal: what someone wants to learn, in their words ("Rust", "pass the AWS exam").

The goal is the unconsumed text after a phrase such as "I want to learn", or else the
first short chunk that is not another field ("Rust, 6 weeks, beginner"). A goal must name
something to learn: "hmm not sure" or "something fun" are vague, not goals.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from agent.understanding import phrases
from agent.understanding.lexicon import LEXICON, phrase_key, trim_edges, word_set
from agent.understanding.nonanswers import classify_nonanswer, strip_filler
from agent.understanding.numbers import NUMBER_WORDS
from agent.understanding.text import EMOJI, FLAGS, MASK, Scan, ascii_same_length

__all__ = ["GoalHit", "find_goal", "is_vague_goal"]

MAX_GOAL_CHARS = 200

_GOAL_TRIGGER_RE = re.compile(
    r"\b(?:(?:(?:a\s+)?learning\s+)?(?:plan|roadmap|course)\s+(?:for|on|to\s+learn)"
    r"|learn(?:ing)?|stud(?:y|ying)(?:\s+for)?|master(?:ing)?|understand(?:ing)?|teach\s+me"
    r"|get(?:ting)?\s+(?:better|good|started)\s+(?:at|with|in)|improv(?:e|ing)(?:\s+(?:my|at|in))?"
    r"|(?:get(?:ting)?\s+(?:me\s+)?)?ready\s+for"
    r"|pick(?:ing)?\s+up|get\s+into|dive\s+into|brush\s+up\s+on|level\s+up(?:\s+(?:my|in|at|on))?"
    r"|(?:get|wrap)(?:ting)?\s+my\s+head\s+around|get\s+the\s+hang\s+of|be\s+able\s+to"
    r"|(?:needs?|want|wants)\s+help\s+with|prepar(?:e|ing)(?:\s+for)?|prepping(?:\s+for)?"
    r"|start(?:ing)?(?=\s+(?:to\s+)?[a-z])(?:\s+(?:learning|with))?"
    r"|upskill\s+(?:in|on)|prep(?:are)?\s+(?:me\s+|myself\s+)?for|interested\s+in|practi[cs]e|work\s+on"
    r"|goal(?:\s+is)?\s*(?::|-|=|is)?(?:\s+to)?)"
    r"(?:\s+(?:more\s+)?about|\s+how\s+to)?\s+",
    FLAGS,
)
_WISH_TRIGGER_RE = re.compile(
    r"\b(?:(?:want|wanna|need|hope|wish|aim|plan|trying|try|going)\s+to"
    r"|(?:would|'d)\s+(?:like|love)(?:\s+to)?"
    r"|\bi\s+(?:need|want)(?=\s+[A-Z]))\s+",  # "I need Excel for my new job"
    FLAGS,
)


def _alternation(name: str) -> str:
    """A lexicon list as a regex alternation over the folded text, longest phrase first."""
    items = sorted({ascii_same_length(str(w)).lower() for w in LEXICON[name]}, key=len)[::-1]
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)


# The same leads in other languages people mix in (accents folded), tried after English.
_FOREIGN_TRIGGER_RE = re.compile(rf"\b(?:{_alternation('foreign_goal_leads')})\s+", FLAGS)
_FOREIGN_TAIL_RE = re.compile(rf"\s+(?:{_alternation('foreign_goal_tails')})\s*$", FLAGS)
_GOAL_END_RE = re.compile(
    rf"[,;:!?\n()\[\]\x1f{EMOJI}]|\.(?=\s|$)|\s-+\s"
    r"|\b(?:but|because|bc|cuz|coz|cos|since|so\s+that|so\s+i|as\s+i|again|before|after"
    r"|from\s+scratch|(?:just\s+)?for\s+fun|asap"
    r"|for\s+(?:a|an)\s"
    r"|i'?m|i\s+am|i\s+have|i've|i\s+can|i\s+could|i\s+work|i\s+live|which|in\s+order\s+to"
    r"|please|in\s+my\s+(?:free|spare)\s+time"
    rf"|{_alternation('foreign_goal_ends')})\b",
    FLAGS,
)
_GOAL_SEGMENT_RE = re.compile(r"(?:[^,;:!?\n.\-]|\.(?!\s|$)|-(?!-|\s))+")
_COMPOUNDS = word_set("learning_compounds")
_LEADING = frozenset(
    {"about", "to", "more", "need", "want", "wanna", "basically", "so", "ok", "maybe", "probably"}
)
_PURPOSES = "|".join(
    re.escape(w).replace(r"\ ", r"\s+") for w in sorted(word_set("purpose_nouns"), key=len)[::-1]
)
_PURPOSE_RE = re.compile(
    r"\s(?:for\s+(?:a|an)\s|in\s+order\s+to\b|so\s+that\b|because\b"
    rf"|for\s+(?:my|our)\s+(?:(?:upcoming|next|first|new)\s+)?(?:{_PURPOSES})\b)",
    FLAGS,
)
_PREVIOUS_WORD_RE = re.compile(r"([A-Za-z-]+)\s+$")
_QUESTION_END_RE = re.compile(r"[.!?\n]")
_ACKS = word_set("acks")
_NOT_A_START = word_set("not_a_goal_start")
_JUNK = word_set("topic_junk")
_VAGUE = word_set("vague_goal_words")
_MAX_SEGMENT_WORDS = 8
_SHORT_THE_GOAL = 3
_SEGMENT_BREAK_RE = re.compile(r"[,;]")
_ANSWER_PART_RE = re.compile(r"[^,;!?\n]+")
_FILLER = word_set("filler")
_BARE_VERBS = word_set("goal_bare_verbs")
_EXAMS = "|".join(sorted(word_set("exam_words"), key=len, reverse=True))
_EXAM_ABOUT_RE = re.compile(rf"^(?:(?:an?|the|my)\s+)?({_EXAMS})\s+(?:in|on|for)\s+(.+)$", FLAGS)
_EXAM_PHRASE_RE = re.compile(
    rf"\b(?:the|my|an?|this|that|our)\s+(?:[\w+#.-]+\s+){{0,3}}?(?:{_EXAMS})\b", FLAGS
)


class GoalHit(NamedTuple):
    goal: str
    start: int
    end: int


def is_vague_goal(goal: str) -> bool:
    """True when a goal names nothing to learn ("something fun", "idk")."""
    return all(word in _VAGUE or word in _FILLER for word in phrase_key(goal).split())


def _clean_goal(phrase: str) -> str | None:
    stop = _GOAL_END_RE.search(phrase, 1)  # "Spanish but for medical stuff", "Unity 🎮 for fun"
    phrase = phrase[: stop.start()] if stop else phrase
    end = _PURPOSE_RE.search(phrase)
    phrase = phrase[: end.start()] if end else phrase
    tail = _FOREIGN_TAIL_RE.search(ascii_same_length(phrase))
    words = (phrase[: tail.start()] if tail else phrase).split()  # "Gitarre lernen"
    while words and words[0].lower() in _LEADING:
        words.pop(0)
    if 1 < len(words) <= _SHORT_THE_GOAL and words[0].lower() == "the":
        words.pop(0)  # "the guitar", but "the history of jazz"
    goal = trim_edges(" ".join(words))
    about = _EXAM_ABOUT_RE.match(goal)
    if about:  # "exam in stats" is the stats exam
        goal = f"{about[2]} {about[1]}"
    if len(goal) > MAX_GOAL_CHARS:
        goal = goal[:MAX_GOAL_CHARS].rsplit(" ", 1)[0]
    key = phrase_key(goal)
    if not key or key in _ACKS | _JUNK | _FILLER or not any(ch.isalpha() for ch in goal):
        return None
    return goal


def _with_object(scan: Scan, hit: GoalHit) -> GoalHit | None:
    """ "I have the CKA exam on feb 26th, need to pass": a bare verb takes the event named
    elsewhere as its object ("pass the CKA exam"); with none, there is no goal yet."""
    if phrase_key(hit.goal) not in _BARE_VERBS:
        return hit
    event = _EXAM_PHRASE_RE.search(scan.display)
    if event is None:
        return None
    return GoalHit(f"{hit.goal} {event.group()}", hit.start, hit.end)


def _goal_after(scan: Scan, start: int) -> GoalHit | None:
    trigger = _GOAL_TRIGGER_RE.match(scan.work, start)
    while trigger:
        start = trigger.end()
        trigger = _GOAL_TRIGGER_RE.match(scan.work, start)
    end_match = _GOAL_END_RE.search(scan.work, start)
    end = end_match.start() if end_match else len(scan.work)
    goal = _clean_goal(scan.display[start:end])
    return _hit(scan, goal, start, end)


def _hit(scan: Scan, goal: str | None, start: int, end: int) -> GoalHit | None:
    if goal is None:
        return None
    begin = scan.display.find(goal, start, end)
    begin = start if begin < 0 else begin
    return GoalHit(goal, begin, begin + len(goal))


def _compound(scan: Scan, match: re.Match[str]) -> bool:
    """ "deep learning", "machine learning": the trigger word is part of the subject."""
    previous = _PREVIOUS_WORD_RE.search(scan.work, 0, match.start())
    return bool(previous and previous.group(1).lower() in _COMPOUNDS)


def _in_question(scan: Scan, pos: int) -> bool:
    """ "I have 4 hours a week, what should I learn?": a trigger inside a wh-question asks
    for a goal, it names none."""
    start = max(scan.work.rfind(ch, 0, pos) for ch in ",;.!?\n") + 1
    end = _QUESTION_END_RE.search(scan.work, pos)
    clause = scan.work[start : end.end() if end else len(scan.work)]
    return clause.rstrip().endswith("?") and phrases.opens_with_wh_question(clause.strip())


def _triggered_goal(scan: Scan) -> GoalHit | None:
    for pattern in (_GOAL_TRIGGER_RE, _WISH_TRIGGER_RE, _FOREIGN_TRIGGER_RE):
        for match in scan.matches(pattern):
            if _compound(scan, match) or _in_question(scan, match.start()):
                continue
            hit = _goal_after(scan, match.end())
            if hit:
                return _with_object(scan, hit)
    return None


def _is_ack(text: str) -> bool:
    words = phrase_key(text).split()
    return not words or " ".join(words) in _ACKS or all(w in _ACKS for w in words)


def _plausible_start(phrase: str) -> bool:
    """Goals don't start with "make", "actually", "I'm", a number, …"""
    words = phrase_key(phrase).split()
    if not words:
        return False
    first = words[0]
    return not (first in _NOT_A_START or first in NUMBER_WORDS or first.isdigit())


def _segment_goal(scan: Scan) -> GoalHit | None:
    """ "Rust, 6 weeks, beginner": the first short chunk that is not another field."""
    for match in _GOAL_SEGMENT_RE.finditer(scan.work):
        end = scan.work.find(MASK, match.start(), match.end())
        stop = match.end() if end < 0 else end
        goal = _clean_goal(scan.display[match.start() : stop])
        if goal and _in_question(scan, match.start()):
            continue
        if goal and not _is_ack(goal) and len(goal.split()) <= _MAX_SEGMENT_WORDS:
            if _plausible_start(goal):
                return _hit(scan, goal, match.start(), stop)
    return None


def _answered_goal(scan: Scan) -> GoalHit | None:
    """The answer to "What do you want to learn?" without its hedges ("the piano, I guess",
    "hmm, maybe photography?")."""
    for match in _ANSWER_PART_RE.finditer(scan.work):
        part = scan.display[match.start() : match.end()]
        key = phrase_key(part)
        if (
            not key
            or strip_filler(key) in _FILLER
            or classify_nonanswer(part)
            or is_vague_goal(part)
        ):
            continue
        words = part.split()
        while words and phrase_key(words[0]) in _FILLER | _LEADING:
            words.pop(0)
        goal = _clean_goal(" ".join(words))
        if goal:
            return _hit(scan, goal, match.start(), match.end())
    return None


def _whole_message_goal(scan: Scan) -> GoalHit | None:
    """A message with no other field is all goal ("Kubernetes for my job")."""
    whole = scan.display.strip()
    if whole.startswith("/") or _is_ack(whole) or phrases.is_smalltalk(whole):
        return None  # "buenos días ☀️" greets; it names nothing to learn
    start = scan.display.find(whole)
    if scan.expecting == "goal":
        return _answered_goal(scan)
    if whole.endswith("?") or phrases.opens_with_wh_question(whole):
        return None  # "whats the price" asks; it names nothing to learn
    if classify_nonanswer(whole, loose=True) in {"unsure", "later"}:
        return None  # "not sure what I want to learn yet"
    if _plausible_start(whole) and not _SEGMENT_BREAK_RE.search(whole):
        return _hit(scan, _clean_goal(whole), start, start + len(whole))
    return _segment_goal(scan)


def find_goal(scan: Scan, *, triggered_only: bool = False) -> GoalHit | None:
    """The goal stated in the unconsumed text, or None. Does not consume it.
    `triggered_only`: only a goal introduced by a phrase like "I want to learn"."""
    hit = _triggered_goal(scan)
    if hit is None and scan.expecting in {None, "goal"} and not triggered_only:
        hit = _segment_goal(scan) if scan.fields or scan.problems else _whole_message_goal(scan)
    return hit
