from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    fake = FakeTelegramAPI()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(api: FakeTelegramAPI, tmp_path: Path) -> AsyncIterator[BotUnderTest]:
    under_test = BotUnderTest(api, tmp_path / "data")
    await under_test.start()
    yield under_test
    await under_test.stop()
    assert not api.rejected, f"the Bot API stand-in rejected calls: {api.rejected}"
