"""One SQLite writer at a time, across the threads and the processes of one database file.

SQLite lets one connection write at a time; the others wait in its busy handler, which polls
with growing sleeps (1, 2, 5 … up to 100 ms). With two web workers (the Procfile's default)
and the clock on one file, a write that loses the race often sleeps far longer than the write
it waits for, and those sleeps were the long tail of the webhook's latency. Here writers queue
instead: threads of one process on a re-entrant lock, processes on an exclusive `flock` of a
file beside the database. The kernel wakes the next process the moment the lock is released.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class SqliteWriterLock:
    """Re-entrant within a thread; exclusive across threads and processes."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.RLock()
        self._depth = 0  # only the thread holding `_threads` reads or writes it
        self._fd: int | None = None
        if database and database != ":memory:" and not database.startswith("file:"):
            # Beside the database, readable by whoever may write it; never holds data.
            self._fd = os.open(database + ".writer-lock", os.O_RDWR | os.O_CREAT, 0o600)

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            outermost = self._depth == 0
            if outermost and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if outermost and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
