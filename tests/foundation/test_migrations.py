"""Migrations that move data, on both databases: a database of the revision before, with rows
in it, upgraded to the head."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from flows.store import make_engine
from flows.store.db import upgrade
from tests.support.databases import migrated_sqlite, private_postgres_schema

FILED = datetime(2026, 2, 10, 16, 0)  # naive UTC, as stored
HOUR = timedelta(hours=1)
# The revision before report milestones (first taken up, resolved, marked spam).
BEFORE_MILESTONES = "e7a3b5c1f9d2"
MILESTONES = ("first_taken_up_at", "first_resolved_at", "first_spam_at")

report = sa.table(
    "report",
    *(sa.column(name) for name in ("id", "ref", "channel", "language", "status", "anonymous")),
    *(sa.column(name) for name in ("contact_ok", "consent_checkins", "urgent", "redacted_text")),
    sa.column("analysis", sa.JSON()),
    sa.column("destinations", sa.JSON()),
    *(sa.column(name) for name in ("triage", "urgency")),
    # Typed, so SQLite stores them as the models do (the migration compares them as stored).
    *(sa.column(name, sa.DateTime()) for name in ("created_at", "updated_at")),
    *(sa.column(name, sa.DateTime()) for name in MILESTONES),
)
event = sa.table(
    "reportevent",
    *(sa.column(name) for name in ("report_id", "actor", "action")),
    sa.column("at", sa.DateTime()),
    sa.column("detail", sa.JSON()),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def before_milestones(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield migrated_sqlite(tmp_path / "old.db", revision=BEFORE_MILESTONES)
        return
    with private_postgres_schema(revision=BEFORE_MILESTONES) as url:
        yield url


def _report(report_id: int, status: str) -> dict[str, Any]:
    return {
        "id": report_id,
        "ref": f"R{report_id:05d}",
        "channel": "sms",
        "language": "en",
        "status": status,
        "anonymous": True,
        "contact_ok": False,
        "consent_checkins": False,
        "urgent": False,
        "redacted_text": "",
        "analysis": {},
        "destinations": [],
        "triage": False,
        "urgency": "none",
        "created_at": FILED,
        "updated_at": FILED,
    }


def _event(report_id: int, hours: int, action: str, to: str | None = None) -> dict[str, Any]:
    detail = {} if to is None else {"from": "routed", "to": to}
    return {
        "report_id": report_id,
        "at": FILED + hours * HOUR,
        "actor": "U0MOD",
        "action": action,
        "detail": detail,
    }


def test_report_milestones_are_filled_from_the_audit_trail(before_milestones: str) -> None:
    engine = make_engine(before_milestones, pool_size=1)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(report),
            [
                _report(1, "resolved"),
                _report(2, "spam"),
                _report(3, "routed"),
                _report(4, "closed"),
            ],
        )
        connection.execute(
            sa.insert(event),
            [
                _event(1, 0, "filed"),
                # Acknowledged while already under way, before the status event of a take-up.
                _event(1, 2, "status", "acknowledged"),
                _event(1, 1, "acknowledged"),
                _event(1, 5, "status", "resolved"),
                _event(1, 7, "status", "resolved"),  # resolved again: the first counts
                _event(2, 3, "status", "spam"),
                _event(3, 1, "status", "routed"),  # not a take-up
                _event(3, 2, "rerouted", "crisis-team"),  # another action's "to"
                _event(4, 4, "status", "in_progress"),
                _event(4, 6, "status", "closed"),
            ],
        )
    upgrade(before_milestones)
    milestones = [report.c[name] for name in MILESTONES]
    with engine.connect() as connection:
        rows = connection.execute(sa.select(report.c.id, *milestones).order_by(report.c.id)).all()
    engine.dispose()

    def at(hours: int) -> datetime:
        return FILED + hours * HOUR

    assert [tuple(r) for r in rows] == [
        (1, at(1), at(5), None),
        (2, None, None, at(3)),
        (3, None, None, None),
        (4, at(4), None, None),
    ]
