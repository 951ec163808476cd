"""A reply Telegram refuses ends in an apology the user sees, and a turn's replies
never arrive after the next turn's."""

from __future__ import annotations

import json

from tests.fakes.progress_driver import answer_poll, make_plan, progress_doc, sent_polls
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest, texts


async def test_a_refused_quiz_poll_ends_in_an_apology_and_no_quiz_in_progress(
    bot: BotUnderTest,
) -> None:
    user = 1401
    await make_plan(bot, user)
    bot.api.fault = lambda method, _params: "400" if method == "sendPoll" else None
    calls = await bot.say(user, "/quiz")
    assert "refused the quiz poll" in calls[-1].params["text"], texts(calls)
    assert not sent_polls(calls)
    doc = await progress_doc(bot, user)
    assert not doc.raw.get("polls"), "a poll that never arrived is not waiting for answers"

    bot.api.fault = None
    polls = sent_polls(await bot.say(user, "/quiz"))
    assert polls
    for poll in polls[:-1]:
        await answer_poll(bot, user, poll["poll_id"], poll["correct"], expect_reply=False)
    last = polls[-1]
    calls = await answer_poll(bot, user, last["poll_id"], last["correct"], expect_reply=True)
    assert f"Score: {len(polls)}/{len(polls)} correct." in texts(calls)


async def test_sendpoll_answers_carry_bot_api_10_quiz_fields(bot: BotUnderTest) -> None:
    user = 1402
    await make_plan(bot, user)
    await bot.say(user, "/quiz")
    call = next(c for c in bot.api.calls if c.method == "sendPoll")
    assert json.loads(call.params["correct_option_ids"]) == [sent_polls([call])[0]["correct"]]
    assert "correct_option_id" not in call.params, "PTB 22.8 sends only the list"
    poll = bot.api._poll(call.params)
    assert poll["allows_revoting"] is False and poll["correct_option_ids"]
    assert all(o["persistent_id"] for o in poll["options"])


async def test_replies_of_one_turn_arrive_before_the_next_turns(
    bot: BotUnderTest, api: FakeTelegramAPI
) -> None:
    user = 1403
    api.slow_seconds = 1.0
    api.fault = lambda method, params: (
        "slow" if method == "sendMessage" and "/newplan" in str(params.get("text")) else None
    )
    since = len(api.calls)
    api.send_text(user, "/help")
    api.send_text(user, "/cancel")
    await api.wait_quiet(user, since, quiet=1.5)
    sent = api.texts(user)
    help_at = next(i for i, t in enumerate(sent) if "/newplan" in t)
    cancel_at = next(i for i, t in enumerate(sent) if "nothing to cancel" in t.lower())
    assert help_at < cancel_at, sent
