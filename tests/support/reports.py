"""Filing reports straight into the store for the moderators' services, and reading the outbox."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from flows.models import OutboundMessage, Report
from flows.reports.refs import new_ref
from flows.store import NewReport, Store
from nlp.types import Analysis, CategoryScore

_numbers = iter(range(1, 10**6))


def file_report(
    store: Store,
    *,
    destinations: Sequence[str] = ("oversight",),
    category: str = "use_of_force",
    status: str = "routed",
) -> Report:
    contact = store.contacts.get_or_create(channel="sms", address=f"+1555{next(_numbers):07d}")
    analysis = Analysis(
        language="en",
        redacted="An officer pushed me at [PLACE]",
        categories=(CategoryScore(label=category, score=0.9),),
        triage=False,
    )
    new = NewReport(
        channel="sms",
        language="en",
        raw_text="An officer pushed me at Millbrook Park",
        anonymous=True,
        contact_ok=False,
        consent_checkins=False,
        urgent=False,
    )
    with store.transaction() as session:
        report = store.reports.create(
            session=session,
            contact=contact,
            ref=new_ref(length=8),  # a resident's 4 would collide among hundreds seeded
            new=new,
            analysis=analysis,
            destinations=list(destinations),
            redacted_place=None,
            redacted_when=None,
        )
        store.reports.set_status(session=session, report=report, status=status, actor="system")
    return report


def outbound(store: Store) -> list[OutboundMessage]:
    with store.reading() as session:
        return list(session.exec(select(OutboundMessage).order_by(col(OutboundMessage.id))).all())
