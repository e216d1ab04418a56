"""What every group of queries shares: the database (engine, transactions), the vault and the
clock; and the base of a group of queries."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, Row
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.selectable import GenerativeSelect
from sqlmodel import Session, SQLModel

from flows.clocks import Clock
from flows.privacy import Vault
from flows.store.db import READ_ONLY
from flows.store.sqlite_lock import SqliteWriterLock

# SQLite allows one writer at a time. Writers queue on a lock (one per engine) instead of in
# SQLite's busy handler, whose growing sleeps (up to 100 ms each) make long latency tails.
# Keyed by the lock file: one per database file, however many engines open it.
ClaimQuery = TypeVar("ClaimQuery", bound=GenerativeSelect)
# Below this much free space a write (and the WAL growing under it) may fail half-way; readiness
# says so before residents' texts start failing.
MIN_FREE_BYTES = 16 * 1024 * 1024
_SQLITE_WRITERS: dict[str, SqliteWriterLock] = {}
_SQLITE_WRITERS_GUARD = threading.Lock()


class Database:
    """One database: write transactions (queued on SQLite), read-only sessions, portable inserts."""

    def __init__(self, *, engine: Engine, vault: Vault, clock: Clock) -> None:
        self.engine = engine
        self.vault = vault
        self.clock = clock
        self._writer_lock: SqliteWriterLock | None = None
        self._inserts: dict[type[SQLModel], Insert] = {}
        self._read_engine = engine.execution_options(**{READ_ONLY: True})
        # One statement needs no transaction of its own: on PostgreSQL it is one round trip
        # instead of three (BEGIN, the statement, ROLLBACK). SQLite's reader takes none.
        self._one_statement_engine = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else self._read_engine
        )
        if engine.dialect.name == "sqlite":
            lock_path = SqliteWriterLock.path_for(engine.url.database)
            # In memory, each engine is its own database: its threads share a lock.
            key = lock_path or f"engine:{id(engine)}"
            with _SQLITE_WRITERS_GUARD:
                if key not in _SQLITE_WRITERS:
                    _SQLITE_WRITERS[key] = SqliteWriterLock(lock_path)
                self._writer_lock = _SQLITE_WRITERS[key]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def is_writable(self) -> bool:
        """Whether a write can succeed now: SQLite's file on a writable filesystem with room
        left; a PostgreSQL server that is neither a standby nor read-only for this session.
        Without writes nothing a resident sends can be persisted, so nothing can be answered."""
        if self.dialect == "sqlite":
            return _sqlite_file_writable(self.engine.url.database)
        try:
            with self.engine.connect() as connection:
                in_recovery, read_only = connection.execute(
                    text("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
                ).one()
        except Exception:
            return False
        return not in_recovery and read_only == "off"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any exception."""
        if self._writer_lock is None:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
            return
        with (
            self._writer_lock.held(),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work: on SQLite it neither waits for nor blocks the writer.

        (`transaction()` takes SQLite's write lock up front; WAL lets readers go alongside.)
        """
        with (
            Session(self._read_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    def read_once(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        """The first row of one read-only Core statement, outside any ORM session (a hot
        path's read: a session and its transaction cost more than the statement)."""
        with self._one_statement_engine.connect() as connection:
            return connection.execute(statement, params).first()

    def claiming(self, query: ClaimQuery, *, of: Any = None) -> ClaimQuery:
        """`query` as a claim: on PostgreSQL the rows are locked and rows another clock process
        holds are skipped (FOR UPDATE SKIP LOCKED); on SQLite writers are already serialised
        (the writer lock, BEGIN IMMEDIATE), so the query stays as it is."""
        if self.dialect != "postgresql":
            return query
        return query.with_for_update(skip_locked=True, of=of)

    def insert_ignoring_conflicts(
        self, session: Session, model: type[SQLModel], values: dict[str, Any]
    ) -> bool:
        """INSERT … ON CONFLICT DO NOTHING on either backend; True when the row was inserted."""
        return self.insert_returning_key(session, model, values) is not None

    def insert_returning_key(
        self, session: Session, model: type[SQLModel], values: dict[str, Any]
    ) -> Any | None:
        """INSERT … ON CONFLICT DO NOTHING; the new row's primary key, or None on a conflict."""
        row = session.connection().execute(self._insert_statement(model), values).first()
        return None if row is None else row[0]

    def _insert_statement(self, model: type[SQLModel]) -> Insert:
        """Built once per table, its values passed as parameters: building `.values(...)` for
        each row cost more than running it (every text inserts two or three rows)."""
        statement = self._inserts.get(model)
        if statement is None:
            table = model.__table__  # type: ignore[attr-defined]
            insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
            key = next(iter(table.primary_key.columns))
            statement = insert(table).on_conflict_do_nothing().returning(key)
            self._inserts[model] = statement
        return statement


class QueryGroup:
    """A group of queries over the shared `Database` (`Store.reports`, `Store.outbox`, …)."""

    def __init__(self, db: Database) -> None:
        self._db = db


def _sqlite_file_writable(database: str | None) -> bool:
    if not database or database == ":memory:":
        return True
    path = os.path.abspath(database)
    directory = os.path.dirname(path)
    try:
        filesystem = os.statvfs(directory)
    except OSError:
        return False
    if filesystem.f_flag & os.ST_RDONLY:
        return False
    if filesystem.f_bavail * filesystem.f_frsize < MIN_FREE_BYTES:
        return False
    # SQLite writes the database, its WAL and shared-memory files, created beside it.
    return os.access(directory, os.W_OK) and (not os.path.exists(path) or os.access(path, os.W_OK))
