"""Reports filed before their analysis was ready: routed by the worker when it lands.

Filing never waits long for the worker (issue #15). When the story's analysis is not ready in
time, the report is filed with its reference and what the conversation knew (urgency, the
gazetteer's district) and nothing for moderators yet, and a "file" job is queued in the same
transaction: the story and the place and time answers, sealed (`flows/store/model_jobs.py`).
The worker analyses them, routes the report exactly as an immediate filing would
(`flows/reports/filing.py`), posts its cards and texts the reporter where it went, through the
outbox. A worker that dies mid-way leaves a lease that expires: the job is done again, and a
report already routed is left as it is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from sqlmodel import Session

from flows.checkins.jobs import FollowUps
from flows.city import CityConfig
from flows.conversation.catalog import Catalog
from flows.handling.queued_analysis import IN_TURN
from flows.models import Report
from flows.reports.filing import (
    ReportAnalyser,
    RoutedReport,
    analyse_report,
    record_routing,
    route_report,
)
from flows.store import Store
from nlp.types import Analysis, Language, Urgency

log = logging.getLogger(__name__)

FILE = "file"


@dataclass(frozen=True)
class PendingReport:
    """What the worker needs to route a report filed unanalysed (sealed in its job)."""

    ref: str
    story: str
    place_text: str | None
    when_text: str | None


def unanalysed(language: str, *, urgency: Urgency, district: str | None) -> Analysis:
    """The analysis a report is filed with before the worker's: no text for moderators, no
    category; the conversation's urgency and district."""
    lang: Language = "es" if language == "es" else "en"
    return Analysis(language=lang, redacted="", urgency=urgency, district=district, triage=True)


def queue_late_filing(
    store: Store, pending: PendingReport, *, contact_id: int | None, session: Session
) -> None:
    """The job, in the filing's transaction (the contact's: erasing them drops it)."""
    store.model_jobs.enqueue(
        kind=FILE,
        key=store.vault.text_key(pending.ref, context=FILE),
        text=json.dumps(asdict(pending)),
        priority=IN_TURN,
        contact_id=contact_id,
        session=session,
    )


class LateFiling:
    """The worker's side: analyse, route and record a report filed unanalysed."""

    def __init__(
        self,
        *,
        store: Store,
        city: CityConfig,
        catalog: Catalog,
        followups: FollowUps | None,
        on_report_filed: Sequence[Callable[[int], None]] = (),
    ) -> None:
        self._store = store
        self._city = city
        self._catalog = catalog
        self._followups = followups
        self._on_filed = list(on_report_filed)

    def complete(self, payload: str, *, analyser: ReportAnalyser) -> bool:
        """Route the report of a "file" job; False when there was nothing left to do (the
        report was routed by an earlier attempt, or erased)."""
        pending = PendingReport(**json.loads(payload))
        analysed = analyse_report(
            analyser,
            story=pending.story,
            place_text=pending.place_text,
            when_text=pending.when_text,
        )
        store = self._store
        routed_id: int | None = None
        with store.transaction() as session:
            report = store.reports.unrouted_to_route(pending.ref, session=session)
            if report is None:
                return False
            routed = route_report(
                analysed,
                district=report.district,
                urgency=_urgency(report.urgency),
                city=self._city,
            )
            store.reports.record_analysis(
                session=session,
                report=report,
                analysis=routed.analysis,
                destinations=routed.destination_ids,
                redacted_place=routed.redacted_place,
                redacted_when=routed.redacted_when,
            )
            record_routing(
                store=store,
                followups=self._followups,
                session=session,
                report=report,
                routed=routed,
            )
            self._tell_reporter(session, report, routed)
            routed_id = report.id
        assert routed_id is not None
        for hook in self._on_filed:
            try:
                hook(routed_id)
            except Exception:
                # The clock's `slack-posts` job queues cards that were never queued.
                log.exception("posting the cards of a late-routed report failed")
        return True

    def _tell_reporter(self, session: Session, report: Report, routed: RoutedReport) -> None:
        """One text saying where the report went, and what its destinations tell everyone
        (the outbox keeps STOP and erasure)."""
        contact = self._store.contacts.get(report.contact_id) if report.contact_id else None
        if contact is None or contact.wrapped_key is None:
            return
        language = report.language if report.language in self._catalog.languages else None
        language = language or self._catalog.default_language
        destinations = routed.decision.destinations
        names = [
            self._catalog.render("destination_item", language, name=d.name_in(language))
            for d in destinations
        ]
        body = self._catalog.render(
            "routed_later",
            language,
            ref=report.ref,
            destinations=self._catalog.join(names, language),
        )
        notes = dict.fromkeys(n for d in destinations if (n := d.note_in(language)) is not None)
        for text in (body, *notes):
            self._store.outbox.enqueue(
                session=session, contact=contact, body=text, purpose="reply", report_id=report.id
            )


def _urgency(value: str) -> Urgency:
    return value if value in ("emergency", "crisis") else "none"  # type: ignore[return-value]
