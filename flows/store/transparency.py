"""The counts behind the public transparency page: reports by month, category, district,
acknowledged and resolved; the days to each; check-in answers. Grouped in the database, so a
page over 100,000 reports reads a few hundred rows. Spam is never counted.

Months are given as their UTC starting instants (the city's local midnights), so both databases
bucket the same way without time-zone support in SQL (SQLite has none).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, extract, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from flows.models import Checkin, Report, ReportEvent
from flows.statuses import CheckinState, ReportState
from flows.store.base import QueryGroup

# A status change to one of these means a moderator took the report up.
TAKEN_UP = (
    ReportState.ACKNOWLEDGED,
    ReportState.IN_PROGRESS,
    ReportState.RESOLVED,
    ReportState.CLOSED,
)
SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class ReportCount:
    month: int  # index into the months asked for
    category: str | None
    district: str | None
    acknowledged: bool
    resolved: bool
    count: int


@dataclass(frozen=True)
class AnswerCount:
    month: int
    kind: str  # the check-in kind: contacted, satisfaction, resolution
    answer: str  # "1".."5", or "text"
    count: int


@dataclass(frozen=True)
class MonthMedians:
    days_to_acknowledge: float | None
    days_to_resolve: float | None


class TransparencyQueries(QueryGroup):
    def report_counts(self, months: Sequence[datetime]) -> list[ReportCount]:
        """Reports filed in [months[0], months[-1]) by month index, category, district and
        whether acknowledged / resolved: `months` has one more instant than there are months."""
        events = _first_events(months)
        month = _month_index(months, col(Report.created_at))
        acknowledged = events.c.acknowledged_at.is_not(None)
        resolved = col(Report.status) == ReportState.RESOLVED
        query = (
            select(
                month,
                col(Report.top_category),
                col(Report.district),
                acknowledged,
                resolved,
                func.count(),
            )
            .select_from(Report)
            .outerjoin(events, events.c.report_id == Report.id)
            .where(*_in_window(months))
            .group_by(month, col(Report.top_category), col(Report.district), acknowledged, resolved)
        )
        with self._db.reading() as session:
            rows = session.execute(query).all()
        return [ReportCount(int(m), c, d, bool(a), bool(r), int(n)) for m, c, d, a, r, n in rows]

    def medians(self, months: Sequence[datetime]) -> dict[int, MonthMedians]:
        """Per month index, the median days from filing to the first acknowledgement, and to
        resolution of the reports resolved (the database computes it on PostgreSQL)."""
        events = _first_events(months)
        month = _month_index(months, col(Report.created_at))
        resolved_at = case((col(Report.status) == ReportState.RESOLVED, events.c.resolved_at))
        base = (
            select(month)
            .select_from(Report)
            .join(events, events.c.report_id == Report.id)
            .where(*_in_window(months))
        )
        ack = _days(events.c.acknowledged_at, self._db.dialect)
        res = _days(resolved_at, self._db.dialect)
        with self._db.reading() as session:
            if self._db.dialect == "postgresql":
                rows = session.execute(
                    base.add_columns(
                        func.percentile_cont(0.5).within_group(ack),
                        func.percentile_cont(0.5).within_group(res),
                    ).group_by(month)
                ).all()
                return {int(m): MonthMedians(_float(a), _float(r)) for m, a, r in rows}
            values = session.execute(base.add_columns(ack, res)).all()
        acks: dict[int, list[float]] = defaultdict(list)
        ress: dict[int, list[float]] = defaultdict(list)
        for m, a, r in values:
            if a is not None:
                acks[int(m)].append(float(a))
            if r is not None:
                ress[int(m)].append(float(r))
        return {
            m: MonthMedians(_median(acks.get(m)), _median(ress.get(m)))
            for m in set(acks) | set(ress)
        }

    def answer_counts(self, months: Sequence[datetime]) -> list[AnswerCount]:
        """Answered check-ins of the reports filed in each month, by kind and answer."""
        month = _month_index(months, col(Report.created_at))
        query = (
            select(month, col(Checkin.kind), col(Checkin.answer), func.count())
            .select_from(Checkin)
            .join(Report, col(Report.id) == Checkin.report_id)
            .where(*_in_window(months), col(Checkin.state) == CheckinState.ANSWERED)
            .group_by(month, col(Checkin.kind), col(Checkin.answer))
        )
        with self._db.reading() as session:
            rows = session.execute(query).all()
        return [AnswerCount(int(m), k, a or "", int(n)) for m, k, a, n in rows]


def _in_window(months: Sequence[datetime]) -> list[ColumnElement[bool]]:
    return [
        col(Report.created_at) >= months[0],
        col(Report.created_at) < months[-1],
        col(Report.status) != ReportState.SPAM,
    ]


def _month_index(months: Sequence[datetime], column: Any) -> ColumnElement[int]:
    """The index of the month an instant falls in (the window is filtered separately)."""
    whens = [(column >= start, index) for index, start in reversed(list(enumerate(months[:-1])))]
    return case(*whens, else_=-1).label("month")


def _first_events(months: Sequence[datetime]) -> Any:
    """Per report filed in the window: when it was first taken up and when it was resolved."""
    to = col(ReportEvent.detail)["to"].as_string()
    taken_up = or_(
        col(ReportEvent.action) == "acknowledged",
        and_(col(ReportEvent.action) == "status", to.in_([s.value for s in TAKEN_UP])),
    )
    resolved = and_(col(ReportEvent.action) == "status", to == ReportState.RESOLVED.value)
    return (
        select(
            col(ReportEvent.report_id).label("report_id"),
            func.min(case((taken_up, col(ReportEvent.at)))).label("acknowledged_at"),
            func.min(case((resolved, col(ReportEvent.at)))).label("resolved_at"),
        )
        .join(Report, col(Report.id) == ReportEvent.report_id)
        # Only the events that can matter (not "filed", relays, check-ins…): fewer to group.
        .where(*_in_window(months), col(ReportEvent.action).in_(("acknowledged", "status")))
        .group_by(col(ReportEvent.report_id))
        .subquery()
    )


def _days(at: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return extract("epoch", at - col(Report.created_at)) / SECONDS_PER_DAY
    return func.julianday(at) - func.julianday(col(Report.created_at))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None
