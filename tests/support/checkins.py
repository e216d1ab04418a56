"""Check-in helpers: building FollowUps, filing reports straight into the store (the conversation
engine is not needed to test what happens after filing), and an outbox sender that records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flows.checkins.jobs import FollowUps
from flows.city import CityConfig
from flows.conversation.catalog import load_catalog
from flows.models import Report
from flows.store import NewReport, Store
from nlp.types import Analysis, CategoryScore
from tests.fakes.notifier import RecordingNotifier


def make_followups(
    store: Store, city: CityConfig, notifier: RecordingNotifier, *, batch_size: int = 500
) -> FollowUps:
    return FollowUps(
        store=store,
        city=city,
        catalog=load_catalog(),
        notifier=notifier,
        batch_size=batch_size,
    )


_counter = iter(range(1, 10**6))


def file_report(
    store: Store,
    followups: FollowUps,
    *,
    phone: str | None = None,
    consent: bool = True,
    destinations: Sequence[str] = ("oversight",),
    language: str = "en",
    ref: str | None = None,
    raw_text: str = "Officer Jones pushed me at Millbrook Park, call me at 555-010-2030",
    redacted: str = "Officer [NAME] pushed me at Millbrook Park, call me at [PHONE]",
) -> Report:
    """File a report the way the runner does (create, route, schedule) in one transaction."""
    n = next(_counter)
    contact = store.contacts.get_or_create(
        channel="sms", address=phone or f"+1555{n:07d}", language=language
    )
    analysis = Analysis(
        language="en",
        redacted=redacted,
        categories=(CategoryScore(label="use_of_force", score=0.9),),
        triage=False,
    )
    new = NewReport(
        channel="sms",
        language=language,
        raw_text=raw_text,
        anonymous=True,
        contact_ok=False,
        consent_checkins=consent,
        urgent=False,
    )
    with store.transaction() as session:
        report = store.reports.create(
            session=session,
            contact=contact,
            ref=ref or f"R-{n:04d}",
            new=new,
            analysis=analysis,
            destinations=list(destinations),
            redacted_place=None,
            redacted_when=None,
        )
        store.reports.set_status(session=session, report=report, status="routed", actor="system")
        followups.schedule_for_new_report(session=session, report=report)
    return report


@dataclass
class RecordingSender:
    """An outbox Sender that keeps what it sent (address, body)."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(self, *, to: str, body: str, contact_id: int) -> str:
        self.sent.append((to, body))
        return f"SM{len(self.sent):032d}"
