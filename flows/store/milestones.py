"""When a report was first taken up, resolved and marked spam, kept on its row
(`Report.first_taken_up_at`, `first_resolved_at`, `first_spam_at`) as the audit trail records
it, so the transparency figures (flows/store/transparency.py) read the reports alone instead of
grouping their trail: over 100,000 reports that grouping (a JSON field read per event) and its
join were most of the page's fresh computation.

Each is the time (`ReportEvent.at`) of the earliest such event ("acknowledged", or "status" to
one of these states): `ReportQueries.add_event`, which writes every such event (`set_status`
goes through it), calls `record` in the event's own transaction. The migration that added the
columns (migrations/versions/e5a8c3f1b9d2_report_milestones.py) filled them from the trail by
the same rules, frozen there. Anything writing such events another way must set them too (the
benchmark's seed does).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import case, literal, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from flows.models import Report, UTCDateTime
from flows.statuses import ReportState

# A status change to one of these means a moderator took the report up (as does an
# "acknowledged" event: acknowledging a report already under way).
TAKEN_UP = (
    ReportState.ACKNOWLEDGED,
    ReportState.IN_PROGRESS,
    ReportState.RESOLVED,
    ReportState.CLOSED,
)
TAKEN_UP_AT, RESOLVED_AT, SPAM_AT = "first_taken_up_at", "first_resolved_at", "first_spam_at"


def milestones(action: str, detail: Mapping[str, Any]) -> tuple[str, ...]:
    """The columns an event sets (when earlier than what they hold): an "acknowledged" event,
    or a "status" event by the status it moved the report `to`."""
    if action == "acknowledged":
        return (TAKEN_UP_AT,)
    if action != "status":
        return ()
    to = detail.get("to")
    return tuple(
        name
        for name, reached in (
            (TAKEN_UP_AT, to in TAKEN_UP),
            (RESOLVED_AT, to == ReportState.RESOLVED),
            (SPAM_AT, to == ReportState.SPAM),
        )
        if reached
    )


def record(session: Session, report: Report, names: tuple[str, ...], at: datetime) -> None:
    """Set each of `names` on the report to `at` unless it holds an earlier time.

    One UPDATE taking the earlier of the two in the database, so two moderators acting on the
    report at once keep the first time whichever commits last (the row is locked, and the
    comparison made against the latest version). The loaded `report` is given `at` without being
    marked changed, so flushing it later writes none of these columns."""
    assert report.id is not None
    # The stored value is never later than the loaded one (it only moves earlier): if the
    # loaded one is already at or before `at`, so is the row's.
    due = [n for n in names if getattr(report, n) is None or getattr(report, n) > at]
    if not due:
        return
    when = literal(at, UTCDateTime())
    values = {}
    for name in due:
        column = col(getattr(Report, name))
        values[name] = case((or_(column.is_(None), column > when), when), else_=column)
    session.execute(
        update(Report)
        .where(col(Report.id) == report.id)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    for name in due:
        set_committed_value(report, name, at)
