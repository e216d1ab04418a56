"""Filing a report's analysis: read, routed and recorded. One path for both moments it can
happen: while the resident's filing text is answered (the analysis was ready), or later, in
the worker, for a report filed before its analysis was ready (`flows/reports/late_filing.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from sqlmodel import Session

from flows.checkins.jobs import FollowUps
from flows.city import CityConfig
from flows.conversation.state import most_urgent
from flows.models import Report
from flows.reports.routing import RoutingDecision, RoutingInput, route
from flows.statuses import ReportState
from flows.store import Store
from nlp.types import Analysis, Urgency


class ReportAnalyser(Protocol):
    def analyse_batch(self, texts: Sequence[str], *, categorise: bool = True) -> list[Analysis]: ...


# (texts, categorise): one `analyse_batch` call's arguments.
Part = tuple[Sequence[str], bool]


@runtime_checkable
class WaitsOnce(Protocol):
    """An analyser whose results come from another process (`QueuedAnalyser`): it asks for every
    part at once and waits once, so the story and its answers share one bounded wait."""

    def analyse_parts(self, parts: Sequence[Part]) -> list[list[Analysis]]: ...


@dataclass(frozen=True)
class AnalysedReport:
    story: Analysis
    place: Analysis | None
    when: Analysis | None


@dataclass(frozen=True)
class RoutedReport:
    """The report's analysis with district and urgency settled, and where it goes."""

    analysis: Analysis
    decision: RoutingDecision
    redacted_place: str | None
    redacted_when: str | None

    @property
    def destination_ids(self) -> list[str]:
        return [d.id for d in self.decision.destinations]


def analyse_report(
    analyser: ReportAnalyser, *, story: str, place_text: str | None, when_text: str | None
) -> AnalysedReport:
    # The place and time answers are read for personal data and the district only: their
    # category would be noise, and classifying them cost more than the story itself.
    extras = [t for t in (place_text, when_text) if t]
    parts: list[Part] = [([story], True), (extras, False)]
    if isinstance(analyser, WaitsOnce):
        [analysis], answers = analyser.analyse_parts(parts)
    else:
        [analysis], answers = (analyser.analyse_batch(t, categorise=c) for t, c in parts)
    place = answers.pop(0) if place_text else None
    when = answers.pop(0) if when_text else None
    return AnalysedReport(story=analysis, place=place, when=when)


def route_report(
    analysed: AnalysedReport, *, district: str | None, urgency: Urgency, city: CityConfig
) -> RoutedReport:
    """`district` and `urgency`: what the conversation found (the gazetteer on the answers, the
    screening of every text); the analysis's own readings come first, the higher urgency wins."""
    analysis, place = analysed.story, analysed.place
    district = analysis.district or (place.district if place else None) or district
    urgency = most_urgent(analysis.urgency, urgency)
    decision = route(
        RoutingInput(
            category=analysis.top_category,
            district=district,
            urgency=urgency,
            triage=analysis.triage,
            scores=tuple((c.label, c.score) for c in analysis.categories),
        ),
        city=city,
    )
    return RoutedReport(
        analysis=replace(analysis, district=district, urgency=urgency),
        decision=decision,
        redacted_place=place.redacted if place else None,
        redacted_when=analysed.when.redacted if analysed.when else None,
    )


def record_routing(
    *,
    store: Store,
    followups: FollowUps | None,
    session: Session,
    report: Report,
    routed: RoutedReport,
) -> None:
    """The routing on the audit trail, the report routed, its check-ins scheduled."""
    store.reports.add_event(
        session=session,
        report=report,
        actor="system",
        action="routed",
        detail={
            "destinations": routed.destination_ids,
            "reasons": list(routed.decision.reasons),
        },
    )
    store.reports.set_status(
        session=session, report=report, status=ReportState.ROUTED, actor="system"
    )
    if followups is not None:
        followups.schedule_for_new_report(session=session, report=report)
