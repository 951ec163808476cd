"""Understand free-text progress messages ("done", "/log 1h30 LoRA", "oops not done", ...).

Pure and rule based: no I/O, no clock, no LLM. `parse_progress` turns one message into a
`ProgressIntent` (or None when the message is not about progress) and `parse_duration`
extracts a time span in minutes.

How a message is read
---------------------
1. Slash commands win: ``/done``, ``/undo``, ``/partial``, ``/log``, ``/skip`` (an optional
   ``@botname`` suffix is ignored). Any other command is not progress.
2. Otherwise questions (ending in "?" or starting with an interrogative such as "what",
   "how", "can") are not progress, and neither is a message that only says the user is
   finished with the bot itself ("I'm done with this bot", "finished with you") — that is
   a farewell, not a study report.
3. The action is the first rule that matches, in this order: a revert ("marked done by
   mistake", "unmark w1m2") or explicit "undo"; a negated completion with minutes ("just
   did 20 min, not finished") is partial; partial ("partial", "did half", "a third done",
   "3/4 done", "made some progress"); negated completion ("not done", "didn't finish"; a
   trailing "yet" makes it a plain status report and therefore not progress); skip;
   the end of a day's study ("I'm done for today") is no completion — a log with minutes,
   else nothing; done ("done", "finished", "completed", "did it", "✅", but not when a
   plan/wish word such as "will", "'ll", "want", "if" comes before the verb; with minutes
   that is partial: "20 min, will finish tomorrow"); log (a duration with a study verb,
   after "log", before what was studied — "90m on async" — or opening a message that names
   a module — "1h lora"); finally "did <module>" / "<module> took 1h45" are done.
   Words are matched whole, so "undone" is neither "undo" nor "done". Word lists live in
   ``data/progress.yaml``; the partial cues and the words that say done or not done without
   "done" ("X started, not finished", "learned Em and Am", "haven't recorded myself yet")
   are in `agent.understanding.progress_cues`.
4. The module is resolved by `agent.understanding.progress_modules` (ids, positions,
   ordinals, "part 2", titles with typos; filler never counts).
5. Minutes come from `parse_duration`. A log keeps its module only when its words name it:
   time on "some rust", "data stuff" or the plan's own subject ("practiced guitar") is time
   on the plan in general.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from agent.understanding.numbers import NUMBER_PATTERN, parse_number
from agent.understanding.progress_cues import (
    begun_unfinished,
    completed_in_words,
    missed_in_words,
    partial_module,
    partial_span,
)
from agent.understanding.progress_foreign import to_english
from agent.understanding.progress_modules import (
    Resolution,
    named_modules,
    phrases,
    resolve_module,
    tokens,
    words,
)
from agent.understanding.progress_words import (
    did_module,
    log_module,
    repair,
    report_before_question,
)
from storage.models import Plan

Action = Literal["done", "undo", "partial", "log", "skip", "missed"]

_MAX_CHARS = 1000


class ProgressIntent(BaseModel):
    """What a progress message asks for.

    `module_id` is set only when the message names exactly one module of the plan.
    `ambiguous` lists the candidates when the named reference fits several modules equally.
    `reference` holds the words taken as a module reference (e.g. "week 9 module 9" or
    "rlhf"), even when nothing matched, so a caller can ask "which module is 'rlhf'?"
    instead of silently falling back to the next module. When nothing matched it may hold
    leftover filler words, so use it only to phrase a question, never to reject a message.
    """

    action: Action
    module_id: str | None = None
    minutes: int | None = None
    ambiguous: list[str] = Field(default_factory=list)
    reference: str | None = None
    # Several modules named one by one ("ec2 and ebs both done"): all of them, in order;
    # `module_id` is then the first.
    modules: list[str] = Field(default_factory=list)


# --------------------------------------------------------------------------- durations

_DIGITS = r"(?<![\w.,])\d{1,4}(?:[.,]\d{1,2})?"
_WORD = rf"(?:{NUMBER_PATTERN})(?:[\s-]+(?!\d)(?:{NUMBER_PATTERN}))?"
_HOUR = r"(?:hours|hour|hrs|hr|h)(?![a-z])"
_MIN = r"(?:minutes|minute|mins|min|mn|m)(?![a-z\d])"
_HOUR_WORD = r"(?:hours|hour|hrs|hr)\b"
_MIN_WORD = r"(?:minutes|minute|mins|min)\b"
_HALF = r"(?:\s+and\s+a\s+half|\s+and\s+half|\s*½)"

_DURATION_RE = re.compile(
    rf"""
      (?P<quarter3>\bthree[\s-]quarters?\s+of\s+an?\s+{_HOUR_WORD})
    | (?P<quarter>\b(?:a\s+)?quarter\s+(?:of\s+)?an?\s+{_HOUR_WORD})
    | (?P<halfhour>\b(?:half\s+(?:of\s+)?an?|a\s+half|half)\s+{_HOUR_WORD})
    | (?P<clock>(?<![\w.,:])(?P<ch>\d{{1,2}}):(?P<cm>[0-5]\d)\s*{_HOUR})
    | (?P<hours>
          (?:(?P<h>{_DIGITS})(?P<half_pre>{_HALF})?\s*{_HOUR}
            |(?P<hw>{_WORD})(?P<half_prew>{_HALF})?\s+{_HOUR_WORD})
          (?P<half_post>\s+and\s+a\s+half)?
          (?:\s*(?:and\s+)?(?P<hm>\d{{1,3}})(?![\d]|[.,]\d)\s*(?:{_MIN})?)?
      )
    | (?P<minutes>(?P<m>{_DIGITS})\s*{_MIN}|(?P<mw>{_WORD})\s+{_MIN_WORD})
    | (?P<bare>\b(?:took|taking|spent|logged|log)\s+(?:me\s+)?(?:about\s+|around\s+|~\s*)?
          (?P<b>\d{{1,4}})(?![\d.,:])(?!\s*(?:{_HOUR}|{_MIN}|and\b|½)))
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _number(token: str) -> float | None:
    """A numeral or number words matched by `_DIGITS`/`_WORD` ("forty-five") as a float."""
    token = " ".join(token.strip().lower().replace("-", " ").split())
    whole = parse_number(token.replace(",", "."))
    if whole is not None:
        return whole
    head, _, tail = token.rpartition(" ")
    tens, units = parse_number(head), parse_number(tail)
    if tens is not None and units is not None and tens % 10 == 0 and 20 <= tens and units < 10:
        return tens + units
    return None


def _match_minutes(m: re.Match[str]) -> int | None:
    """Minutes of one `_DURATION_RE` match (None for a zero/implausible value)."""
    if m.group("quarter3"):
        total = 45.0
    elif m.group("quarter"):
        total = 15.0
    elif m.group("halfhour"):
        total = 30.0
    elif m.group("clock"):
        total = int(m.group("ch")) * 60.0 + int(m.group("cm"))
    elif m.group("hours"):
        hours = _number(m.group("h") or m.group("hw"))
        if hours is None:
            return None
        if m.group("half_pre") or m.group("half_prew") or m.group("half_post"):
            hours += 0.5
        extra = int(m.group("hm")) if m.group("hm") else 0
        if extra >= 60:
            return None
        total = hours * 60 + extra
    elif m.group("minutes"):
        value = _number(m.group("m") or m.group("mw"))
        if value is None:
            return None
        total = value
    else:
        total = float(m.group("b"))
    minutes = round(total)
    return minutes if minutes > 0 else None


def _find_duration(text: str) -> tuple[int, tuple[int, int]] | None:
    """The leftmost duration in `text` as (minutes, span)."""
    for m in _DURATION_RE.finditer(text):
        minutes = _match_minutes(m)
        if minutes is not None:
            return minutes, m.span()
    return None


def parse_duration(text: str) -> int | None:
    """Minutes stated in `text`, or None.

    Understands "45 min", "45m", "1h30", "1h 30m", "1.5h", "1,5 h", "1:30h",
    "1 hour 20 minutes", "an hour", "half an hour", "an hour and a half", "90 minutes",
    "2 hrs", "a couple of hours", "forty-five minutes" and a bare number after
    "took"/"spent"/"log" ("took 45" = 45 minutes). Only the leftmost duration is used.
    Zero durations count as none. Never raises.
    """
    if not isinstance(text, str):
        return None
    found = _find_duration(text[:_MAX_CHARS])
    return found[0] if found else None


# --------------------------------------------------------------------------- actions

_COMMAND_RE = re.compile(r"^\s*/(?P<cmd>[a-z_]+)(?:@\w+)?(?=\s|$)", re.IGNORECASE)
_COMMANDS: dict[str, Action] = {
    "done": "done",
    "finished": "done",
    "complete": "done",
    "undo": "undo",
    "undone": "undo",
    "partial": "partial",
    "log": "log",
    "skip": "skip",
}

_QUESTION_START_RE = re.compile(rf"^(?:{phrases(words()['question_starts'])})\b(?!')")
_BOT_FAREWELL_RE = re.compile(
    r"\b(?:done|finished|through)\s+with\s+(?:this\s+|the\s+|you\s+|your\s+)?"
    rf"(?:{phrases(words()['farewell_objects'])})\b"
)
_FUTURE_RE = re.compile(rf"(?:\b(?:{phrases(words()['future_words'])})\b|'ll\b)")

_UNDO_RE = re.compile(
    r"\bundo\b|\bun-?(?:mark|check|tick)\b"
    r"|\bmark(?:ed)?\s+(?:it\s+|that\s+|this\s+)?(?:as\s+)?"
    r"(?:undone|incomplete|unfinished|not\s+done|not\s+complete[d]?)\b"
)
_NEGATED_DONE_RE = re.compile(
    r"(?:\bnot|n't|\bnever)\s+(?:really\s+|actually\s+)?"
    r"(?:done|finished|finish|completed|complete|do\s+it|did\s+it)\b"
    r"|\bdid\s+not\s+(?:finish|complete|do)\b"
)
_YET_RE = re.compile(r"\byet\b")
_SKIP_RE = re.compile(r"\bskip(?:ping|ped)?\b")
_NEGATED_SKIP_RE = re.compile(r"(?:\bnot|n't|\bnever|\bno)\s+(?:to\s+)?skip")
_DONE_RE = re.compile(
    r"\bdone\b|\bfinished\b|\bcompleted\b|\bdid\s+(?:it|that|this)\b"
    r"|\bdid\s+(?:the\s+|my\s+|today's\s+)?(?:module|lesson|exercise|reading|homework|"
    r"assignment|task|quiz)s?\b|\bdid\s+w(?:ee)?k?\s*\d"
    r"|(?:^|\bmark(?:ed)?\s+(?:it\s+|that\s+|this\s+)?(?:as\s+)?|\b(?:is|it's|its|now)\s+)"
    r"complete\b"
    r"|^finish\b|\bnailed\s+it\b|\bcrushed\s+it\b|\bwrapped\s+(?:it\s+)?up\b"
    r"|\b(?:ticked|checked)\s+(?:it\s+)?off\b|\bgot\s+through\b"
    r"|[✅✔☑✓]"
)
# "couldn't do X", "X skipped", "no time for X": a named module was not done (see `_missed`).
_MISSED_RE = re.compile(rf"(?<![\w'-])(?:{phrases(words()['missed_phrases'])})(?![\w-])")
_DONE_PHRASES_RE = re.compile(
    rf"(?<![\w'-])(?:{phrases([*words()['done_phrases'], *words()['first_person_done']])})"
    rf"(?![\w-])|(?<![\w-])(?:{phrases(words()['done_words'])})(?![\w-])"
    r"|\bcomplete\b(?=\s*(?:[!.,;✅✔]|$))"
)
_LOG_START_RE = re.compile(r"^log(?:ged)?\b")
_FINISH_LATER_RE = re.compile(
    r"\b(?:will|'ll|gonna|going\s+to|plan\s+to|hope\s+to|need\s+to|have\s+to)\s+"
    rf"(?:{phrases(words()['finish_later_verbs'])})\b"
    r"|\b(?:finish|more|the\s+rest)\s+(?:it\s+|of\s+it\s+)?(?:tomorrow|later|tonight|next\s+time)\b"
)
# Time on "some rust", "a bit of s3", "data stuff": the subject in general, not a module.
_VAGUE_RE = re.compile(
    r"\b(?:some|a\s+(?:little\s+)?bit\s+of|a\s+little)\s+[a-z]|\b[^\W_]+\s+(?:stuff|things)\b"
)
_DID_RE = re.compile(r"\b(?:did|went\s+through|worked\s+through|covered)\b")
_TOOK_RE = re.compile(r"\b(?:took|taking|in)\b")
_ACTIVITY_VERB_RE = re.compile(
    rf"\b(?:{phrases(words()['activity_verbs'])})\b(?=\s*(?:$|[\d,.;:!~(-]"
    r"|(?:for|to|on|about|around|with|through|some|a|an|the|my|me|it|this|that|again)\b"
    rf"|(?:{phrases(words()['subject_words'])})\b))"
)
_STUDY_VERB_RE = re.compile(
    rf"\b(?:{phrases([*words()['study_verbs'], *words()['activity_verbs']])})\b"
)


def _normalize(text: str) -> str:
    """Lowercase, unify apostrophes and whitespace, cap length."""
    text = text[:_MAX_CHARS].lower()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    return " ".join(text.split())


def _is_question(text: str) -> bool:
    return text.endswith("?") or bool(_QUESTION_START_RE.match(text))


def _compiled(source: str) -> re.Pattern[str]:
    return re.compile(source, re.IGNORECASE)


_DAY_END_RE = _compiled(
    rf"\b(?:done|finished|finish|through|over|stopping|quitting|calling\s+it)\s+"
    rf"(?:(?:studying|learning|working)\s+)?(?:{phrases(words()['day_end'])})\b"
    r"|\b(?:calling\s+it\s+a\s+(?:day|night)|that'?s\s+(?:it|all)\s+for\s+(?:today|tonight|now))\b"
)
_REVERT_STRONG_RE = _compiled(rf"(?<![\w-])(?:{phrases(words()['revert_strong'])})(?![\w-])")
_REVERT_WEAK_RE = _compiled(rf"(?<![\w-])(?:{phrases(words()['revert_weak'])})(?![\w-])")
_DONE_MENTION_RE = _compiled(
    r"\b(?:done|finished|completed|complete|ticked|checked|marked|mark|w\d+m\d+)\b|[✅✔☑]"
)
_DURATION_OBJECT_RE = _compiled(
    r"^\s*(?:on|of|for|with|doing|into|in|studying|reading|practi[cs]ing|learning|working)\b"
)


# "can you unmark pattern matching": a request about a mark, not a question.
_MARK_REQUEST_RE = _compiled(
    r"^(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+|pls\s+)?"
    r"(?:un-?mark|un-?tick|un-?check|undo|revert|mark|tick|check\s+off)\b"
)
# A thumbs-up or a party after a module's name ("cloudwatch 👍") says it is done.
_APPROVAL_RE = _compiled(
    rf"(?:{phrases(words()['approval_marks'])})"
    rf"|[:,-]\s*(?:{phrases(words()['approval_words'])})\s*[!.]*\s*$"
)


def _is_revert(text: str) -> bool:
    """ "marked done by mistake, revert", "unmark w1m2", "take back the ✅"."""
    if _REVERT_STRONG_RE.search(text):
        return bool(_DONE_MENTION_RE.search(text))
    return bool(_REVERT_WEAK_RE.search(text) and _DONE_MENTION_RE.search(text))


def _is_log(text: str, duration: tuple[int, int] | None, plan: Plan | None) -> bool:
    """A duration with a study verb, after "log", followed by what was studied ("90m on
    async"), or opening a message that names a module ("1h lora"; without the plan, any
    content word will do — the caller reads it again with the plan)."""
    if duration is None:
        return False
    if _LOG_START_RE.match(text) or _STUDY_VERB_RE.search(text):
        return True
    rest = text[duration[1] :]
    if _DURATION_OBJECT_RE.match(rest):
        return True
    if text[: duration[0]].strip():
        # "borrowing #2, 40 min": a module and a duration, nothing else ("took" is done)
        return not _TOOK_RE.search(text) and _names_module(_blank(text, [duration]), plan)
    if plan is None:
        return bool(tokens(rest))
    found = resolve_module(rest, plan)
    if found.module_id or found.ambiguous:
        return True
    # "20 min flashcards": time on something outside the plan, unless it is a plan change
    said = tokens(rest)
    return 0 < len(said) <= _MAX_ACTIVITY_WORDS and not _PLAN_CHANGE_RE.search(rest)


_MAX_ACTIVITY_WORDS = 3
_PLAN_CHANGE_RE = re.compile(
    r"\b(?:a|per|each|every|/)\s*(?:week|wk|w|day)\b|\bweekly\b|\bdaily\b|\binstead\b|\bweeks?\b"
    r"|\b(?:only|max|tops|now|enough|too|more|less|fewer)\b|\d"
)


def _detect_action(text: str, duration: tuple[int, int] | None, plan: Plan | None) -> Action | None:
    """The free-text action of a normalized, non-command message (see module docstring)."""
    has_duration = duration is not None
    if _is_revert(text) or _UNDO_RE.search(text):
        return "undo"
    if _NEGATED_DONE_RE.search(text) and has_duration:
        return "partial"
    plain = _blank(text, [duration]) if duration else text  # "an hour and a half of X"
    if partial_span(plain):
        return "partial"
    if _NEGATED_DONE_RE.search(text):
        if begun_unfinished(text):
            return "partial"  # "X started, not finished", "X was too hard, didn't finish"
        return "missed" if _YET_RE.search(text) else "undo"
    if _SKIP_RE.search(text):
        if _NEGATED_SKIP_RE.search(text):
            return None
        return "missed" if _MISSED_RE.search(text) else "skip"
    if (_MISSED_RE.search(text) or missed_in_words(text, plan)) and not has_duration:
        return "missed"  # "skipped closures", "haven't recorded myself yet"
    day_end = _DAY_END_RE.search(text)
    if day_end is not None:
        rest = _blank(text, [day_end.span()])
        if not _DONE_RE.search(rest):
            return "log" if has_duration else None
        text = rest
    done = _DONE_RE.search(text) or _DONE_PHRASES_RE.search(text)
    if done:
        if not _FUTURE_RE.search(text, 0, done.start()):
            return "done"
        return "partial" if has_duration else None  # "20 min, will finish it tomorrow"
    if has_duration and _FINISH_LATER_RE.search(text):
        return "partial"
    if did_module(text, duration, plan):
        return "done"  # "did practice exam 1 — 2h10": the module itself, not time on it
    if _is_log(text, duration, plan):
        return "log"
    if _names_module(text, plan) and (
        _DID_RE.search(text)
        or (has_duration and _TOOK_RE.search(text))
        or _APPROVAL_RE.search(text)
        or (not has_duration and completed_in_words(text, plan))
    ):
        return "done"  # "did part 2 of the preterite", "DynamoDB took 1h45", "learned Em"
    return None


def _names_module(text: str, plan: Plan | None) -> bool:
    """Whether the message names a module of the plan (never without the plan)."""
    if plan is None:
        return False
    found = resolve_module(text, plan)
    return bool(found.module_id or found.ambiguous)


# --------------------------------------------------------------------------- modules


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the given spans replaced by spaces."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# --------------------------------------------------------------------------- entry point


def _command_action(text: str) -> tuple[bool, Action | None, int]:
    """(is a slash command, its action or None if not a progress command, where it ends)."""
    m = _COMMAND_RE.match(text)
    if not m:
        return False, None, 0
    return True, _COMMANDS.get(m.group("cmd")), m.end()


def _intent(action: Action, text: str, plan: Plan | None, body_start: int = 0) -> ProgressIntent:
    """Build the intent for `action`: minutes from the whole message ("/log 25" counts),
    the module from the part after any command word."""
    duration = _find_duration(text)
    spans = [m.span() for m in _ACTIVITY_VERB_RE.finditer(text, body_start)]
    body = _blank(text, [*spans, duration[1]] if duration else spans)
    vague = action == "log" and _VAGUE_RE.search(body) is not None
    resolution = resolve_module(body[body_start:], plan, vague_is_none=vague)
    if action == "log":
        resolution = log_module(body[body_start:], resolution, plan)
    if action == "partial":
        clause = partial_module(body[body_start:], plan)
        if clause is not None:
            resolution = Resolution(module_id=clause, reference=resolution.reference)
    several = named_modules(body[body_start:], plan) if action == "done" else []
    if several:
        return ProgressIntent(
            action=action,
            module_id=several[0],
            minutes=duration[0] if duration else None,
            reference=resolution.reference,
            modules=several,
        )
    return ProgressIntent(
        action=action,
        module_id=resolution.module_id,
        minutes=duration[0] if duration else None,
        ambiguous=list(resolution.ambiguous),
        reference=resolution.reference,
    )


def parse_progress(text: str, plan: Plan | None) -> ProgressIntent | None:
    """Read a progress message; None when it is not about progress. Never raises.

    See the module docstring for the rules. "I'm done with this bot" (and similar
    "done/finished with you/the app/...") is deliberately *not* progress: it reads as
    leaving the bot, and marking a module on a farewell would be wrong.
    """
    if not isinstance(text, str):
        return None
    norm = repair(to_english(_normalize(text)), plan)
    if not norm:
        return None
    is_command, action, command_end = _command_action(norm)
    if is_command:
        return _intent(action, norm, plan, command_end) if action else None
    if _BOT_FAREWELL_RE.search(norm):
        return None
    if _is_question(norm) and not _MARK_REQUEST_RE.match(norm):
        head = report_before_question(norm)
        found = parse_progress(head, plan) if head else None
        return found if found and (found.module_id or found.ambiguous) else None
    found = _find_duration(norm)
    action = _detect_action(norm, found[1] if found else None, plan)
    if action == "missed":
        return _missed(norm, plan)
    return _intent(action, norm, plan) if action else None


def _missed(text: str, plan: Plan | None) -> ProgressIntent | None:
    """A module the user did not do ("skipped closures", "didn't get to X yet").

    It reads as taking back that module's completion (not done), and only when the words
    name a module of the plan: "didn't do much today" is no progress at all, and "skipped
    the quiz" without a module is left to the plan changes.
    """
    spans = [m.span() for m in _MISSED_RE.finditer(text)]
    found = _intent("undo", _blank(text, spans), plan)
    if not (found.module_id or found.ambiguous):
        return None
    return found
