"""End to end without an LLM: goal in own words → plan → two refinements → undo."""

from __future__ import annotations

from agent.validator import check_plan
from tests.harness import BotUnderTest, texts


async def test_intake_plan_two_refinements_and_undo(bot: BotUnderTest) -> None:
    user = 401
    store = bot.runtime.store  # type: ignore[union-attr]
    calls = await bot.say(
        user,
        "Learn fine-tuning LLMs, 6 weeks, 6h/week, intermediate, weekday evenings after 7pm, "
        "Berlin, topics: LoRA and QLoRA",
    )
    calls = await bot.press_button(user, calls[-1], "Build my plan")
    assert "Week 6" in texts(calls)
    v1 = await store.active_plan(user)
    assert v1 is not None and v1[0] == 1
    assert check_plan(v1[1], v1[2]) == []

    calls = await bot.say(user, "make it 8 weeks")
    reply = texts(calls)
    assert "version 2" in reply and "6 → 8" in reply
    v2 = await store.active_plan(user)
    assert v2 is not None and len(v2[1].weeks) == 8 and v2[2].weeks == 8
    assert check_plan(v2[1], v2[2]) == []

    calls = await bot.say(user, "I can only do 3 hours a week now")
    reply = texts(calls)
    assert "version 3" in reply
    v3 = await store.active_plan(user)
    assert v3 is not None and v3[2].hours_per_week == 3
    assert all(w.hours <= 3 for w in v3[1].weeks)
    assert check_plan(v3[1], v3[2]) == []

    calls = await bot.press_button(user, calls[-1], "Undo")
    assert "Restored version 2" in texts(calls)
    restored = await store.active_plan(user)
    assert restored is not None and restored[0] == 2 and len(restored[1].weeks) == 8
    versions = await store.plan_versions(user)
    assert [v["version"] for v in versions] == [1, 2, 3], "old versions must be kept"

    calls = await bot.say(user, "/plan")
    assert "version 2" in texts(calls) and "Week 8" in texts(calls)


async def test_unknown_text_after_plan_gets_guidance(bot: BotUnderTest) -> None:
    user = 402
    calls = await bot.say(
        user, "Learn SQL, 3 weeks, 2h/week, beginner, weekends 10:00-12:00, London, topics: joins"
    )
    await bot.press_button(user, calls[-1], "Build my plan")
    calls = await bot.say(user, "what a lovely day")
    assert "make week 2 lighter" in texts(calls)
    calls = await bot.say(user, "swap weeks 1 and 9")
    assert "week 9" in texts(calls).lower()
