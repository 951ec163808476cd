"""A MongoDB wire-protocol server for the tests: SecantusDB on a free loopback port.

`LEARNPLAN_TEST_MONGODB_URI` points the tests at another server instead (a real
``mongod``, a replica set); then nothing is started. Each test gets a database of its
own (`uri_with_database`), so tests never see each other's documents.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pymongo import MongoClient
from pymongo.errors import PyMongoError

OVERRIDE = "LEARNPLAN_TEST_MONGODB_URI"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def uri_with_database(uri: str, database: str) -> str:
    """The same server and options, another default database."""
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def unique_database() -> str:
    return f"t_{uuid.uuid4().hex[:16]}"


def engine_env(mongodb_uri: str | None) -> dict[str, str]:
    """Settings for a bot under test on this engine (none: the embedded one)."""
    return {"MONGODB_URI": mongodb_uri} if mongodb_uri else {}


def answers_ping(uri: str, timeout_ms: int = 500) -> bool:
    client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=timeout_ms)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


@dataclass
class MongoServer:
    """A running server; ``process`` is None when it is an external one."""

    uri: str
    process: subprocess.Popen[bytes] | None = None

    def drop(self, database: str) -> None:
        client: MongoClient = MongoClient(self.uri, serverSelectionTimeoutMS=5000)
        try:
            client.drop_database(database)
        finally:
            client.close()

    def freeze(self) -> None:
        """SIGSTOP the server and wait until every one of its threads has stopped: the
        signal only asks, and a thread still running could answer one more command."""
        assert self.process is not None, "an external server cannot be frozen"
        self.process.send_signal(signal.SIGSTOP)
        tasks = Path(f"/proc/{self.process.pid}/task")
        deadline = time.monotonic() + 30
        while not all(_thread_state(t) in "Tt" for t in tasks.iterdir()):
            assert time.monotonic() < deadline, "the server's threads did not stop"
            time.sleep(0.005)

    def thaw(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


def _thread_state(task: Path) -> str:
    """One letter of /proc/PID/task/TID/stat (R running, S sleeping, T stopped …);
    "T" for a thread that has just exited."""
    try:
        return task.joinpath("stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return "T"


def start_secantus(storage: Path, *, startup_s: float = 60.0, attempts: int = 3) -> MongoServer:
    """Start SecantusDB and wait until it answers a ping.

    The port is free when chosen but may be taken before the server binds it (parallel
    test workers, other processes on the machine): a server that exits at start-up is
    started again on another port."""
    for attempt in range(attempts):
        path = storage if attempt == 0 else storage.with_name(f"{storage.name}-{attempt}")
        path.mkdir(parents=True, exist_ok=True)
        started = _start_once(path, startup_s)
        if started is not None:
            return started
    raise RuntimeError(f"SecantusDB exited at start-up {attempts} times (see {storage.parent})")


def _start_once(storage: Path, startup_s: float) -> MongoServer | None:
    """A running server, or None if the process exited during start-up."""
    port = free_port()
    command = [
        sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(port),
        "--storage-path", str(storage), "--enable-test-commands", "--log-level", "WARNING",
    ]  # fmt: skip
    log = open(storage.parent / f"secantus-{port}.log", "wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    uri = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    deadline = time.monotonic() + startup_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        if answers_ping(uri):
            return MongoServer(uri, process)
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"SecantusDB did not answer a ping within {startup_s:.0f} s")


def server_for_tests(storage: Path) -> MongoServer:
    """The override's server if set, else a fresh SecantusDB."""
    override = os.environ.get(OVERRIDE)
    if override:
        return MongoServer(override)
    return start_secantus(storage)
