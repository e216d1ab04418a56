"""SQLite writers queue on one lock across threads and processes (flows/store/sqlite_lock.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from flows.clocks import SystemClock
from flows.privacy import Vault
from flows.store import Store
from flows.store.db import make_engine
from flows.store.sqlite_lock import SqliteWriterLock

# Another process: takes the lock, says so, and holds it until its stdin closes.
_HOLDER = """
import sys
import pytest
from cryptography.fernet import Fernet

from flows.clocks import SystemClock
from flows.privacy import Vault
from flows.store import Store
from flows.store.db import make_engine
from flows.store.sqlite_lock import SqliteWriterLock
with SqliteWriterLock(SqliteWriterLock.path_for(sys.argv[1])).held():
    print("held", flush=True)
    sys.stdin.read()
"""

# Another process: whether the lock is free right now (without waiting for it).
_PROBE = """
import fcntl, os, sys
fd = os.open(os.path.realpath(sys.argv[1]) + ".writer-lock", os.O_RDWR | os.O_CREAT)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except BlockingIOError:
    print("taken")
"""


def _probe(database: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(database)], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_a_writer_in_another_process_makes_this_one_wait(tmp_path: Path) -> None:
    database = tmp_path / "cpps.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        acquired = threading.Event()

        def write() -> None:
            with SqliteWriterLock(SqliteWriterLock.path_for(str(database))).held():
                acquired.set()

        writer = threading.Thread(target=write)
        writer.start()
        assert not acquired.wait(timeout=0.3)  # queued behind the other process
        assert holder.stdin is not None
        holder.stdin.close()  # the other process commits and lets go
        assert acquired.wait(timeout=10)
        writer.join(timeout=10)
    finally:
        holder.kill()
        holder.wait()


def test_nested_use_in_one_thread_keeps_the_lock_until_the_outermost_ends(tmp_path: Path) -> None:
    database = tmp_path / "cpps.db"
    lock = SqliteWriterLock(SqliteWriterLock.path_for(str(database)))
    with lock.held():
        with lock.held():
            assert _probe(database) == "taken"
        assert _probe(database) == "taken"  # the inner exit did not release it
    assert _probe(database) == "free"


def test_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    lock = SqliteWriterLock(SqliteWriterLock.path_for(str(tmp_path / "cpps.db")))
    inside = 0
    most = 0
    guard = threading.Lock()

    def write() -> None:
        nonlocal inside, most
        for _ in range(200):
            with lock.held():
                with guard:
                    inside += 1
                    most = max(most, inside)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert most == 1


def test_an_in_memory_database_needs_no_file() -> None:
    assert SqliteWriterLock.path_for(":memory:") is None
    assert SqliteWriterLock.path_for("") is None


def test_a_relative_path_names_the_same_lock_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "var").mkdir()
    monkeypatch.chdir(tmp_path)
    assert SqliteWriterLock.path_for("var/cpps.db") == str(tmp_path / "var" / "cpps.db.writer-lock")


def test_a_store_write_holds_the_lock_other_processes_see(tmp_path: Path) -> None:
    database = tmp_path / "cpps.db"
    engine = make_engine(f"sqlite:///{database}")
    store = Store(
        engine=engine, vault=Vault(keys=[Fernet.generate_key().decode()]), clock=SystemClock()
    )
    try:
        with store.transaction():
            assert _probe(database) == "taken"
        assert _probe(database) == "free"
    finally:
        engine.dispose()


def test_every_sqlite_commit_is_synced_to_disk(tmp_path: Path) -> None:
    """A reply goes out only after its commit: that commit must survive a power cut (WAL with
    synchronous=NORMAL may lose the last ones), so every connection syncs each commit."""
    from sqlalchemy import text

    engine = make_engine(f"sqlite:///{tmp_path / 'cpps.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
