"""One text of a sender at a time in a web process: the others wait their turn on the event loop,
holding no thread and no database connection.

Without it, 500 texts from one number over 50 connections took every thread of the pool and
every other resident's reply queued behind them (their p99 ×27-35). In turn, a flood costs the
process one thread, and a resident's two quick texts are taken in the order they came, instead
of racing each other on their conversation's version. Transport-level only: the sender's
address is held in memory while a text of theirs is in flight, never written anywhere.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

# A text waits this long for its turn at most, then goes on beside the one in flight (a reply
# must reach Twilio within its 15 s; the database keeps a sender's texts consistent anyway).
MAX_WAIT_SECONDS = 10.0


class SenderTurns:
    """Per-sender locks of one event loop (one web process); a sender's lock exists only while
    a text of theirs is in flight or waiting."""

    def __init__(self, *, max_wait: float = MAX_WAIT_SECONDS) -> None:
        self._max_wait = max_wait
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def turn(self, sender: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(sender, asyncio.Lock())
        self._users[sender] = self._users.get(sender, 0) + 1
        acquired = False
        try:
            try:
                acquired = await asyncio.wait_for(lock.acquire(), timeout=self._max_wait)
            except TimeoutError:
                acquired = False
            try:
                yield
            finally:
                if acquired:
                    lock.release()
        finally:
            self._users[sender] -= 1
            if not self._users[sender]:
                del self._users[sender]
                del self._locks[sender]

    def in_flight(self) -> int:
        """Senders with a text in flight or waiting (for tests: nothing is kept after)."""
        return len(self._locks)
