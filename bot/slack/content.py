"""What a card shows, read from the database: a report (and its audit trail) → `CardData`.

Only the report's redacted text, analysis, choices, state and check-ins are read; the reporter's
contact is consulted for one thing, whether a relay can reach them (`moderation.reach_of`).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.slack.cards import CardData, CheckinLine
from flows.city import CityConfig
from flows.models import Report, ReportEvent
from flows.reports.moderation import reach_of
from flows.store import Store


class CardContent:
    def __init__(self, *, store: Store, city: CityConfig) -> None:
        self._store = store
        self._city = city

    def destination_name(self, destination_id: str) -> str:
        try:
            return self._city.destination(destination_id).name
        except KeyError:
            return destination_id

    def district_name(self, district_id: str | None) -> str | None:
        if district_id is None:
            return None
        try:
            return self._city.district(district_id).name
        except KeyError:
            return district_id

    def card(self, report_id: int, destination_id: str, *, notice: str | None = None) -> CardData:
        report = self._store.reports.get(report_id)
        if report is None:
            raise LookupError(f"no report #{report_id}")
        return self.card_of(report, destination_id, notice=notice)

    def card_of(
        self, report: Report, destination_id: str, *, notice: str | None = None
    ) -> CardData:
        assert report.id is not None
        events = self._store.reports.events(report.id)
        status_event = _last(events, ("status",))
        rerouted_to = None
        if destination_id not in report.destinations:
            moved = _last(
                [e for e in events if e.detail.get("from") == destination_id], ("rerouted",)
            )
            if moved is not None:
                rerouted_to = self.destination_name(str(moved.detail.get("to")))
        analysis = report.analysis
        return CardData(
            report_id=report.id,
            ref=report.ref,
            destination_id=destination_id,
            destination_name=self.destination_name(destination_id),
            categories=tuple(
                (str(c["label"]), float(c["score"])) for c in analysis.get("categories", ())
            ),
            category=report.top_category,
            triage=report.triage,
            urgency=report.urgency,
            district_name=self.district_name(report.district),
            language=report.language,
            anonymous=report.anonymous,
            contact_ok=report.contact_ok,
            reach=reach_of(self._store, report).reason,
            redacted_text=report.redacted_text,
            received_at=report.created_at,
            status=report.status,
            status_actor=status_event.actor if status_event else None,
            status_at=status_event.at if status_event else None,
            place_text=report.place_text,
            when_text=report.when_text,
            officers=tuple(str(o.get("text", "")) for o in analysis.get("officers", ())),
            rerouted_to=rerouted_to,
            notice=notice,
            checkins=tuple(
                CheckinLine(kind=c.kind, state=c.state, due=c.due_at)
                for c in self._store.checkins.of_report(report.id)
            ),
        )


def _last(events: Sequence[ReportEvent], actions: tuple[str, ...]) -> ReportEvent | None:
    for event in reversed(events):
        if event.action in actions:
            return event
    return None
