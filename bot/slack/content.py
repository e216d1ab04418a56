"""What a card shows: a report as moderators see it (`flows.reports.desk.ReportView`) → `CardData`.

Only the report's redacted text, analysis, choices, state, audit trail, check-ins and decisions
(redacted) are used; of the reporter, only whether a relay can reach them.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.slack.cards import CardData, CheckinLine, DecisionLine
from flows.city import CityConfig
from flows.models import Decision, Report, ReportEvent
from flows.reports.desk import ModeratorDesk, ReportView


class CardContent:
    def __init__(self, *, desk: ModeratorDesk, city: CityConfig) -> None:
        self._desk = desk
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
        view = self._desk.view(report_id)
        if view is None:
            raise LookupError(f"no report #{report_id}")
        return self.card_from(view, destination_id, notice=notice)

    def card_of(self, report: Report, destination_id: str) -> CardData:
        return self.card_from(self._desk.view_of(report), destination_id)

    def card_from(
        self, view: ReportView, destination_id: str, *, notice: str | None = None
    ) -> CardData:
        report, events = view.report, view.trail
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
            report_id=view.id,
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
            reach=view.reach.reason,
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
                CheckinLine(kind=c.kind, state=c.state, due=c.due_at) for c in view.checkins
            ),
            decision=_decision_line(view.decisions),
        )


def _decision_line(decisions: Sequence[Decision]) -> DecisionLine | None:
    """The latest version; "corrected" once an earlier one exists."""
    if not decisions:
        return None
    latest = decisions[-1]
    return DecisionLine(
        summary=latest.summary,
        published=latest.published,
        corrected=latest.corrects_id is not None,
        actor=latest.actor,
        at=latest.published_at or latest.created_at,
    )


def _last(events: Sequence[ReportEvent], actions: tuple[str, ...]) -> ReportEvent | None:
    for event in reversed(events):
        if event.action in actions:
            return event
    return None
