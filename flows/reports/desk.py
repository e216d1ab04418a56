"""What moderators look at, whatever tool shows it: a report with its audit trail, check-ins,
decisions and whether a relay can reach its reporter; the open queue; counts over a period.

Reads only; the moderators' tools (Slack cards, `/cpps`) render what it returns. Nothing here
tells who the reporter is: `Reach` says only whether a relay could be sent.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta

from flows.models import Checkin, Decision, Report, ReportEvent
from flows.reports.moderation import Reach, reach_of
from flows.reports.refs import find_ref
from flows.store import ReportStats, Store


@dataclass(frozen=True)
class ReportView:
    """A report as a moderator sees it (a card, `/cpps status`)."""

    report: Report
    trail: list[ReportEvent]  # oldest first
    checkins: list[Checkin]
    reach: Reach
    decisions: list[Decision] = field(default_factory=list)  # every version, oldest first

    @property
    def id(self) -> int:
        assert self.report.id is not None
        return self.report.id


class ModeratorDesk:
    def __init__(self, *, store: Store) -> None:
        self._store = store

    def report(self, report_id: int) -> Report | None:
        return self._store.reports.get(report_id)

    def find(self, text: str) -> Report | None:
        """The report whose reference a moderator typed (case and stray characters forgiven)."""
        ref = find_ref(text)
        return self._store.reports.by_ref(ref) if ref else None

    def view(self, report_id: int) -> ReportView | None:
        report = self.report(report_id)
        return self.view_of(report) if report is not None else None

    def view_of(self, report: Report) -> ReportView:
        assert report.id is not None
        return ReportView(
            report=report,
            trail=self._store.reports.events(report.id),
            checkins=self._store.checkins.of_report(report.id),
            reach=self.reach(report),
            decisions=self._store.decisions.history(report.id),
        )

    def reach(self, report: Report) -> Reach:
        if report.contact_id is None:
            return reach_of(None)
        return reach_of(self._store.contacts.get(report.contact_id))

    def open_reports(self, *, destinations: Collection[str]) -> list[Report]:
        """Open reports routed to any of `destinations`, oldest first."""
        return self._store.reports.open(destinations=destinations)

    def stats(self, *, days: int) -> ReportStats:
        """Counts of the reports filed in the last `days` days."""
        return self._store.reports.stats(since=self._store.clock.now() - timedelta(days=days))
