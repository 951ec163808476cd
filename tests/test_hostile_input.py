"""Hostile input through the real path: every message gets a sensible reply or is
ignored by design, nothing escapes as an exception, the strict Bot API stand-in
rejects nothing, and no other user's data changes."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import render_reply, split_message
from tests.fakes.telegram_api import parse_html
from tests.harness import BotUnderTest, texts

CORPUS = [
    "مرحبا، أريد أن أتعلم البرمجة، ٦ أسابيع",  # RTL
    "learn\u200b\u200bpython\u200d\u2060 zero width",
    "ctrl \x00\x01\x07\x1b[31m chars \x7f",
    "x" * 10_000,
    "<b>bold</b> <script>alert(1)</script> &amp; &lt; &#0; & < > \"'",
    "*bold* _it_ `code` [link](http://x) ~~s~~ ||spoiler||",
    '{"$gt": ""}',
    "$where: function() { return true }",
    "{'$ne': null} $set $inc db.users.drop()",
    "\u202eevil RTL override\u202c",
    "🧠📚✨ " * 300,
    "/start@learnplan_test_bot",
    "/newplan " + "a" * 5000,
    "/nonexistent_command with args",
    "/",
    "done",
    "undo",
    "make week 99 lighter",
]

VICTIM = 900
GOAL = "Learn Elixir, 3 weeks, 3h/week, beginner, weekends 10:00-12:00, Berlin, topics: OTP"


async def _victim_snapshot(bot: BotUnderTest) -> str:
    data = await bot.runtime.store.export_user(VICTIM)  # type: ignore[union-attr]
    return json.dumps(data, default=str, sort_keys=True)


@pytest.fixture
async def victim(bot: BotUnderTest) -> str:
    calls = await bot.say(VICTIM, GOAL)
    await bot.press_button(VICTIM, calls[-1], "Build my plan")
    return await _victim_snapshot(bot)


def _no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


async def test_corpus_in_every_phase(
    bot: BotUnderTest, victim: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    planned = 909
    calls = await bot.say(planned, GOAL)
    await bot.press_button(planned, calls[-1], "Build my plan")
    for index, text in enumerate(CORPUS):
        idle, intake = 910 + index * 2, 911 + index * 2
        assert await bot.say(idle, text), f"no reply to {text[:40]!r} (idle)"
        await bot.say(intake, "/newplan")
        assert await bot.say(intake, text), f"no reply to {text[:40]!r} (intake)"
        assert await bot.say(planned, text), f"no reply to {text[:40]!r} (planned)"
        await bot.say(planned, "/cancel")
    assert not bot.api.rejected
    _no_errors(caplog)
    assert await _victim_snapshot(bot) == victim


async def test_forged_callbacks_are_refused(bot: BotUnderTest, victim: str) -> None:
    attacker = 950
    await bot.say(attacker, "/help")
    forged = [
        f"week:1|{VICTIM}",  # someone else's button
        "week:1",  # no owner
        "garbage|||",
        "a:yes|notanumber",
        "x" * 80 + f"|{attacker}",  # over 64 bytes
        f"a:cancel|{VICTIM}",
        f"plan|{VICTIM}",
    ]
    for data in forged:
        since = len(bot.api.calls)
        bot.api.press(attacker, data)
        answers = []
        for _ in range(200):
            answers = [c for c in bot.api.calls[since:] if c.method == "answerCallbackQuery"]
            if answers:
                break
            await asyncio.sleep(0.02)
        assert answers and "isn't for you" in str(answers[-1].params.get("text"))
        await bot.api.wait_settled()
        assert all(c.method == "answerCallbackQuery" for c in bot.api.calls[since:]), (
            "a refused press must not reach the agent"
        )
    sent_after = [c for c in bot.api.sent(attacker) if "Week 1" in str(c.params.get("text"))]
    assert not sent_after, "a forged button must not show the victim's plan"
    assert await _victim_snapshot(bot) == victim


async def test_group_messages_and_non_text_updates(bot: BotUnderTest, victim: str) -> None:
    group = -100123
    since = len(bot.api.calls)
    bot.api.send_text(951, "I want to learn Go", chat_id=group, chat_type="supergroup")
    bot.api.send_text(951, "/plan", chat_id=group, chat_type="supergroup")
    calls = await bot.api.wait_quiet(group, since)
    assert len(calls) == 1 and "private chats" in texts(calls)
    for fields in (
        {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular",
                     "width": 1, "height": 1, "is_animated": False, "is_video": False}},
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 1}},
    ):  # fmt: skip
        since = len(bot.api.calls)
        bot.api.send_message_update(952, fields)
        calls = await bot.api.wait_quiet(952, since)
        assert "only read text" in texts(calls)
    assert await _victim_snapshot(bot) == victim


async def test_edited_messages_are_ignored(bot: BotUnderTest) -> None:
    user = 953
    await bot.say(user, "/help")
    before = len(bot.api.sent(user))
    bot.api._push(
        {
            "edited_message": {
                "message_id": 1,
                "date": 0,
                "edit_date": 1,
                "chat": {"id": user, "type": "private"},
                "from": {"id": user, "is_bot": False, "first_name": "E"},
                "text": "done",
            }
        }
    )
    await bot.say(user, "/help")
    assert len(bot.api.sent(user)) == before + 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=6000))
def test_any_text_renders_to_strict_valid_telegram_html(text: str) -> None:
    for reply in (
        {"kind": "text", "text": text},
        {"kind": "confirm", "text": text, "rows": [["Goal", text]], "footer": text},
    ):
        out = render_reply(reply)
        for part in split_message(out.html):
            visible = parse_html(part)
            assert len(visible) <= 4096
