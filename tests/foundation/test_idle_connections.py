"""PostgreSQL connections the server dropped while they sat in the pool (a restart, a failover,
an idle timeout) are replaced before a text uses them (`flows/store/db.py`): a pooled connection
idle for a while is pinged at checkout. One used moments ago is not pinged (two round trips a
text that `pool_pre_ping` cost)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from flows.store import make_engine
from tests.support.databases import POSTGRES_URL


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _drop(pid: int) -> None:
    admin = make_engine(POSTGRES_URL, pool_size=1)
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            connection.commit()
    finally:
        admin.dispose()


def test_a_connection_dropped_while_idle_is_replaced_before_use(postgres_url: str) -> None:
    engine = make_engine(postgres_url, pool_size=1, idle_ping_seconds=0.05)
    try:
        dropped = _backend_pid(engine)
        _drop(dropped)
        time.sleep(0.2)
        assert _backend_pid(engine) != dropped  # a new connection, and no error
    finally:
        engine.dispose()


def test_a_connection_used_moments_ago_is_not_pinged(postgres_url: str) -> None:
    engine = make_engine(postgres_url, pool_size=1, idle_ping_seconds=60)
    try:
        dropped = _backend_pid(engine)
        _drop(dropped)
        # Not pinged, so the dropped connection fails its next statement (what a text in
        # flight during a restart sees, pinged or not); the pool then replaces it.
        with pytest.raises(OperationalError):
            _backend_pid(engine)
        assert _backend_pid(engine) != dropped
    finally:
        engine.dispose()
