"""Readiness tells whether the service can write, and says so again the moment it can: a
database that answers queries but cannot take a write cannot persist what residents send."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from flows.clocks import FixedClock
from flows.privacy import Vault
from flows.store import Store, make_engine


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small filesystem of the test's own, which the test can make read-only and back."""
    if os.geteuid() != 0:
        pytest.skip("mounting a filesystem needs root (CI and the dev machines run as root)")
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount_point)], check=True
    )
    try:
        yield mount_point
    finally:
        # Lazily: the process keeps SQLite's writer lock file open for its lifetime.
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _remount(mount_point: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount_point)], check=True)


def test_sqlite_on_a_read_only_filesystem_is_not_ready_and_recovers_at_once(
    tmpfs: Path, sqlite_template: Path, vault: Vault, clock: FixedClock
) -> None:
    database = tmpfs / "cpps.db"
    shutil.copy(sqlite_template, database)
    store = Store(engine=make_engine(f"sqlite:///{database}"), vault=vault, clock=clock)
    assert store.is_reachable() and store.is_writable()
    store.db.engine.dispose()  # no file open for writing, or the remount is refused
    _remount(tmpfs, "ro")
    assert not store.is_writable()  # nothing a resident sends could be persisted
    _remount(tmpfs, "rw")
    assert store.is_writable()
    with store.transaction() as session:  # the first write after it is back succeeds
        session.exec(text("PRAGMA user_version = 7"))  # type: ignore[call-overload]
    with store.reading() as session:
        assert session.exec(text("PRAGMA user_version")).one()[0] == 7  # type: ignore[call-overload]


def test_a_sqlite_connection_that_failed_to_write_is_replaced(
    tmp_path: Path, sqlite_template: Path, vault: Vault, clock: FixedClock
) -> None:
    # One pooled connection becomes unable to write (as after a read-only spell of its file):
    # the write on it fails once, and the next one gets a fresh connection and succeeds.
    database = tmp_path / "cpps.db"
    shutil.copy(sqlite_template, database)
    store = Store(engine=make_engine(f"sqlite:///{database}"), vault=vault, clock=clock)
    with store.db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA query_only = 1")
    with pytest.raises(OperationalError, match="readonly"), store.transaction() as session:
        session.exec(text("PRAGMA user_version = 7"))  # type: ignore[call-overload]
    with store.transaction() as session:
        session.exec(text("PRAGMA user_version = 7"))  # type: ignore[call-overload]
    with store.reading() as session:
        assert session.exec(text("PRAGMA user_version")).one()[0] == 7  # type: ignore[call-overload]
    store.db.engine.dispose()


def test_a_read_only_postgresql_session_is_not_ready(
    postgres_url: str, vault: Vault, clock: FixedClock
) -> None:
    writable = Store(engine=make_engine(postgres_url, pool_size=1), vault=vault, clock=clock)
    read_only_url = postgres_url + "%20-cdefault_transaction_read_only%3Don"
    read_only = Store(engine=make_engine(read_only_url, pool_size=1), vault=vault, clock=clock)
    try:
        assert writable.is_writable()
        assert read_only.is_reachable() and not read_only.is_writable()
    finally:
        writable.db.engine.dispose()
        read_only.db.engine.dispose()


def test_an_unreachable_postgresql_is_neither_reachable_nor_writable(
    vault: Vault, clock: FixedClock
) -> None:
    # Port 9 (discard) has no PostgreSQL listening.
    gone = Store(
        engine=make_engine("postgresql://postgres@127.0.0.1:9/test", pool_size=1),
        vault=vault,
        clock=clock,
    )
    assert not gone.is_reachable() and not gone.is_writable()
