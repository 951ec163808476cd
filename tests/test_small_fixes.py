"""Smaller things a new user hits (issue 14, item 10), each through the Bot API stand-in:
time limits on /log, a retaken quiz, the chart's figures, and how time zones are named."""

from __future__ import annotations

import io
import re

from PIL import Image

from tests.fakes.progress_driver import answer_poll, make_plan, progress_doc, sent_polls
from tests.harness import BotUnderTest, texts


async def test_log_outside_the_limits_is_refused_with_the_limits(bot: BotUnderTest) -> None:
    user = 1421
    await make_plan(bot, user)
    for said in ("/log 25 hours", "/log -5h", "log -30m LoRA"):
        calls = await bot.say(user, said)
        assert "between 1 minute and 24 hours" in texts(calls), (said, texts(calls))
    assert (await progress_doc(bot, user)).minutes_total("p1") == 0
    calls = await bot.say(user, "/log 24h")
    assert "24 h" in texts(calls)
    assert (await progress_doc(bot, user)).minutes_total("p1") == 24 * 60


async def test_a_retaken_quiz_replaces_the_earlier_answers(bot: BotUnderTest) -> None:
    user = 1422
    await make_plan(bot, user)
    for right in (False, True):
        polls = sent_polls(await bot.say(user, "/quiz 1"))
        for poll in polls[:-1]:
            option = poll["correct"] if right else (poll["correct"] + 1) % 2
            await answer_poll(bot, user, poll["poll_id"], option, expect_reply=False)
        last = polls[-1]
        option = last["correct"] if right else (last["correct"] + 1) % 2
        await answer_poll(bot, user, last["poll_id"], option, expect_reply=True)
    count = len(polls)
    report = texts(await bot.say(user, "/progress"))
    assert f"Quiz average: 100% ({count}/{count} correct)" in report, report
    assert f"quiz {count}/{count}" in report


def _description(bot: BotUnderTest, user: int) -> str:
    (photo,) = bot.api.sent(user, "sendPhoto")[-1:]
    image = Image.open(io.BytesIO(next(iter(photo.files.values()))))
    return str(image.info.get("Description", ""))


async def test_the_chart_shows_time_spent_and_no_missed_days_before_the_plan(
    bot: BotUnderTest,
) -> None:
    user = 1423
    await make_plan(bot, user)
    await bot.say(user, "done w1m1")  # marked done: its planned hours are not time spent
    await bot.say(user, "/log 30m")
    await bot.say(user, "/progress")
    description = _description(bot, user)
    assert "week 1: 4 h planned, 0.5 h spent" in description, description
    match = re.search(r"(\d+) missed", description)
    assert match and int(match.group(1)) == 0, description
    assert "1 studied" in description


async def test_offsets_read_as_utc_offsets_and_gmt_keeps_summer_time(bot: BotUnderTest) -> None:
    user = 1424
    calls = await bot.say(user, "/timezone UTC-3")
    assert "Time zone set to UTC−03:00" in texts(calls), texts(calls)
    calls = await bot.say(user, "/timezone GMT")
    assert "Europe/London" in texts(calls), texts(calls)
