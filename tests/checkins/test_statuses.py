"""Statuses are enums in the code and plain strings in the database; a misspelt one is refused
before it can leave a row that no query finds again."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from flows.checkins.jobs import FollowUps
from flows.statuses import CheckinState, ReportState
from flows.store import Store
from tests.support.checkins import file_report


def test_statuses_are_stored_as_their_strings(store: Store, followups: FollowUps) -> None:
    report = file_report(store, followups)
    with store.engine.connect() as connection:
        status = connection.execute(
            text("SELECT status FROM report WHERE id = :id"), {"id": report.id}
        ).scalar_one()
        states = connection.execute(
            text("SELECT state FROM checkin WHERE report_id = :id"), {"id": report.id}
        ).scalars()
        assert type(status) is str and status == "routed" == ReportState.ROUTED
        assert set(states) == {"pending"}


def test_a_misspelt_status_is_refused_and_nothing_changes(
    store: Store, followups: FollowUps
) -> None:
    report = file_report(store, followups)
    assert report.id is not None
    with pytest.raises(ValueError), store.transaction() as session:
        row = store.reports.get_to_change(report.id, session=session)
        assert row is not None
        store.reports.set_status(session=session, report=row, status="resolvd", actor="U0MOD")
    after = store.reports.get(report.id)
    assert after is not None and after.status == ReportState.ROUTED
    assert {c.state for c in store.checkins.of_report(report.id)} == {CheckinState.PENDING}
