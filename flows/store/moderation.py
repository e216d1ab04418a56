"""What moderators read and change: open queues, counts, reroutes kept as training examples."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from flows.models import ModeratorCorrection, Report
from flows.store.base import StoreBase

OPEN_STATUSES = ("new", "routed", "acknowledged", "in_progress")


@dataclass(frozen=True)
class ReportStats:
    total: int
    by_category: Counter[str]
    by_district: Counter[str]
    by_status: Counter[str]


class ModerationQueries(StoreBase):
    def report(self, report_id: int, *, session: Session | None = None) -> Report | None:
        if session is not None:
            return session.get(Report, report_id)
        with self.transaction() as s:
            return s.get(Report, report_id)

    def open_reports(self, *, destinations: Collection[str] | None = None) -> list[Report]:
        """Open reports, oldest first; only those routed to one of `destinations` when given.

        Destinations are a JSON list, filtered here rather than in SQL so the query is the same on
        both databases; open reports are few (they close), so this stays cheap.
        """
        with self.transaction() as session:
            rows = session.exec(
                select(Report)
                .where(col(Report.status).in_(OPEN_STATUSES))
                .order_by(col(Report.created_at), col(Report.id))
            ).all()
        if destinations is None:
            return list(rows)
        wanted = set(destinations)
        return [r for r in rows if wanted.intersection(r.destinations)]

    def report_stats(self, *, since: datetime) -> ReportStats:
        with self.transaction() as session:
            rows = session.exec(
                select(Report.top_category, Report.district, Report.status).where(
                    col(Report.created_at) >= since
                )
            ).all()
        return ReportStats(
            total=len(rows),
            by_category=Counter(category or "unsure" for category, _, _ in rows),
            by_district=Counter(district or "unknown" for _, district, _ in rows),
            by_status=Counter(status for _, _, status in rows),
        )

    def add_correction(
        self,
        *,
        session: Session,
        report: Report,
        category: str,
        destination: str,
        actor: str,
    ) -> None:
        assert report.id is not None
        session.add(
            ModeratorCorrection(
                report_id=report.id,
                redacted_text=report.redacted_text,
                previous_category=report.top_category,
                category=category,
                destination=destination,
                actor=actor,
                at=self.clock.now(),
            )
        )

    def corrections(self) -> list[tuple[str, str]]:
        """Labelled examples from moderators' reroutes: (redacted text, category).

        The latest correction of each report wins, so a report re-labelled twice counts once.
        """
        with self.transaction() as session:
            rows = session.exec(
                select(ModeratorCorrection).order_by(col(ModeratorCorrection.id))
            ).all()
        latest: dict[int, tuple[str, str]] = {}
        for row in rows:
            latest[row.report_id] = (row.redacted_text, row.category)
        return list(latest.values())
