"""Database engines (SQLite, the embedded default, in WAL mode; or PostgreSQL) from one URL, and
the schema migrations (Alembic) run by `cpps db upgrade` and the Procfile's release phase."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

# An execution option marking a read-only unit of work (see `Database.reading`).
READ_ONLY = "cpps_read_only"
# PostgreSQL connections a process keeps open: as many as a web process answers texts at once
# under load (16 a worker at 32 residents back to back), so none is opened and closed per text.
# Beyond the pool, up to half as many more are opened for a burst and closed after it. With 10
# kept (and 10 more), 170 connections were opened and closed in 9 s of that load: each a new
# server process with cold caches, about a quarter of the machine's time.
POOL_SIZE = 20
# A pooled PostgreSQL connection idle longer than this is pinged before use (see
# `_ping_when_idle`).
IDLE_PING_SECONDS = 5.0
# SQLite errors after which a connection may stay broken when the file is fine again (a
# filesystem that went read-only, a failing or full disk).
_BROKEN_FILE = re.compile(
    r"readonly database|disk I/O error|unable to open database file|database or disk is full",
    re.IGNORECASE,
)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` / `postgres://` URLs (as hosting platforms give)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(
    url: str, *, pool_size: int = POOL_SIZE, idle_ping_seconds: float = IDLE_PING_SECONDS
) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size // 2,
        # Database errors then never carry row values (pseudonyms, tokens) into logs.
        hide_parameters=True,
    )
    _ping_when_idle(engine, after=idle_ping_seconds)
    return engine


def _ping_when_idle(engine: Engine, *, after: float) -> None:
    """A pooled connection idle for more than `after` seconds is pinged when checked out, and
    replaced if the server has dropped it (a restart, a failover, an idle timeout), so no text
    fails on a connection that died while nobody used it. One in use moments ago is not:
    SQLAlchemy's `pool_pre_ping` pings at every checkout, two round trips more per text (a
    read and a write), which took about a fifth of a web worker's time under load."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_from = record.info.pop("idle_from", None)
        if idle_from is None or time.monotonic() - idle_from <= after:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error:
            alive = False
        if not alive:
            # The pool discards this connection and checks out another (a new one if need be).
            raise exc.DisconnectionError("a pooled connection was dropped while idle")


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (below), instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: every commit is on disk before it returns. "Persisted before answered" means a
        # reply (and a reference given to a resident) never outlives its commit in a power cut
        # or a crash of the machine; NORMAL in WAL mode may lose the last commits.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "handle_error")
    def _drop_broken_connections(context: Any) -> None:
        # Treated as a disconnect, the failed connection and every one pooled before it are
        # replaced: the first write after the disk is back succeeds, instead of stale
        # connections failing for a while longer (they did, for 30 s after a read-only spell).
        error = context.original_exception
        if isinstance(error, sqlite3.OperationalError) and _BROKEN_FILE.search(str(error)):
            context.is_disconnect = True

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # A reader never writes, so it needs no lock (WAL readers see the last commit).
            connection.exec_driver_sql("BEGIN")
            return
        # IMMEDIATE takes the write lock up front: two writers wait for each other (busy_timeout)
        # instead of failing with SQLITE_BUSY when a read transaction later tries to write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def make_revision(database_url: str, message: str) -> None:
    """For maintainers: autogenerate a migration from the models (`cpps db revision`)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
