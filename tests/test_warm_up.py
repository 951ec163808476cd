"""The big tables are loaded before the bot takes its first message, off the event loop.

Loaded lazily inside the first turn, the gazetteer, dateparser's data and the curricula
took seconds of CPU on the event loop (measured 6.8 s on the loaded 2-core machine):
every other chat's Telegram call in flight timed out, and a reply whose retry timed out
too was given up — how `test_every_reply_is_delivered_despite_faults` lost chat 1002's
first reply."""

from __future__ import annotations

from pathlib import Path

from agent.curricula.library import curricula
from agent.understanding import dates, gazetteer
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest


async def test_tables_are_loaded_when_the_bot_starts(api: FakeTelegramAPI, tmp_path: Path) -> None:
    lazy = (gazetteer._gazetteer, dates._parser, curricula)
    for table in lazy:
        table.cache_clear()
    bot = BotUnderTest(api, tmp_path / "data")
    await bot.start()
    try:
        assert [table.cache_info().currsize for table in lazy] == [1, 1, 1]
        calls = await bot.say(1201, "/help")
        assert "/newplan" in "\n".join(str(c.params.get("text", "")) for c in calls)
    finally:
        await bot.stop()
