"""Choose the embedded engine on evidence: litemongo against SecantusDB.

SecantusDB runs two ways: in-process (``secantus.SecantusDBServer``, a server thread
on a loopback socket; pymongo still talks the wire protocol to it) and as a local
server process (``python -m secantus``). Both own their WiredTiger files: two
processes can share data only through one server. Measured, per engine:

* **kill -9**: a child process writes (``insert_one``, one document at a time) and
  prints each acknowledged id; it is SIGKILLed after `ACKED` acks; the parent opens
  the data again and counts the acknowledged ids that are missing. For the local
  server, the server process is the one killed (the child is only a client).
* **two processes, one counter**: two children each run `INCS` ``find_one_and_update``
  ``$inc`` on one document; lost updates = 2 × `INCS` − the final count. litemongo is
  tested raw, both processes opening the same directory (the project's lock forbids
  that; this is why).
* **unique index**: a second insert of the same key must raise ``DuplicateKeyError``.
* **speed per message**: the whole stack (`tests.harness.BotUnderTest`) answering the
  intake-and-plan conversation of `bench.dbcommands`; median and p99 per message, and
  the ratio to litemongo measured in the same run.

``./dev bench engines``; ``python -m bench.engines child …`` is the children's entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pymongo import MongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

from tests.mongo_server import MongoServer, start_secantus, uri_with_database

ACKED = 300
INCS = 300
ROUNDS = 2
DB = "bench"


# ---- the children ----------------------------------------------------------------------


@contextlib.contextmanager
def _client(kind: str, where: str) -> Iterator[Any]:
    """A pymongo-style client: litemongo on a directory, SecantusDB in this process on
    a storage directory, or a SecantusDB server's URI."""
    if kind == "litemongo":
        import litemongo

        client = litemongo.connect(where, tz_aware=True)
        yield client
        client.close()
    elif kind == "secantus-inprocess":
        from secantus import SecantusDBServer

        with SecantusDBServer(storage_path=where) as server:
            client: MongoClient = MongoClient(server.uri, directConnection=True)
            yield client
            client.close()
    else:
        client = MongoClient(where)
        yield client
        client.close()


def _child(args: list[str]) -> None:
    what, kind, where = args[:3]
    with _client(kind, where) as client:
        db = client[DB]
        if what == "write":
            for i in range(10**9):
                db.acks.insert_one({"_id": i, "pad": "x" * 200})
                print(i, flush=True)
        elif what == "inc":
            errors = 0
            for _ in range(int(args[3])):
                try:
                    db.counter.find_one_and_update(
                        {"_id": "c"}, {"$inc": {"n": 1}}, upsert=True,
                        return_document=ReturnDocument.AFTER,
                    )  # fmt: skip
                except PyMongoError:
                    errors += 1
            print(f"errors {errors}", flush=True)


def _spawn_child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.engines", "child", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


# ---- kill -9 ---------------------------------------------------------------------------


def _acks_until_killed(writer: subprocess.Popen[str], victim: subprocess.Popen[Any]) -> set[int]:
    """Read acks until `ACKED`, SIGKILL the victim (and the writer), return every ack."""
    assert writer.stdout is not None
    acked: set[int] = set()
    for line in writer.stdout:
        acked.add(int(line))
        if len(acked) >= ACKED:
            break
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    if writer is not victim:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    acked.update(int(line) for line in writer.stdout.read().split())
    return acked


def _surviving(kind: str, where: str) -> set[int]:
    with _client(kind, where) as client:
        return {int(d["_id"]) for d in client[DB].acks.find({}, {"_id": 1})}


def _kill9(kind: str, tmp: Path) -> tuple[int, int]:
    """(acknowledged, lost) for one kill -9."""
    storage = tmp / "data"
    storage.mkdir(parents=True)
    if kind == "secantus-server":
        server = start_secantus(storage)
        assert server.process is not None
        writer = _spawn_child("write", kind, uri_with_database(server.uri, DB))
        acked = _acks_until_killed(writer, server.process)
        again = start_secantus(storage)
        try:
            survived = _surviving(kind, again.uri)
        finally:
            again.stop()
    else:
        where = str(storage / "db")
        writer = _spawn_child("write", kind, where)
        acked = _acks_until_killed(writer, writer)
        survived = _surviving(kind, where)
    return len(acked), len(acked - survived)


# ---- two processes, one counter ----------------------------------------------------------


def _two_writers(kind: str, where: str) -> tuple[int, int]:
    """(final count, errors) after two processes each ran `INCS` increments."""
    children = [_spawn_child("inc", kind, where, str(INCS)) for _ in range(2)]
    errors = 0
    for child in children:
        out, _ = child.communicate(timeout=600)
        errors += int(out.split()[-1]) if out.strip() else INCS
    with _client(kind, where) as client:
        doc = client[DB].counter.find_one({"_id": "c"})
    return int(doc["n"]) if doc else 0, errors


# ---- unique index ------------------------------------------------------------------------


def _unique(kind: str, where: str) -> bool:
    with _client(kind, where) as client:
        coll = client[DB].unique_test
        coll.create_index("key", unique=True)
        coll.insert_one({"key": 1})
        try:
            coll.insert_one({"key": 1})
        except DuplicateKeyError:
            return True
        return False


# ---- speed per message -------------------------------------------------------------------


async def _conversation(data: Path, env: dict[str, Any]) -> list[float]:
    # Imported here: the children need none of the bot (its imports take a minute on
    # a loaded machine).
    from bench.common import ReplyWaiter, settle
    from bench.dbcommands import MESSAGES
    from tests.fakes.telegram_api import FakeTelegramAPI
    from tests.harness import BotUnderTest

    api = FakeTelegramAPI()
    await api.start()
    bot = BotUnderTest(api, data, env=env)
    seconds: list[float] = []
    try:
        await bot.start()
        waiter = ReplyWaiter(api)
        for user in range(7, 7 + ROUNDS):
            await waiter.turn(api, user, "/help", limit=120)
            await settle(api, 0.2)
            for text in MESSAGES:
                seconds.append(await waiter.turn(api, user, text, limit=120))
                await settle(api, 0.2)
    finally:
        await bot.stop()
        await api.stop()
    return seconds


def _speed(tmp: Path) -> dict[str, dict[str, float]]:
    from secantus import SecantusDBServer

    from bench.common import summary

    results: dict[str, dict[str, float]] = {}
    results["litemongo"] = summary(asyncio.run(_conversation(tmp / "lite", {})))
    server: MongoServer = start_secantus(tmp / "server" / "data")
    try:
        env = {"MONGODB_URI": uri_with_database(server.uri, DB)}
        results["secantus-server"] = summary(asyncio.run(_conversation(tmp / "s1", env)))
    finally:
        server.stop()
    (tmp / "inproc").mkdir()
    with SecantusDBServer(storage_path=str(tmp / "inproc")) as inproc:
        direct = f"{inproc.uri.rstrip('/')}/?directConnection=true"
        env = {"MONGODB_URI": uri_with_database(direct, DB)}
        results["secantus-inprocess"] = summary(asyncio.run(_conversation(tmp / "s2", env)))
    return results


# ---- report --------------------------------------------------------------------------------


def main(options: list[str] | None = None) -> dict[str, Any]:
    kinds = ["litemongo", "secantus-inprocess", "secantus-server"]
    out: dict[str, Any] = {}
    print("## Engines: litemongo vs SecantusDB 0.7.0b3 (in-process, local server)")
    with tempfile.TemporaryDirectory() as root:
        tmp = Path(root)
        for kind in kinds:
            acked, lost = _kill9(kind, tmp / f"k-{kind}")
            out[f"kill9 {kind}"] = (acked, lost)
            print(f"kill -9    {kind:<19} {acked} acknowledged, {lost} lost")
        for kind in ("litemongo", "secantus-server"):
            server = start_secantus(tmp / f"i-{kind}" / "data") if kind != "litemongo" else None
            try:
                where = uri_with_database(server.uri, DB) if server else str(tmp / "inc" / "db")
                (tmp / "inc").mkdir(exist_ok=True)
                final, errors = _two_writers(kind, where)
            finally:
                if server:
                    server.stop()
            lost = 2 * INCS - final - errors
            out[f"inc {kind}"] = (final, errors, lost)
            print(
                f"2 procs    {kind:<19} {2 * INCS} $inc: final {final}, "
                f"{errors} raised, {lost} silently lost"
            )
        print("2 procs    secantus-inprocess  n/a: its WiredTiger files take one process")
        for kind in kinds:
            if kind == "secantus-server":
                server = start_secantus(tmp / "u" / "data")
                where = uri_with_database(server.uri, DB)
            else:
                server, where = None, str(tmp / f"u-{kind}")
            try:
                ok = _unique(kind, where)
            finally:
                if server:
                    server.stop()
            out[f"unique {kind}"] = ok
            print(f"unique     {kind:<19} duplicate {'rejected' if ok else 'ACCEPTED'}")
        started = time.perf_counter()
        speed = _speed(tmp / "speed")
        base = speed["litemongo"]
        for kind, s in speed.items():
            print(
                f"message    {kind:<19} p50 {s['p50_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms "
                f"({s['p50_ms'] / base['p50_ms']:.2f}x litemongo at p50; n={int(s['n'])})"
            )
        out["speed"] = speed
        print(f"(speed runs took {time.perf_counter() - started:.0f} s)")
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        _child(sys.argv[2:])
    else:
        main(sys.argv[1:])
