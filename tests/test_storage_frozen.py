"""A frozen (SIGSTOP) or absent MongoDB server, below the bot: opening, calling, the
checkpointer and closing each end in a `StorageError` or return — never hang — and the
event loop keeps running throughout (a heartbeat task counts its turns meanwhile)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Iterator
from pathlib import Path
from typing import Any

import pytest

from storage.checkpoints import open_mongodb_saver
from storage.engine import StorageError, open_engine_async
from storage.reminders import due_reminders
from storage.store import Store
from tests.mongo_server import MongoServer, free_port, start_secantus, uri_with_database

TIMEOUT_MS = 1500
LEARNPLAN = str(Path(sys.executable).parent / "learnplan")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MongoServer]:
    started = start_secantus(tmp_path / "secantus" / "data")
    assert started.process is not None
    yield started
    started.process.send_signal(signal.SIGCONT)
    started.stop()


@pytest.fixture
async def frozen(server: MongoServer) -> AsyncIterator[str]:
    """A URI whose server was reachable and is now stopped."""
    assert server.process is not None
    server.freeze()
    yield uri_with_database(server.uri, "frozen")
    server.process.send_signal(signal.SIGCONT)


async def beating(call: Awaitable[Any]) -> tuple[Any, int]:
    """Await ``call`` while a heartbeat ticks; its result (or exception) and the beats."""
    beats = 0

    async def heartbeat() -> None:
        nonlocal beats
        while True:
            beats += 1
            await asyncio.sleep(0.05)

    task = asyncio.create_task(heartbeat())
    try:
        try:
            result: Any = await call
        except Exception as exc:
            result = exc
    finally:
        task.cancel()
    return result, beats


async def test_opening_against_a_frozen_server_is_a_storage_error(frozen: str) -> None:
    result, beats = await beating(open_engine_async(mongodb_uri=frozen, timeout_ms=TIMEOUT_MS))
    assert isinstance(result, StorageError), result
    assert "cannot reach the MongoDB server" in str(result)
    assert beats > 1, "the event loop ran while the start-up ping waited"


async def test_calls_checkpoints_and_close_on_a_frozen_server(server: MongoServer) -> None:
    uri = uri_with_database(server.uri, "later")
    engine = await open_engine_async(mongodb_uri=uri, timeout_ms=TIMEOUT_MS)
    store = Store(engine)
    await store.setup()
    assert server.process is not None
    server.freeze()
    try:
        failed, beats = await beating(store.get_user(1))
        assert isinstance(failed, StorageError), failed
        assert beats > 1, "the event loop ran while the call waited"
        failed, _ = await beating(due_reminders(store, store.clock(), lookback=None, limit=5))
        assert isinstance(failed, StorageError), failed
        failed, _ = await beating(open_mongodb_saver(engine))
        assert isinstance(failed, StorageError), failed
        assert "conversation checkpoints" in str(failed)
        closed, _ = await beating(engine.aclose())
        assert closed is None, "closing returns with the server frozen"
    finally:
        server.process.send_signal(signal.SIGCONT)


async def test_the_store_works_again_once_the_server_is_back(server: MongoServer) -> None:
    engine = await open_engine_async(
        mongodb_uri=uri_with_database(server.uri, "back"), timeout_ms=TIMEOUT_MS
    )
    store = Store(engine)
    try:
        await store.touch_user(5, 5, "Ada")
        assert server.process is not None
        server.freeze()
        with pytest.raises(StorageError):
            await store.set_user_fields(5, {"name": "Bea"})
        server.process.send_signal(signal.SIGCONT)
        await store.set_user_fields(5, {"name": "Cy"})
        assert (await store.get_user(5) or {})["name"] == "Cy"
    finally:
        await engine.aclose()


def test_an_absent_server_is_a_clear_startup_error(tmp_path: Path) -> None:
    uri = f"mongodb://127.0.0.1:{free_port()}/learnplan?directConnection=true"
    result = subprocess.run(
        [LEARNPLAN, "chat"],
        input="",
        capture_output=True,
        text=True,
        env={
            "MONGODB_URI": uri,
            "LEARNPLAN_MONGODB_TIMEOUT_MS": str(TIMEOUT_MS),
            "LEARNPLAN_DATA_DIR": str(tmp_path / "data"),
            "PATH": "/usr/bin:/bin",
        },
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "cannot reach the MongoDB server" in result.stderr
    assert "Traceback" not in result.stderr
