"""/review: due review items as one short quiz poll; answers reschedule them with FSRS.

Items come from quiz questions answered wrong (caught on the way to the quiz feature's
grading, which still records the answer) and from completed modules' key objectives
(added when a module is marked done, and when /review or /progress next looks, so
session reminders can count them from storage). Poll answers for review polls are handled
here; every other poll answer goes on to the quiz feature unchanged.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import finish, reply, user_id
from agent.nodes.quiz import on_poll_answer as grade_quiz_answer
from agent.planner import truncate
from agent.review import ReviewItem, due_items, new_item, reviewed
from agent.review_items import load_items, sync_objectives
from agent.state import AgentState
from storage import review as review_store
from storage.models import QuizQuestion


def _poll(uid: int, item: ReviewItem, due_count: int) -> dict[str, Any]:
    return {
        "kind": "poll",
        "question": truncate(f"🔁 Review ({due_count} due): {item.question}", 300),
        "options": item.options,
        "correct_index": item.correct_index,
        "explanation": truncate(item.explanation or "", 200) or None,
        "notify": "review",
        "review": {"user_id": uid, "item": item.id},
    }


async def send_review(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    ctx = context_of(runtime)
    uid = user_id(state)
    now = ctx.clock()
    await sync_objectives(ctx.store, uid)
    items = await load_items(ctx.store, uid)
    due = due_items(items, now)
    if not due:
        upcoming = min((i.due() for i in items), default=None)
        when = f" The next one is due on {upcoming:%b %d}." if upcoming else ""
        return finish(state, [reply(f"Nothing to review right now.{when}")])
    return finish(state, [_poll(uid, due[0], len(due))])


async def remember_review_poll(context: Any, sent: dict[str, Any], message: dict[str, Any]) -> None:
    meta = sent.get("review")
    poll = message.get("poll") or {}
    if isinstance(meta, dict) and poll.get("id"):
        await review_store.remember_poll(
            context.store, int(meta["user_id"]), str(poll["id"]), str(meta["item"])
        )


def _missed_question(poll: dict[str, Any] | None, option: int) -> QuizQuestion | None:
    """The quiz question of a poll's stored meta when `option` gets it wrong."""
    if poll is None or poll.get("correct_index") is None or option == poll["correct_index"]:
        return None
    if not poll.get("question") or len(poll.get("options") or []) < 2:
        return None
    return QuizQuestion(
        question=str(poll["question"]),
        options=[str(o) for o in poll["options"]],
        correct_index=int(poll["correct_index"]),
        explanation=poll.get("explanation"),
    )


async def on_poll_answer(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    ctx = context_of(runtime)
    uid = user_id(state)
    event = state.get("inbox") or {}
    poll_id = str(event.get("poll_id") or "")
    options = [o for o in event.get("option_ids") or [] if isinstance(o, int)]
    if not options:
        return await grade_quiz_answer(state, runtime)
    item_id, quiz_poll = await review_store.answered_poll(ctx.store, uid, poll_id)
    if item_id is None:
        missed = _missed_question(quiz_poll, options[0])
        if missed is not None:
            item = new_item("quiz", missed, ctx.clock())
            if item is not None:
                # The wrong answer is the item's first review ("Again").
                first = reviewed(item, False, ctx.clock()).model_copy(update={"rev": 0})
                await review_store.add_items(ctx.store, uid, [first.model_dump(mode="json")])
        return await grade_quiz_answer(state, runtime)
    item = next((i for i in await load_items(ctx.store, uid) if i.id == item_id), None)
    if item is None:
        return finish(state, [])
    now = ctx.clock()
    correct = options[0] == item.correct_index
    updated = reviewed(item, correct, now)
    await review_store.replace_item(ctx.store, uid, updated.model_dump(mode="json"), item.rev)
    when = f"{updated.due():%b %d}"
    if correct:
        text = f"✅ Right. It comes back on {when}."
    else:
        text = f"❌ The answer is “{item.options[item.correct_index]}”. It comes back on {when}."
    left = len(due_items(await load_items(ctx.store, uid), now))
    if left:
        text += f" {left} more due — /review."
    return finish(state, [reply(text)])


FEATURE = Feature(
    name="review",
    nodes={"review_send": send_review, "review_poll_answer": on_poll_answer},
    commands={"review": "review_send"},
    callbacks={"rv:": "review_send"},
    events={"poll_answer": "review_poll_answer"},
    priority=25,
    on_sent=remember_review_poll,
)
