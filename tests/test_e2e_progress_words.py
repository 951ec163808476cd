"""End to end through the Bot API stand-in: progress messages the rules used to misread
(issue 9, issue 14 item 10)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent import texts as agent_texts
from tests.fakes.progress_driver import make_plan, progress_doc
from tests.harness import BotUnderTest, FrozenClock, texts

START = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)


def _tick(bot: BotUnderTest, minutes: int = 10) -> None:
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now += timedelta(minutes=minutes)


async def _planned(bot: BotUnderTest, user: int) -> None:
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now = START
    await make_plan(bot, user)
    _tick(bot)


async def test_just_did_20_min_not_finished_is_partial(bot: BotUnderTest) -> None:
    user = 711
    await _planned(bot, user)
    await bot.say(user, "done w1m1")
    _tick(bot)
    calls = await bot.say(user, "just did 20 min, not finished")
    assert "no longer marked done" not in texts(calls), "it is not an undo"
    doc = await progress_doc(bot, user)
    assert set(doc.done("p1")) == {"w1m1"}
    assert doc.minutes_total("p1") == 20
    assert [a.kind for a in doc.activity()][-1] == "partial"


async def test_marked_done_by_mistake_revert(bot: BotUnderTest) -> None:
    user = 712
    await _planned(bot, user)
    await bot.say(user, "done w1m2")
    _tick(bot)
    calls = await bot.say(user, "marked done by mistake, revert")
    assert "no longer marked done" in texts(calls)
    assert (await progress_doc(bot, user)).done("p1") == {}


async def test_done_for_today_is_not_a_completion(bot: BotUnderTest) -> None:
    """Issue 14 item 10: "I'm done for today" does not mark a module complete."""
    user = 713
    await _planned(bot, user)
    calls = await bot.say(user, "I'm done for today")
    assert "✅ Marked" not in texts(calls)
    assert (await progress_doc(bot, user)).done("p1") == {}


async def test_two_modules_named_in_one_message_are_both_done(bot: BotUnderTest) -> None:
    """ "w1m1 and w1m2 both done, 1h": each named module is marked done, the hour shared."""
    user = 716
    await _planned(bot, user)
    calls = await bot.say(user, "w1m1 and w1m2 both done, 1h")
    assert "Marked 2 modules done" in texts(calls), texts(calls)
    doc = await progress_doc(bot, user)
    assert set(doc.done("p1")) == {"w1m1", "w1m2"}
    assert doc.minutes_total("p1") == 60
    _tick(bot)
    calls = await bot.say(user, "w1m1 and w1m2 done")
    assert "already marked done" in texts(calls)


async def test_undo_in_other_words_right_after_a_plan_change(bot: BotUnderTest) -> None:
    """ "revert that edit" / "undo my last tweak" after a plan change restore the plan and
    leave progress alone."""
    user = 717
    await _planned(bot, user)
    store = bot.runtime.store  # type: ignore[union-attr]
    await bot.say(user, "done w1m1")
    _tick(bot)
    calls = await bot.say(user, "drop week 2")
    assert "version 2" in texts(calls), texts(calls)
    _tick(bot)
    calls = await bot.say(user, "revert that edit")
    assert "Restored version 1" in texts(calls), texts(calls)
    _tick(bot)
    calls = await bot.say(user, "make week 1 lighter")
    assert "version" in texts(calls), texts(calls)
    _tick(bot)
    calls = await bot.say(user, "undo my last tweak")
    assert "Restored version" in texts(calls), texts(calls)
    active = await store.active_plan(user)
    assert active is not None and active[0] == 1
    assert set((await progress_doc(bot, user)).done("p1")) == {"w1m1"}, "progress untouched"


async def test_done_in_other_words_and_begun_not_finished(bot: BotUnderTest) -> None:
    """ "learned <module>" marks it done; "<module> started, not finished" records partial
    work and marks nothing (it used to take the module back)."""
    user = 718
    await _planned(bot, user)
    active = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert active is not None
    first, second = active[1].modules()[:2]
    calls = await bot.say(user, f"learned {first.title.lower()}")
    assert "✅ Marked" in texts(calls), texts(calls)
    assert set((await progress_doc(bot, user)).done("p1")) == {first.id}
    _tick(bot)
    calls = await bot.say(user, f"{second.title} started, not finished")
    assert "no longer marked done" not in texts(calls), texts(calls)
    doc = await progress_doc(bot, user)
    assert set(doc.done("p1")) == {first.id}
    assert [a.kind for a in doc.activity()][-1] == "partial"


async def test_progress_with_a_plan_change_in_it_keeps_the_change(bot: BotUnderTest) -> None:
    """ "done w1m1, can we make week 2 lighter": one intent per message, so the progress is
    recorded, the plan is left as it is, and the bot says to send the change on its own
    (it used to drop the request without a word)."""
    user = 719
    await _planned(bot, user)
    store = bot.runtime.store  # type: ignore[union-attr]
    calls = await bot.say(user, "done w1m1, can we make week 2 lighter")
    said = texts(calls)
    assert "✅ Marked" in said, said
    assert agent_texts.CHANGE_SEPARATELY in said, said
    assert set((await progress_doc(bot, user)).done("p1")) == {"w1m1"}
    active = await store.active_plan(user)
    assert active is not None and active[0] == 1, "the plan is unchanged"
    _tick(bot)
    calls = await bot.say(user, "didn't finish week 2, can we move it")
    assert agent_texts.CHANGE_SEPARATELY in texts(calls), texts(calls)
    _tick(bot)
    calls = await bot.say(user, "done w1m2, thanks")
    assert agent_texts.CHANGE_SEPARATELY not in texts(calls), texts(calls)


async def test_progress_then_a_question_records_it_and_asks_for_the_question(
    bot: BotUnderTest,
) -> None:
    """ "done w1m1, what's next?": the report is recorded (it used to be read as a question
    only, and the progress was lost) and the bot asks for the question on its own."""
    user = 720
    await _planned(bot, user)
    calls = await bot.say(user, "done w1m1, what's next?")
    said = texts(calls)
    assert "✅ Marked" in said, said
    assert agent_texts.QUESTION_SEPARATELY in said, said
    assert set((await progress_doc(bot, user)).done("p1")) == {"w1m1"}
    _tick(bot)
    calls = await bot.say(user, "done w1m2, thanks")
    assert agent_texts.QUESTION_SEPARATELY not in texts(calls), texts(calls)
