"""One SQLite writer at a time, across the threads and the processes of one database file.

SQLite lets one connection write at a time; the others wait in its busy handler, which polls
with growing sleeps (1, 2, 5 … up to 100 ms). With two web workers (the Procfile's default)
and the clock on one file, a write that loses the race often sleeps far longer than the write
it waits for, and those sleeps were the long tail of the webhook's latency. Here writers queue
instead: threads of one process on a re-entrant lock, processes on an exclusive `flock` of a
file beside the database, polled every millisecond or two.

Writers outside the store (Alembic, APScheduler's job store) do not take this lock; SQLite's own
busy handler still orders them.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# As long as SQLite's own busy timeout (flows/store/db.py): a writer that hangs holding the lock
# makes the others fail loudly, not wait forever.
WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.002


class SqliteWriterLock:
    """Re-entrant within a thread; exclusive across threads and processes."""

    def __init__(self, lock_path: str | None) -> None:
        """`lock_path`: the file to `flock` (see `for_database`); None for threads only."""
        self._threads = threading.RLock()
        self._depth = 0  # only the thread holding `_threads` reads or writes it
        self._path = lock_path
        self._fd: int | None = None

    @staticmethod
    def path_for(database: str | None) -> str | None:
        """The lock file of a database file (absolute), or None for an in-memory database."""
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return os.path.realpath(database) + ".writer-lock"

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            outermost = self._depth == 0
            if outermost:
                self._lock_file()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if outermost and self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _lock_file(self) -> None:
        if self._path is None:
            return
        if self._fd is None:
            # Opened on first use, so a store that only reads needs no write access here.
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"another process held the database's write lock for {WAIT_SECONDS:.0f}s"
                    ) from None
                time.sleep(_POLL_SECONDS)
