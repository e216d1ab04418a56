"""Throwaway databases of the project's schema: a private schema on the local PostgreSQL, or a
fresh SQLite file. Used by tests/conftest.py's fixtures and by benchmarks/hardening_probes.py."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from flows.store import make_engine
from flows.store.db import upgrade

POSTGRES_URL = os.environ.get(
    "CPPS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def private_postgres_schema(
    base_url: str = POSTGRES_URL, *, revision: str = "head"
) -> Iterator[str]:
    """A schema of its own on the PostgreSQL at `base_url`, migrated (to `revision`); dropped
    afterwards. Yields the URL whose connections use it."""
    schema = f"cpps_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(base_url, pool_size=1)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in base_url else "?"
        url = f"{base_url}{sep}options=-csearch_path%3D{schema}"
        upgrade(url, revision)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def migrated_sqlite(path: Path, *, revision: str = "head") -> str:
    """A SQLite database file of the project's schema (as of `revision`); its URL."""
    url = f"sqlite:///{path}"
    upgrade(url, revision)
    return url
