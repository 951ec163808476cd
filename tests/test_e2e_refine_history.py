"""End to end through the Bot API stand-in: undo walks the history of changes (not version
numbers), redo walks it forward, relative plan lengths, and "more on" a topic the plan
already has (issues 9 and 14)."""

from __future__ import annotations

from agent.validator import check_plan
from tests.harness import BotUnderTest, texts

GOAL = (
    "Learn fine-tuning LLMs, 6 weeks, 6h/week, intermediate, weekday evenings after 7pm, "
    "Berlin, topics: LoRA and QLoRA"
)


async def _planned(bot: BotUnderTest, user: int) -> None:
    calls = await bot.say(user, GOAL)
    await bot.press_button(user, calls[-1], "Build my plan")
    active = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert active is not None and len(active[1].weeks) == 6


async def _shape(bot: BotUnderTest, user: int) -> tuple[int, int, float]:
    """(version, weeks, weekly hours) of the active plan."""
    active = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert active is not None
    version, plan, goal = active
    assert check_plan(plan, goal) == []
    return version, len(plan.weeks), plan.hours_per_week


async def test_undo_returns_to_the_state_before_the_last_change(bot: BotUnderTest) -> None:
    """Issue 14 item 2: "3 h" → undo → "8 weeks" → undo gives the original, not 3 h."""
    user = 701
    await _planned(bot, user)
    assert await _shape(bot, user) == (1, 6, 6)
    await bot.say(user, "I can only do 3 hours a week now")
    assert await _shape(bot, user) == (2, 6, 3)
    calls = await bot.say(user, "undo")
    assert "Restored version 1" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6)
    await bot.say(user, "make it 8 weeks")
    assert await _shape(bot, user) == (3, 8, 6)
    calls = await bot.say(user, "undo")
    assert "Restored version 1" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6), "undo must not bring back the undone 3 h"
    calls = await bot.say(user, "undo")
    assert "no earlier version" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6)


async def test_redo_walks_forward_and_a_new_change_drops_it(bot: BotUnderTest) -> None:
    user = 702
    await _planned(bot, user)
    await bot.say(user, "make it 8 weeks")
    await bot.say(user, "I can only do 3 hours a week now")
    assert await _shape(bot, user) == (3, 8, 3)
    await bot.say(user, "undo")
    calls = await bot.say(user, "undo")
    assert await _shape(bot, user) == (1, 6, 6), "repeated undo walks back"
    restored = next(c for c in calls if "Restored" in str(c.params.get("text")))
    calls = await bot.press_button(user, restored, "Redo")
    assert "Restored version 2" in texts(calls)
    assert await _shape(bot, user) == (2, 8, 6)
    await bot.say(user, "redo")
    assert await _shape(bot, user) == (3, 8, 3), "redo walks forward"
    calls = await bot.say(user, "redo")
    assert "nothing to redo" in texts(calls).lower()
    await bot.say(user, "undo")
    assert await _shape(bot, user) == (2, 8, 6)
    await bot.say(user, "make it 10 weeks")
    assert await _shape(bot, user) == (4, 10, 6)
    calls = await bot.say(user, "redo")
    assert "nothing to redo" in texts(calls).lower(), "a new change drops the redo branch"
    await bot.say(user, "undo")
    assert await _shape(bot, user) == (2, 8, 6)


async def test_add_two_more_weeks_then_undo(bot: BotUnderTest) -> None:
    """Issue 9: a relative length is computed from the plan; undo restores its length."""
    user = 703
    await _planned(bot, user)
    calls = await bot.say(user, "add two more weeks")
    assert "6 → 8" in texts(calls)
    assert await _shape(bot, user) == (2, 8, 6)
    calls = await bot.say(user, "shorten it by a week")
    assert await _shape(bot, user) == (3, 7, 6)
    await bot.say(user, "undo")
    await bot.say(user, "undo")
    assert await _shape(bot, user) == (1, 6, 6)


async def test_more_on_a_topic_the_plan_already_has(bot: BotUnderTest) -> None:
    """Issue 14 item 4: "add more on LoRA" adds LoRA work although LoRA is a topic."""
    user = 704
    await _planned(bot, user)
    store = bot.runtime.store  # type: ignore[union-attr]
    before = await store.active_plan(user)
    assert before is not None

    def lora(plan: object) -> tuple[int, float]:
        modules = [m for m in plan.modules() if any("lora" == t.lower() for t in m.topics)]  # type: ignore[attr-defined]
        return len(modules), sum(m.hours for m in modules)

    calls = await bot.say(user, "add more on LoRA")
    assert "already in your plan" not in texts(calls)
    after = await store.active_plan(user)
    assert after is not None and after[0] == 2
    assert lora(after[1]) > lora(before[1])
    assert "LoRA" in texts(calls)
    assert check_plan(after[1], after[2]) == []

    calls = await bot.say(user, "add more LoRA practice")
    latest = await store.active_plan(user)
    assert latest is not None
    assert all("practice" not in t.lower() for t in latest[2].topics), latest[2].topics
    assert latest[0] == 3 and lora(latest[1]) >= lora(after[1])


async def test_take_it_out_asks_which_topic(bot: BotUnderTest) -> None:
    """Issue 9: an unresolved pronoun is never removed as a topic; the bot asks."""
    user = 705
    await _planned(bot, user)
    calls = await bot.say(user, "take it out")
    assert "Which topic should I take out?" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6)


async def test_redo_from_scratch_offers_a_new_plan_not_the_undone_change(
    bot: BotUnderTest,
) -> None:
    """ "redo it from scratch" asks for a new plan: the bot offers /newplan's choice and
    never brings back an undone change; "Keep my plan" keeps it, "Start" starts intake."""
    user = 706
    await _planned(bot, user)
    await bot.say(user, "make it 8 weeks")
    await bot.say(user, "undo")
    assert await _shape(bot, user) == (1, 6, 6)
    calls = await bot.say(user, "redo it from scratch")
    assert "Start a new one?" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6), "the undone change stays undone"
    calls = await bot.press_button(user, calls[-1], "Keep my plan")
    assert "keeping your plan" in texts(calls)
    calls = await bot.say(user, "start over with a different plan")
    assert "Start a new one?" in texts(calls)
    calls = await bot.press_button(user, calls[-1], "Start a new plan")
    assert "new plan" in texts(calls).lower()
    assert await _shape(bot, user) == (1, 6, 6), "the old plan stays until a new one is built"


async def test_longer_without_a_number_asks_how_many(bot: BotUnderTest) -> None:
    """ "make the plan longer" / "more hours" name no number: the bot asks, changes nothing,
    and the suggested answer works."""
    user = 707
    await _planned(bot, user)
    calls = await bot.say(user, "make the plan longer")
    assert "How many should it have?" in texts(calls) and "make it 8 weeks" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6)
    calls = await bot.say(user, "more hours")
    assert "6 hours a week now" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6)
    await bot.say(user, "make it 8 weeks")
    assert await _shape(bot, user) == (2, 8, 6)
