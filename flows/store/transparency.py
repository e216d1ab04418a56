"""The counts behind the public transparency page: reports by month, category, district,
acknowledged and resolved; the days to each; check-in answers. Grouped in the database, so a
page over 100,000 reports reads a few hundred rows.

Each month is counted *as it stood at its cut-off* (`Window.cutoffs`: when it is published),
from the audit trail: a report marked spam before then is left out, one taken up or resolved
before then counts as such, its category is the one it had then (a later reroute's
`previous_category`), a check-in answer counts if given before then. A published month's
figures therefore never change, and two downloads made at different times cannot be
subtracted to reveal a count one of them withheld.

When a report was first taken up, resolved or marked spam is read from its own row, where the
store keeps it with each such event (flows/store/milestones.py): the figures are one pass over
the reports, with no grouping of their events.

Months are given as UTC instants (the city's local midnights), so both databases bucket the
same way without time-zone support in SQL (SQLite has none).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    String,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from flows.models import Checkin, ModeratorCorrection, Report, UTCDateTime
from flows.statuses import CheckinState
from flows.store.base import QueryGroup

SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class Window:
    """The months counted: `starts` has one more instant than there are months (the last is
    the end of the last month); `cutoffs[i]` is when month i's figures are taken."""

    starts: Sequence[datetime]
    cutoffs: Sequence[datetime]


@dataclass(frozen=True)
class ReportCount:
    month: int  # index into the window's months
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


@dataclass(frozen=True)
class MonthCounts:
    reports: list[ReportCount]
    medians: dict[int, MonthMedians]
    answers: list[AnswerCount]


class TransparencyQueries(QueryGroup):
    def month_counts(self, window: Window) -> MonthCounts:
        """Everything the page counts, in one statement (one round trip) over one pass of the
        reports counted (`_counted`, a CTE the three parts share; PostgreSQL materialises it
        once):

        - reports filed in the window by month, category, district and whether acknowledged /
          resolved, each as of its month's cut-off;
        - per month, the median days from filing to the first acknowledgement and to
          resolution, of the reports acknowledged / resolved by the cut-off (computed by the
          database on PostgreSQL; SQLite, which has no percentile, returns the days of each
          report and the medians are taken here);
        - check-in answers given by the cut-off, for the reports counted, by kind and answer.
        """
        counted = _counted(window).cte("counted")
        acknowledged = counted.c.acknowledged_at.is_not(None)
        resolved = counted.c.resolved_at.is_not(None)
        keys = (counted.c.month, counted.c.category, counted.c.district, acknowledged, resolved)
        reports = select(
            literal(REPORTS).label("part"),
            counted.c.month,
            _text(counted.c.category),
            _text(counted.c.district),
            _flag(acknowledged),
            _flag(resolved),
            func.count(),
            _number(None),
            _number(None),
        ).group_by(*keys)
        answers = (
            select(
                literal(ANSWERS),
                counted.c.month,
                _text(col(Checkin.kind)),
                _text(col(Checkin.answer)),
                _flag(None),
                _flag(None),
                func.count(),
                _number(None),
                _number(None),
            )
            .select_from(Checkin)
            .join(counted, counted.c.id == Checkin.report_id)
            .where(
                col(Checkin.state) == CheckinState.ANSWERED,
                col(Checkin.answered_at) < counted.c.cutoff,
            )
            .group_by(counted.c.month, col(Checkin.kind), col(Checkin.answer))
        )
        ack = _days(counted.c.acknowledged_at, counted.c.created_at, self._db.dialect)
        res = _days(counted.c.resolved_at, counted.c.created_at, self._db.dialect)
        if self._db.dialect == "postgresql":
            days = (
                select(
                    literal(MEDIANS),
                    counted.c.month,
                    _text(None),
                    _text(None),
                    _flag(None),
                    _flag(None),
                    literal(0),
                    _number(func.percentile_cont(0.5).within_group(ack)),
                    _number(func.percentile_cont(0.5).within_group(res)),
                )
                # Neither taken up nor resolved: nothing for either median (they skip NULLs).
                .where(or_(acknowledged, resolved))
                .group_by(counted.c.month)
            )
        else:
            days = select(
                literal(DAYS),
                counted.c.month,
                _text(None),
                _text(None),
                _flag(None),
                _flag(None),
                literal(0),
                _number(ack),
                _number(res),
            ).where(or_(acknowledged, resolved))
        with self._db.reading() as session:
            if self._db.dialect == "postgresql":
                # For this statement alone: the counted reports grouped and sorted in memory.
                # With the default 4 MB, 100,000 of them went to disk (~60 ms of ~250).
                session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
            rows = session.execute(union_all(reports, answers, days)).all()
        found = MonthCounts([], {}, [])
        acks: dict[int, list[float]] = defaultdict(list)
        ress: dict[int, list[float]] = defaultdict(list)
        for part, m, a, b, ack_, res_, n, x, y in rows:
            month = int(m)
            if part == REPORTS:
                found.reports.append(ReportCount(month, a, b, bool(ack_), bool(res_), int(n)))
            elif part == ANSWERS:
                found.answers.append(AnswerCount(month, a, b or "", int(n)))
            elif part == MEDIANS:
                found.medians[month] = MonthMedians(_float(x), _float(y))
            else:
                if x is not None:
                    acks[month].append(float(x))
                if y is not None:
                    ress[month].append(float(y))
        for month in set(acks) | set(ress):
            found.medians[month] = MonthMedians(_median(acks.get(month)), _median(ress.get(month)))
        return found


# PostgreSQL's memory per sort or hash of `month_counts` (the counted reports take ~8 MB per
# 100,000; beyond what fits, it sorts on disk, slower but correct).
WORK_MEM = "16MB"
# Which part of `month_counts`'s statement a row comes from.
REPORTS, ANSWERS, MEDIANS, DAYS = "reports", "answers", "medians", "days"


# The parts of a UNION must agree on each column's type, NULLs included (PostgreSQL).
def _text(value: Any) -> Any:
    return cast(value, String)


def _flag(value: Any) -> Any:
    return cast(value, Boolean)


def _number(value: Any) -> Any:
    return cast(value, Float)


def _counted(window: Window) -> Any:
    """One row per report counted: its month, cut-off, category and district then, and when
    it was taken up and resolved (NULL unless before the cut-off)."""
    filed = col(Report.created_at)
    month = _by_month(window, filed, list(range(len(window.cutoffs))), typed=False)
    cutoff = _by_month(window, filed, window.cutoffs, typed=True)
    later = _first_correction_after(window)
    correction = aliased(ModeratorCorrection)
    before = _before(cutoff)
    spam = col(Report.first_spam_at)
    return (
        select(
            col(Report.id).label("id"),
            filed.label("created_at"),
            month.label("month"),
            cutoff.label("cutoff"),
            # Rerouted after the cut-off: the category it had then, none included (a report
            # still uncategorised then stays "other" however it is rerouted later).
            case(
                (col(correction.id).is_not(None), col(correction.previous_category)),
                else_=col(Report.top_category),
            ).label("category"),
            col(Report.district).label("district"),
            before(col(Report.first_taken_up_at)).label("acknowledged_at"),
            before(col(Report.first_resolved_at)).label("resolved_at"),
        )
        .select_from(Report)
        .outerjoin(later, later.c.report_id == Report.id)
        .outerjoin(correction, col(correction.id) == later.c.first_id)
        .where(filed >= window.starts[0], filed < window.starts[-1])
        .where(or_(spam.is_(None), spam >= cutoff))
    )


def _before(cutoff: ColumnElement[datetime]) -> Any:
    def at(column: Any) -> Any:
        return case((column < cutoff, column))

    return at


def _by_month(window: Window, filed: Any, values: Sequence[Any], *, typed: bool) -> Any:
    """`values[i]` for a report filed in month i (the window is filtered separately)."""
    starts = list(enumerate(window.starts[:-1]))
    whens = [
        (filed >= start, literal(values[i], UTCDateTime()) if typed else values[i])
        for i, start in reversed(starts)
    ]
    return case(*whens, else_=None)


def _first_correction_after(window: Window) -> Any:
    """Per report: its first reroute after its month's cut-off (whose previous_category is the
    category the report had at the cut-off). Reroutes are few: a small table."""
    cutoff = _by_month(window, col(Report.created_at), window.cutoffs, typed=True)
    return (
        select(
            col(ModeratorCorrection.report_id).label("report_id"),
            func.min(col(ModeratorCorrection.id)).label("first_id"),
        )
        .join(Report, col(Report.id) == ModeratorCorrection.report_id)
        .where(
            col(Report.created_at) >= window.starts[0],
            col(Report.created_at) < window.starts[-1],
            col(ModeratorCorrection.at) >= cutoff,
        )
        .group_by(col(ModeratorCorrection.report_id))
        .subquery()
    )


def _days(at: Any, filed: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return extract("epoch", at - filed) / SECONDS_PER_DAY
    return func.julianday(at) - func.julianday(filed)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _median(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None
