"""Real storage faults for tests, on either engine.

* MongoDB: the server's ``failCommand`` fail point (SecantusDB with
  ``--enable-test-commands``; a real ``mongod`` needs ``enableTestCommands=1``)
  makes every write command fail with a non-retryable error, or applies one write
  and loses its answer (a write-concern error).
* Embedded: another connection holds an exclusive lock on the ``reminders``
  collection's SQLite file, so litemongo's writes to it fail ("database is locked").
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.engine import EngineKind
from storage.store import Store

WRITES = ["insert", "update", "delete", "findAndModify"]


class WriteBlock:
    def __init__(self, store: Store, collection: str = "reminders") -> None:
        self.store = store
        self.collection = collection
        self._blocker: sqlite3.Connection | None = None

    async def start(self) -> None:
        if self.store.engine.kind is EngineKind.MONGODB:
            data = {"failCommands": WRITES, "errorCode": 2, "errmsg": "injected write fault"}
            await self._fail_point({"mode": "alwaysOn", "data": data})
            return
        path = Path(self.store.engine.location) / self.store.db.name / self.collection
        blocker = sqlite3.connect(path, timeout=0)
        blocker.execute("BEGIN EXCLUSIVE")
        self._blocker = blocker

    async def stop(self) -> None:
        if self.store.engine.kind is EngineKind.MONGODB:
            await self._fail_point({"mode": "off"})
            return
        if self._blocker is not None:
            self._blocker.rollback()
            self._blocker.close()
            self._blocker = None

    async def lose_next_answer(self, command: str) -> None:
        """MongoDB only: the next ``command`` is applied, and its answer carries a
        write-concern error (as when a primary cannot confirm it to a majority in
        time), so the client sees a failure for a write that was made."""
        error = {"code": 64, "codeName": "WriteConcernTimeout", "errmsg": "injected: no ack"}
        data = {"failCommands": [command], "writeConcernError": error}
        await self._fail_point({"mode": {"times": 1}, "data": data})

    async def _fail_point(self, spec: dict[str, object]) -> None:
        command = {"configureFailPoint": "failCommand", **spec}
        await self.store.run(self.store.db.client.admin.command, command)
