"""Fixtures shared by the suites.

Suites that set ``BOTH_ENGINES = True`` at module level run every test that uses
the ``storage_kind`` fixture (directly, or through ``bot``, ``mongodb_uri`` or
``engine``) twice: on the embedded engine and on ``MONGODB_URI`` pointing at a
MongoDB wire-protocol server (SecantusDB started once per session, or the server
in ``LEARNPLAN_TEST_MONGODB_URI``), each test in a database of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.engine import Engine, open_engine_async
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest
from tests.mongo_server import (
    MongoServer,
    engine_env,
    server_for_tests,
    unique_database,
    uri_with_database,
)

ENGINES = ("embedded", "mongodb")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "storage_kind" in metafunc.fixturenames and getattr(metafunc.module, "BOTH_ENGINES", False):
        metafunc.parametrize("storage_kind", ENGINES, indirect=True)


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MongoServer]:
    server = server_for_tests(tmp_path_factory.mktemp("secantus") / "data")
    yield server
    server.stop()


@pytest.fixture
def storage_kind(request: pytest.FixtureRequest) -> str:
    """Which engine the test's store uses: ``embedded`` unless parametrized."""
    return str(getattr(request, "param", "embedded"))


@pytest.fixture
def mongodb_uri(storage_kind: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """``MONGODB_URI`` for this test (a fresh database), or None on the embedded engine."""
    if storage_kind != "mongodb":
        yield None
        return
    server: MongoServer = request.getfixturevalue("mongo_server")
    database = unique_database()
    yield uri_with_database(server.uri, database)
    server.drop(database)


@pytest.fixture
async def engine(mongodb_uri: str | None, tmp_path: Path) -> AsyncIterator[Engine]:
    """An open engine of the test's kind (embedded: in ``tmp_path / "data"``)."""
    opened = await open_engine_async(mongodb_uri=mongodb_uri, data_dir=tmp_path / "data")
    yield opened
    await opened.aclose()


@pytest.fixture
async def api() -> AsyncIterator[FakeTelegramAPI]:
    fake = FakeTelegramAPI()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(
    api: FakeTelegramAPI, tmp_path: Path, mongodb_uri: str | None
) -> AsyncIterator[BotUnderTest]:
    under_test = BotUnderTest(api, tmp_path / "data", env=engine_env(mongodb_uri))
    await under_test.start()
    yield under_test
    await under_test.stop()
    assert not api.rejected, f"the Bot API stand-in rejected calls: {api.rejected}"
