"""/quiz: a week's quiz as native Telegram polls, graded from `poll_answer` updates.

Questions with one correct answer go out as non-anonymous quiz polls; the others
as regular polls (a self-assessment, not graded). The poll id Telegram assigns is
stored once the poll is sent (`remember_poll`), and answers are matched by it —
only for the user the poll was sent to.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent import texts
from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import finish, reply, user_id
from agent.nodes.progress import progress_context
from agent.nodes.progress_actions import Progress
from agent.nodes.progress_report import current_week, done_ids_of, truncate
from agent.state import AgentState
from storage.progress import PlanContext, announce_once, new_activity_id, plan_context
from storage.progress_doc import ProgressDoc, load_progress
from storage.quiz_polls import record_poll, record_poll_answer

QUESTION_LIMIT, OPTION_LIMIT, EXPLANATION_LIMIT, MAX_OPTIONS = 300, 100, 200, 10
_WEEK_ARG = re.compile(r"\b(?:w(?:eek)?\s*)?([0-9]{1,3})\b", re.I)


def _quiz_week(args: str, pc: PlanContext, doc: ProgressDoc) -> int:
    match = _WEEK_ARG.search(args or "")
    return int(match.group(1)) if match else current_week(pc, done_ids_of(doc, pc))


async def send_quiz(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """/quiz [week]: the week's questions as native polls — quiz polls when a question has
    one correct answer, regular polls (self-assessment, not graded) otherwise."""
    event = state.get("inbox") or {}
    p = await progress_context(runtime, user_id(state))
    if p is None:
        return finish(state, [reply(texts.NO_PLAN)])
    number = _quiz_week(str(event.get("args") or ""), p.pc, await p.doc())
    week = next((w for w in p.pc.plan.weeks if w.number == number), None)
    if week is None:
        return finish(state, [reply(texts.NO_SUCH_WEEK.format(weeks=len(p.pc.plan.weeks)))])
    ctx = context_of(runtime)
    generated = await ctx.llm.quiz_for_week(p.pc.plan, week) if ctx.llm is not None else []
    own = [q for q in (week.quiz.questions if week.quiz else []) if len(q.options) >= 2]
    questions = generated or own
    if not questions:
        return finish(state, [reply(f"Week {number} has no quiz. Try /quiz with another week.")])
    batch = new_activity_id()[:8]
    polls = [_poll(p, number, index, q, batch, len(questions)) for index, q in enumerate(questions)]
    intro = f"📝 Week {number} quiz — {len(questions)} question(s). Answer the polls below."
    return finish(state, [reply(intro), *polls])


def _poll(p: Progress, week: int, index: int, question: Any, batch: str, count: int) -> dict:
    options = [truncate(o, OPTION_LIMIT) or "—" for o in question.options][:MAX_OPTIONS]
    correct = question.correct_index
    if correct is not None and not 0 <= correct < len(options):
        correct = None
    prefix = f"Week {week} · {index + 1}/{count}: "
    return {
        "kind": "poll",
        "question": truncate(prefix + question.question, QUESTION_LIMIT),
        "options": options,
        "correct_index": correct,
        "explanation": truncate(question.explanation or "", EXPLANATION_LIMIT) or None,
        "notify": "quiz",
        "quiz": {
            "user_id": p.uid,
            "plan": p.pc.lineage,
            "version": p.pc.version,
            "week": week,
            "index": index,
            "correct_index": correct,
            "option_count": len(options),
            "batch": batch,
            "count": count,
            # Kept so a wrong answer can become a spaced-review item (agent.nodes.review).
            "question": question.question,
            "options": options,
            "explanation": question.explanation,
        },
    }


async def remember_poll(context: Any, sent: dict[str, Any], message: dict[str, Any]) -> None:
    """After Telegram accepted a quiz poll: store its poll id → question mapping."""
    meta = sent.get("quiz")
    poll = message.get("poll") or {}
    if not isinstance(meta, dict) or not poll.get("id"):
        return
    uid = int(meta["user_id"])
    stored = {k: v for k, v in meta.items() if k != "user_id"}
    stored["sent_at"] = context.clock()
    await record_poll(context.store, uid, str(poll["id"]), stored)


async def on_poll_answer(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """Grade and store a quiz answer; when the last question of a quiz is answered, give
    the score. Retracted votes and unknown polls are ignored."""
    ctx = context_of(runtime)
    event = state.get("inbox") or {}
    uid = user_id(state)
    options = [o for o in event.get("option_ids") or [] if isinstance(o, int)]
    if not options:
        return finish(state, [])
    pc = await plan_context(ctx.store, uid)
    now = ctx.clock()
    zone = pc.timezone if pc else "UTC"
    answer = await record_poll_answer(
        ctx.store, uid, str(event.get("poll_id") or ""), options[0], now, zone
    )
    if answer is None:
        return finish(state, [])
    replies: list[dict[str, Any]] = []
    doc = await load_progress(ctx.store, uid)
    batch = str(answer.poll.get("batch"))
    polls = doc.batch_polls(batch)
    lineage = str(answer.poll["plan"])
    finished = len(polls) >= int(answer.poll.get("count", 0)) and all("answer" in q for q in polls)
    if finished and await announce_once(ctx.store, uid, lineage, f"quiz_{batch}"):
        replies.append(reply(_quiz_result(doc, lineage, int(answer.poll["week"]), polls)))
    if pc is not None and pc.lineage == lineage:
        replies.extend(await Progress(ctx.store, uid, pc, now).celebrate())
    return finish(state, replies)


def _quiz_result(doc: ProgressDoc, lineage: str, week: int, polls: list[dict]) -> str:
    graded = [q["answer"] for q in polls if q.get("correct_index") is not None]
    ratings = [int(q["answer"]["option"]) + 1 for q in polls if q.get("correct_index") is None]
    parts = [f"📝 Week {week} quiz finished."]
    if graded:
        right = sum(1 for a in graded if a.get("correct"))
        parts.append(f"Score: {right}/{len(graded)} correct.")
        scores = doc.quiz_scores(lineage).values()
        answered = sum(a for _, a in scores)
        if answered:
            average = 100 * sum(c for c, _ in scores) / answered
            parts.append(f"Quiz average so far: {average:.0f}%.")
    if ratings:
        parts.append(f"Self-rating: {sum(ratings) / len(ratings):.1f}/5.")
    return " ".join(parts)


FEATURE = Feature(
    name="quiz",
    nodes={"quiz_send": send_quiz, "quiz_poll_answer": on_poll_answer},
    commands={"quiz": "quiz_send"},
    events={"poll_answer": "quiz_poll_answer"},
    priority=30,
    on_sent=remember_poll,
)
