"""A reply whose send times out twice (Telegram may or may not have it) is not sent a
third time, and the turn's later replies still arrive, in order, once each."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest
from tests.test_telegram_faults import SCRIPT

READ_TIMEOUT_S = 0.5


async def test_later_replies_of_a_turn_arrive_after_an_unconfirmed_one(
    api: FakeTelegramAPI, tmp_path: Path
) -> None:
    user = 1501
    bot = BotUnderTest(api, tmp_path / "data", read_timeout=READ_TIMEOUT_S)
    await bot.start()
    try:
        for text, expected in SCRIPT[:8]:
            calls = await bot.say(user, text)
            assert (
                expected.lower() in "\n".join(str(c.params.get("text", "")) for c in calls).lower()
            )
        late: Counter[str] = Counter()

        def twice_late(method: str, params: dict) -> str | None:
            if method == "sendMessage" and "in 4 weeks</b>" in str(params.get("text")):
                late["saved"] += 1
                return "late" if late["saved"] <= 2 else None
            return None

        api.late_seconds = READ_TIMEOUT_S * 6
        api.fault = twice_late
        since = len(api.calls)
        api.send_text(user, "yes")
        await api.wait_quiet(user, since)
        await api.wait_settled()
    finally:
        api.fault = None
        await bot.stop()
    sent = [
        str(c.params.get("text", ""))
        for c in api.calls[since:]
        if c.method == "sendMessage" and c.status == 200
    ]
    plan = [i for i, t in enumerate(sent) if "in 4 weeks</b>" in t]
    assert late["saved"] == 2, "the unconfirmed reply is not sent a third time"
    assert plan == [0, 1], f"two timed-out copies of the plan, nothing before them: {sent}"
    after = sent[2:]
    assert not any("Sorry" in t for t in sent), f"an unconfirmed reply is no failure: {sent}"
    needles = ["This plan is generic", "study sessions scheduled", "Your plan is saved"]
    assert len(after) == len(needles), f"later replies dropped or doubled: {after}"
    for text, needle in zip(after, needles, strict=True):
        assert needle in text, f"later replies out of order: {after}"
