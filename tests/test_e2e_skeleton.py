"""End to end: Telegram update over HTTP → python-telegram-bot → graph → storage → reply."""

from __future__ import annotations

import asyncio

from tests.harness import BotUnderTest, texts

FULL_GOAL = (
    "I want to learn Rust, 6 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, "
    "Berlin, topics: ownership and async"
)

BOTH_ENGINES = True  # run on the embedded engine and on MONGODB_URI (tests/conftest.py)


async def _confirm_and_build(bot: BotUnderTest, user: int, calls: list) -> list:
    assert "Shall I build the plan?" in texts(calls)
    return await bot.press_button(user, calls[-1], "Build my plan")


async def test_one_message_gives_everything(bot: BotUnderTest) -> None:
    user = 101
    calls = await bot.say(user, FULL_GOAL)
    summary = texts(calls)
    assert "Rust" in summary and "beginner" in summary and "Europe/Berlin" in summary
    plan_calls = await _confirm_and_build(bot, user, calls)
    shown = texts(plan_calls)
    assert "Week 1" in shown and "Week 6" in shown
    stored = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert stored is not None
    version, plan, goal = stored
    assert version == 1 and len(plan.weeks) == 6 and goal.timezone == "Europe/Berlin"
    assert {"ownership", "async"} <= {t.lower() for t in plan.topics}
    week_buttons = [d for label, d in bot.api.buttons(plan_calls[0]) if label.startswith("Week")]
    assert len(week_buttons) == 6


async def test_question_by_question(bot: BotUnderTest) -> None:
    user = 102
    calls = await bot.say(user, "/newplan")
    assert "What do you want to learn" in texts(calls)
    calls = await bot.say(user, "Spanish conversation")
    assert "current level" in texts(calls)
    calls = await bot.press_button(user, calls[-1], "Intermediate")
    assert "hours a week" in texts(calls)
    calls = await bot.say(user, "4")
    assert "how many weeks" in texts(calls).lower()
    calls = await bot.say(user, "8")
    assert "topics" in texts(calls).lower()
    calls = await bot.press_button(user, calls[-1], "Skip")
    assert "When can you study" in texts(calls)
    calls = await bot.say(user, "weekday evenings 19:00-21:00")
    assert "time zone" in texts(calls)
    calls = await bot.say(user, "Europe/Madrid")
    plan_calls = await _confirm_and_build(bot, user, calls)
    assert "Week 8" in texts(plan_calls)
    stored = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert stored is not None
    _, plan, goal = stored
    assert goal.skill_level is not None and goal.skill_level.value == "intermediate"
    assert goal.hours_per_week == 4 and len(plan.weeks) == 8
    assert all(w.hours <= 4 for w in plan.weeks)


async def test_absurd_answer_gets_a_clear_question(bot: BotUnderTest) -> None:
    user = 103
    await bot.say(user, "/newplan")
    await bot.say(user, "Chess openings")
    await bot.say(user, "beginner")
    calls = await bot.say(user, "200")
    reply = texts(calls)
    assert "hours a week" in reply and "60" in reply
    calls = await bot.say(user, "6")
    assert "how many weeks" in texts(calls).lower()


async def test_two_users_in_parallel_do_not_see_each_other(bot: BotUnderTest) -> None:
    async def flow(user: int, goal: str) -> str:
        seen = []
        calls = await bot.say(user, f"I want to learn {goal}, 4 weeks, 3h/week, beginner")
        seen.append(texts(calls))
        calls = await bot.press_button(user, calls[-1], "Skip")
        seen.append(texts(calls))
        calls = await bot.say(user, "weekends 10:00-12:00")
        calls = await bot.say(user, "Tokyo")
        seen.append(texts(calls))
        calls = await bot.press_button(user, calls[-1], "Build my plan")
        seen.append(texts(calls))
        return "\n".join(seen)

    alice, bob = await asyncio.gather(flow(201, "Haskell"), flow(202, "Watercolor"))
    assert "Haskell" in alice and "Watercolor" not in alice
    assert "Watercolor" in bob and "Haskell" not in bob
    store = bot.runtime.store  # type: ignore[union-attr]
    plan_a, plan_b = await store.active_plan(201), await store.active_plan(202)
    assert plan_a is not None and plan_b is not None
    assert "Haskell" in plan_a[1].goal and "Watercolor" in plan_b[1].goal
    for chat, other in ((201, "Watercolor"), (202, "Haskell")):
        assert all(other not in t for t in bot.api.texts(chat))


async def test_restart_mid_intake_resumes_at_the_same_question(bot: BotUnderTest) -> None:
    user = 301
    await bot.say(user, "/newplan")
    await bot.say(user, "Linear algebra")
    calls = await bot.say(user, "advanced")
    assert "hours a week" in texts(calls)
    await bot.restart()
    calls = await bot.say(user, "10")
    assert "how many weeks" in texts(calls).lower()
    calls = await bot.say(user, "3 weeks")
    calls = await bot.press_button(user, calls[-1], "Skip")
    calls = await bot.say(user, "every day 7am-8am")
    calls = await bot.say(user, "UTC+2")
    plan_calls = await _confirm_and_build(bot, user, calls)
    assert "Week 3" in texts(plan_calls)
    stored = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert stored is not None and stored[2].goal == "Linear algebra"
    assert stored[2].hours_per_week == 10 and stored[2].skill_level == "advanced"


async def test_restart_after_plan_then_plan_command_shows_it(bot: BotUnderTest) -> None:
    user = 302
    calls = await bot.say(user, FULL_GOAL)
    await _confirm_and_build(bot, user, calls)
    await bot.restart()
    calls = await bot.say(user, "/plan")
    shown = texts(calls)
    assert "Rust" in shown and "Week 6" in shown
    week_button = next(d for label, d in bot.api.buttons(calls[0]) if label == "Week 2")
    calls = await bot.press(user, week_button)
    assert "<b>Week 2</b>" in texts(calls)


async def test_user_text_comes_back_escaped(bot: BotUnderTest) -> None:
    user = 303
    calls = await bot.say(
        user, "I want to learn C++ <templates> & type_traits, 4 weeks, 3h/week, advanced"
    )
    reply = texts(calls)
    assert "C++ &lt;templates&gt; &amp; type_traits" in reply
    assert "<templates>" not in reply
    calls = await bot.press_button(user, calls[-1], "Skip")
    await bot.say(user, "weekends 10:00-12:00")
    calls = await bot.say(user, "Berlin")
    plan_calls = await _confirm_and_build(bot, user, calls)
    assert "&lt;templates&gt; &amp; type_traits" in texts(plan_calls)


async def test_commands_are_registered(bot: BotUnderTest) -> None:
    registered = bot.api.sent(method="setMyCommands")
    assert registered, "setMyCommands was not called"
    names = {c["command"] for c in __import__("json").loads(registered[0].params["commands"])}
    assert {"start", "help", "newplan", "plan", "cancel"} <= names


async def test_cancel_mid_intake(bot: BotUnderTest) -> None:
    user = 105
    await bot.say(user, "/newplan")
    await bot.say(user, "Go programming")
    calls = await bot.say(user, "/cancel")
    assert "Cancelled" in texts(calls)
    calls = await bot.say(user, "/plan")
    assert "don't have a plan" in texts(calls)
