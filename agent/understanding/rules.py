"""The rule-based understander: the parsers of `agent.understanding`, composed by phase.

Intake (and the confirmation card): the intake parser reads the Goal fields, with the
question being asked (or "confirm") and the goal so far as context — at the card, "add SQL
to the topics" gives the whole new list. A question back ("why?") while the bot is
asking is the non-answer "question".

Once a plan exists, the first rule that matches decides the intent:
  1. redo ("redo", "ctrl+y", "undo the undo"), and a new plan in place of this one ("redo
     it from scratch", "start over"), which the bot answers with the /newplan offer;
  2. progress (the progress parser): done, partial, log; a reversal is "not_done" when it
     is about a completion ("not done", "undo done", "marked done by mistake, revert"),
     and "undo" when it is a bare "undo"/"undo that" — the node then decides whether the
     last progress action or the last plan change is meant (agent/nodes/progress.py);
  3. undo of a plan change ("undo the last change", "ctrl+z", "go back");
  4. a plan change (the refinement parser), unless the message is a single question about
     the plan ("is 6 hours a week enough?") rather than a request ("could week 5 be lighter?");
     a length or hours change without a number ("make it longer") is a change with the field
     left open (`unclear`), which the bot asks about;
  5. small talk ("thanks!", "hi", "how are you?");
  6. a question ("what's next?", "why is week 3 so heavy?", "next lesson when");
  7. unknown.

Right after the bot asked how many weeks or hours a plan change should give (the state's
pending question, `asking` "weeks" or "hours_per_week" in the planned phase), a reply that
answers it ("9", "ten", "two more", "5h") is that plan change, and "never mind" drops it
(the non-answer "no"); any other message is read as above.
"""

from __future__ import annotations

import re
import unicodedata

from agent.refine_ops import RefineOp
from agent.understanding import adapters, phrases
from agent.understanding.meaning import Meaning, UnderstandingContext
from agent.understanding.refinement_pending import PENDING_FIELDS, pending_reply, problem
from agent.understanding.validate import check

_COMPLETION = re.compile(r"\b(?:done|finished|complete|completed|completion)\b", re.I)
_PLAN_WORDS = re.compile(r"\b(?:plan|plans|version|versions|change|changes|refinement)\b", re.I)


def understand_intake(text: str, ctx: UnderstandingContext) -> Meaning:
    parsed = adapters.intake(text, today=ctx.today, expecting=ctx.asking, goal=ctx.goal)
    extras = adapters.intake_extras(parsed)
    fields = dict(parsed.fields)
    greeting = _only_smalltalk(text)  # "whats good my dude", "hi... is this on?"
    if ctx.asking == "topics" and set(fields) <= {"topics"} and greeting:
        fields = {}  # "hahaha", "xD", "hi" are not topics
    if ctx.asking is None and ctx.goal.goal is None and greeting:
        fields = {}  # a first "morning! ☕" or "sup my dude" greets: no goal, no study time
    nonanswer = extras["nonanswer"]
    if not fields and not nonanswer and not greeting and phrases.is_question(text):
        nonanswer = "question"  # a question back, while the bot is asking
    if fields:
        intent = "intake"
    elif nonanswer:
        intent = "nonanswer"
    elif greeting:
        intent = "smalltalk"
    else:
        intent = "unknown"
    confidence = extras["confidence"] if intent in {"intake", "nonanswer"} else 1.0
    if (extras["zone_options"] or extras["unclear"]) and intent == "unknown":
        intent = "intake"
    return Meaning(
        intent=intent,
        fields=fields,
        nonanswer=nonanswer,
        zone_options=extras["zone_options"],
        derived=extras["derived"],
        unclear=extras["unclear"],
        assumed_days=extras["assumed_days"],
        confidence=min(max(confidence, 0.0), 1.0),
        problems=list(parsed.problems),
    )


def _only_smalltalk(text: str) -> bool:
    return phrases.is_smalltalk(text) or phrases.is_smalltalk(_without_symbols(text))


def _without_symbols(text: str) -> str:
    """The text without emoji and other symbols ("👋 hi" → " hi")."""
    return "".join(" " if unicodedata.category(ch)[0] == "S" else ch for ch in text)


def understand_planned(text: str, ctx: UnderstandingContext) -> Meaning:
    # The context's goal is the plan's own subject ("practiced guitar" is the plan in general).
    plan = ctx.plan.as_plan(goal=ctx.goal.goal) if ctx.plan else None
    way = adapters.history(text)
    fresh = adapters.fresh_plan(text) and not phrases.is_info_question(text)
    if way == "redo" or phrases.is_redo(text) or fresh:
        return Meaning(intent="redo")
    progress = adapters.progress(text, plan)
    if progress is not None and progress.action != "skip":
        return _progress_meaning(text, progress)
    if way == "undo" or phrases.is_undo(text):
        return Meaning(intent="undo")
    ops = adapters.refinement(text, plan)
    if ops and phrases.is_info_question(text):
        return Meaning(intent="question")
    if ops:
        return Meaning(intent="refine", ops=ops)
    unclear = adapters.unclear(text)
    if unclear and not phrases.is_info_question(text):
        return Meaning(intent="refine", unclear=unclear)  # "make it longer": ask how long
    if phrases.is_smalltalk(text):
        return Meaning(intent="smalltalk")  # "hi, how are you?" is small talk
    if phrases.is_question(text) or phrases.asks(text):
        return Meaning(intent="question")
    return Meaning(intent="unknown", confidence=0.0)


def understand_pending(text: str, ctx: UnderstandingContext) -> Meaning | None:
    """The meaning of a reply to the pending "how many weeks/hours?" question, or None
    when the message does not answer it (it is then understood as any message is)."""
    if ctx.phase != "planned" or ctx.asking not in PENDING_FIELDS:
        return None
    plan = ctx.plan
    weeks = len(plan.weeks) if plan is not None and plan.weeks else None
    hours = plan.hours_per_week if plan is not None else None
    answer = pending_reply(text, str(ctx.asking), plan_weeks=weeks, plan_hours=hours)
    if answer is None:
        return None
    if answer.kind == "dismiss" or answer.field is None or answer.value is None:
        return Meaning(intent="nonanswer", nonanswer="no")
    why = problem(answer)
    if why is not None:
        return Meaning(intent="refine", unclear=[answer.field], problems=[why])
    if answer.field == "weeks":
        op = RefineOp(kind="set_weeks", weeks=round(answer.value))
    else:
        op = RefineOp(kind="set_hours", hours=answer.value)
    return Meaning(intent="refine", ops=[op])


def _progress_meaning(text: str, progress: adapters.ProgressIntent) -> Meaning:
    action = progress.action
    named = bool(progress.module_id or progress.ambiguous)
    if action == "undo":
        about_completion = named or bool(_COMPLETION.search(text))
        if about_completion and not _PLAN_WORDS.search(text):
            intent = "not_done"
        else:
            intent = "undo"
    else:
        intent = action
    module: str | None = progress.module_id
    if not module and len(progress.ambiguous) > 1:
        module = "ambiguous"
    return Meaning(
        intent=intent,
        module=module,
        candidates=list(progress.ambiguous),
        reference=progress.reference,
        minutes=progress.minutes,
        modules=list(progress.modules),
    )


def understand(text: str, ctx: UnderstandingContext) -> Meaning:
    """The rules' meaning of `text`, checked (what fails the checks becomes a problem)."""
    text = text or ""
    pending = understand_pending(text, ctx)
    if pending is not None:
        meaning = pending
    elif ctx.phase == "planned" and (ctx.asking is None or ctx.asking in PENDING_FIELDS):
        meaning = understand_planned(text, ctx)
    else:
        meaning = understand_intake(text, ctx)
    checked, problems = check(meaning, ctx)
    user_problems = [p for p in problems if p[:1].isupper()]
    # The rules' plan changes stay as asked: applying them explains what can't be done
    # ("the plan has 6 weeks"), which is more helpful than dropping them here.
    return checked.model_copy(
        update={"problems": [*checked.problems, *user_problems], "ops": meaning.ops}
    )


class RulesUnderstander:
    """The rules behind the `Understander` interface."""

    async def understand(self, text: str, ctx: UnderstandingContext) -> Meaning:
        return understand(text, ctx)
