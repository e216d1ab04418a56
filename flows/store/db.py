"""Database engines (SQLite, the embedded default, in WAL mode; or PostgreSQL) from one URL, and
the schema migrations (Alembic) run by `cpps db upgrade` and the Procfile's release phase."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

# An execution option marking a read-only unit of work (see `Database.reading`).
READ_ONLY = "cpps_read_only"
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


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # Database errors then never carry row values (pseudonyms, tokens) into logs.
        hide_parameters=True,
    )


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
