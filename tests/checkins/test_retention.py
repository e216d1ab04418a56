"""Retention: raw texts older than the city's retention period are erased; the rest stays."""

from __future__ import annotations

from datetime import timedelta

from flows.checkins.jobs import FollowUps
from flows.city import CityConfig
from flows.clocks import FixedClock
from flows.models import InboundMessage, Report
from flows.reports.retention import Retention
from flows.store import Store
from tests.support.checkins import file_report


def _inbound(store: Store, phone: str, provider_id: str) -> int:
    recorded = store.inbound.receive(
        channel="sms",
        address=phone,
        provider_id=provider_id,
        body="my raw words",
        media_urls=["https://api.twilio.com/media/1"],
    )
    assert recorded.message.id is not None
    return recorded.message.id


def test_only_old_raw_texts_are_erased(
    store: Store, followups: FollowUps, city: CityConfig
) -> None:
    retention = Retention(store=store, city=city)
    assert isinstance(store.clock, FixedClock)
    clock = store.clock
    start = clock.now()
    old = file_report(store, followups, phone="+15550100001")
    old_message = _inbound(store, "+15550100001", "SMold")
    clock.advance(timedelta(days=100))
    recent = file_report(store, followups, phone="+15550100002")
    recent_message = _inbound(store, "+15550100002", "SMrecent")
    clock.set(start + timedelta(days=180) - timedelta(seconds=1))
    assert retention.erase_old_raw_texts().reports == 0  # not yet 180 days old
    clock.set(start + timedelta(days=180, seconds=1))
    result = retention.erase_old_raw_texts()
    assert (result.reports, result.inbound_messages) == (1, 1)
    with store.transaction() as session:
        old_row, recent_row = session.get(Report, old.id), session.get(Report, recent.id)
        old_in = session.get(InboundMessage, old_message)
        recent_in = session.get(InboundMessage, recent_message)
    assert old_row is not None and recent_row is not None
    assert old_in is not None and recent_in is not None
    assert old_row.raw_text_enc is None and old_in.body_enc is None and old_in.media_enc is None
    # Redacted text and analysis stay with the council.
    assert old_row.redacted_text == old.redacted_text
    assert old_row.analysis["categories"] == [{"label": "use_of_force", "score": 0.9}]
    assert recent_row.raw_text_enc is not None and recent_in.body_enc is not None
    assert [e.action for e in store.reports.events(old.id or 0)][-1] == "raw_text_erased"
    assert retention.erase_old_raw_texts().reports == 0  # idempotent
