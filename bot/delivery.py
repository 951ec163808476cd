"""Deliver a reply despite transient Telegram faults, without sending it twice.

429 waits ``retry_after``; 5xx and connection errors back off and retry, a bounded
number of times. A send that timed out may still have been accepted by Telegram:
it is retried once (the user must get an answer) and counted in
``uncertain`` — the only way a reply can arrive twice. When the retry times out too,
the send is counted in ``unconfirmed`` and not tried a third time: the Bot API offers
no way to read a chat back, so nothing tells "Telegram has it" from "it is lost", and
a blind third send would only add to the duplicates (the caller goes on with the
turn's next replies). Permanent errors (bad request, blocked by the user) are not
retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

log = logging.getLogger(__name__)

T = TypeVar("T")
BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 8.0)
MAX_RETRY_AFTER_S = 60.0


class Delivery:
    def __init__(self, backoff: tuple[float, ...] = BACKOFF_S) -> None:
        self.backoff = backoff
        self.retries = 0
        self.uncertain = 0
        self.unconfirmed = 0

    async def send(self, call: Callable[[], Awaitable[T]]) -> T:
        timed_out = False
        for attempt in range(len(self.backoff) + 1):
            try:
                return await call()
            except (BadRequest, Forbidden):
                raise
            except RetryAfter as exc:
                wait = exc.retry_after
                seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
                delay = min(seconds, MAX_RETRY_AFTER_S)
                error: Exception = exc
            except TimedOut as exc:
                if timed_out:
                    self.unconfirmed += 1
                    raise
                timed_out = True
                self.uncertain += 1
                delay, error = 0.0, exc
            except NetworkError as exc:
                if attempt == len(self.backoff):
                    raise
                delay, error = self.backoff[attempt], exc
            self.retries += 1
            log.warning("send failed (%s); retrying in %.1f s", error, delay)
            await asyncio.sleep(delay)
        return await call()
