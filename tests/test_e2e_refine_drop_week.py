"""End to end without an LLM: a week taken out of the middle of a plan, and a week named
by its topic, through the Telegram stand-in, the graph and storage."""

from __future__ import annotations

from agent.validator import check_plan
from tests.harness import BotUnderTest, texts


async def _plan(bot: BotUnderTest, user: int) -> None:
    calls = await bot.say(
        user,
        "Learn Rust, 6 weeks, 5h/week, beginner, weekday evenings after 7pm, Berlin, "
        "topics: ownership, traits, async",
    )
    await bot.press_button(user, calls[-1], "Build my plan")


async def test_drop_a_middle_week_then_undo(bot: BotUnderTest) -> None:
    user = 431
    store = bot.runtime.store  # type: ignore[union-attr]
    await _plan(bot, user)
    v1 = await store.active_plan(user)
    assert v1 is not None and len(v1[1].weeks) == 6
    week3 = [m.id for m in v1[1].weeks[2].modules]
    week4 = [m.id for m in v1[1].weeks[3].modules]

    calls = await bot.say(user, "drop week 3")
    assert "version 2" in texts(calls)
    v2 = await store.active_plan(user)
    assert v2 is not None and len(v2[1].weeks) == 5 and v2[2].weeks == 5
    assert [w.number for w in v2[1].weeks] == [1, 2, 3, 4, 5]
    ids = {m.id for w in v2[1].weeks for m in w.modules}
    assert not ids & set(week3), "the dropped week's modules are gone"
    assert [m.id for m in v2[1].weeks[2].modules] == week4, "week 4 moved up to week 3"
    assert check_plan(v2[1], v2[2]) == []

    calls = await bot.say(user, "undo")
    assert "Restored version 1" in texts(calls)
    restored = await store.active_plan(user)
    assert restored is not None and len(restored[1].weeks) == 6


async def test_a_week_named_by_its_topic_moves(bot: BotUnderTest) -> None:
    user = 432
    store = bot.runtime.store  # type: ignore[union-attr]
    await _plan(bot, user)
    v1 = await store.active_plan(user)
    assert v1 is not None and len(v1[1].weeks) == 6
    words = {
        w.number: {t.lower().strip(":,()") for m in w.modules for t in m.title.split()}
        for w in v1[1].weeks
    }
    others = set().union(*(v for n, v in words.items() if n != 2))
    unique = sorted(t for t in words[2] - others if len(t) >= 5 and t.isalpha())
    assert unique, words
    week2 = [m.id for m in v1[1].weeks[1].modules]

    calls = await bot.say(user, f"move the {unique[0]} week to the end")
    assert "version 2" in texts(calls)
    v2 = await store.active_plan(user)
    assert v2 is not None and len(v2[1].weeks) == 6
    assert [m.id for m in v2[1].weeks[5].modules] == week2
    assert check_plan(v2[1], v2[2]) == []
