"""Shared fixtures: both databases, an injected clock, vaults, signed-request helpers.

Storage tests take the `store` fixture and so run twice: on SQLite (a fresh file per test) and on
the real PostgreSQL (a schema of its own per test session, truncated between tests).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.engine import Engine

from flows.clocks import FixedClock
from flows.handling.effect_prep import Analyser
from flows.privacy import Vault
from flows.store import Store, make_engine
from tests.support.databases import POSTGRES_URL, migrated_sqlite, private_postgres_schema

# The Slack bench's fixtures (city, fake Slack and Twilio APIs, bench): tests/slack, tests/faults.
pytest_plugins = ["tests.support.vendor_fixtures"]

REPO = Path(__file__).resolve().parent.parent
EVAL_DATA = Path(os.environ.get("CPPS_EVAL_DATA", REPO.parent / "shared" / "eval-data"))
TABLES = [
    "model_job",
    "decision",
    "moderatorcorrection",
    "slackpost",
    "slackeventseen",
    "periodicrun",
    "checkin",
    "reportevent",
    "outboundmessage",
    "inboundmessage",
    "conversation",
    "report",
    "contact",
]


@pytest.fixture(scope="session")
def analyser() -> Analyser:
    """The real NLP (spaCy, MiniLM, USE, the shipped head) for the demo city, loaded as the
    service loads it, once for the whole run."""
    from bot.wiring import load_analyser
    from flows.city import load_city_config

    return load_analyser(load_city_config())


@pytest.fixture(autouse=True)
def _stop_started_services() -> Iterator[None]:
    """After each test, close the pools of the services it started (tests/service_harness.py)."""
    yield
    harness = sys.modules.get("tests.service_harness")  # not imported: nothing was started
    if harness is not None:
        harness.stop_started_services()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def master_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def vault(master_key: str) -> Vault:
    return Vault(keys=[master_key])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    migrated_sqlite(path)
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private schema on the local PostgreSQL, migrated once for the whole session."""
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(private_postgres_schema())
        except Exception as exc:  # pragma: no cover - environment problem, not a test result
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required for the storage tests: {exc}")
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "cpps.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_url")
    engine = make_engine(url, pool_size=1)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, pool_size=5)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine, vault: Vault, clock: FixedClock) -> Store:
    return Store(engine=engine, vault=vault, clock=clock)
