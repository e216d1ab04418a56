"""Filing that never waits long (issue #15), through the real runner, store and worker: the
web process files with or without the worker's analysis, and a report filed before it is
routed by the worker, its cards announced and its reporter told where it went."""

from __future__ import annotations

import json
from dataclasses import asdict

from flows.city import CityConfig
from flows.conversation.catalog import Catalog
from flows.handling.model_worker import ModelWorker
from flows.handling.runner import ABANDONED_AFTER
from flows.reports.late_filing import LateFiling, PendingReport
from flows.statuses import ReportState
from tests.flows.resident import Resident, msg

STORY = "An officer pushed my brother against the car outside the shelter"


def _intake(resident: Resident, worker: ModelWorker | None) -> list[str]:
    """A whole intake; the worker (when given) gets a pass after every text."""
    replies: list[str] = []
    for text in (STORY, "1", "skip", "skip", "1"):
        replies = resident.send(text)
        if worker is not None:
            while worker.run_once():
                pass
    return replies


def _routed_reply(catalog: Catalog, ref: str, names: list[str]) -> str:
    items = [catalog.render("destination_item", "en", name=n) for n in names]
    return msg(catalog, "filed", ref=ref, destinations=catalog.join(items, "en"))


def test_the_analysis_done_ahead_routes_the_report_as_it_is_filed(
    queued_resident: Resident, worker: ModelWorker, catalog: Catalog, city: CityConfig
) -> None:
    resident = queued_resident
    replies = _intake(resident, worker)
    (report,) = resident.store.reports.of_contact(resident.contact_id)
    assert report.status == ReportState.ROUTED and report.destinations
    names = [city.destination(d).name_in("en") for d in report.destinations]
    assert replies[0] == _routed_reply(catalog, report.ref, names)
    assert resident.cards == [report.id]
    # The story was analysed once, by the worker, ahead of filing.
    assert [text for text, _ in resident.analyser.calls].count(STORY) == 1


def test_a_report_filed_before_its_analysis_is_routed_by_the_worker(
    queued_resident: Resident, worker: ModelWorker, catalog: Catalog, city: CityConfig
) -> None:
    resident = queued_resident
    replies = _intake(resident, worker=None)  # no worker yet: nothing analysed
    (pending,) = resident.store.reports.of_contact(resident.contact_id)
    # The reference at once; no moderator sees the report before its words are redacted.
    pending_names = catalog.render("destination_pending", "en")
    filed = msg(catalog, "filed", ref=pending.ref, destinations=pending_names)
    assert replies[0] == filed
    assert pending.status == ReportState.NEW
    assert pending.destinations == [] and pending.redacted_text == ""
    assert resident.cards == []
    assert resident.store.slack_posts.reports_without_cards(since=pending.created_at) == []

    while worker.run_once():
        pass
    routed = resident.report(pending.ref)
    assert routed.status == ReportState.ROUTED
    assert routed.top_category == "use_of_force" and routed.redacted_text
    assert routed.destinations
    assert resident.cards == [routed.id]
    names = [city.destination(d).name_in("en") for d in routed.destinations]
    items = [catalog.render("destination_item", "en", name=n) for n in names]
    told = msg(catalog, "routed_later", ref=routed.ref, destinations=catalog.join(items, "en"))
    assert resident.texts_received()[0] == told
    # The same events as a report routed at once, after its analysis.
    actions = [e.action for e in resident.store.reports.events(routed.id or 0)]
    assert actions[:1] == ["filed"] and {"analysed", "routed", "status"} <= set(actions)
    # Consented to check-ins: scheduled once routed.
    assert resident.checkins(routed.ref)
    # The analysis queued ahead (before the filing, so done before it) served the late
    # filing: the story was read once.
    assert [text for text, _ in resident.analyser.calls].count(STORY) == 1


def test_a_late_filing_done_twice_routes_once(
    queued_resident: Resident, worker: ModelWorker, catalog: Catalog, city: CityConfig
) -> None:
    resident = queued_resident
    _intake(resident, worker=None)
    while worker.run_once():
        pass
    assert len(resident.texts_received()) == 1
    (report,) = resident.store.reports.of_contact(resident.contact_id)
    # A worker whose lease was taken over finishes the same job after the first one.
    again = LateFiling(store=resident.store, city=city, catalog=catalog, followups=None)
    payload = PendingReport(ref=report.ref, story=STORY, place_text=None, when_text=None)
    assert not again.complete(json.dumps(asdict(payload)), analyser=resident.analyser)
    events = resident.store.reports.events(report.id or 0)
    assert [e.action for e in events].count("routed") == 1
    assert resident.texts_received() == []


def test_more_words_the_worker_has_not_redacted_yet_are_answered_by_the_sweep(
    queued_resident: Resident, worker: ModelWorker, catalog: Catalog
) -> None:
    resident = queued_resident
    _intake(resident, worker)
    ref = resident.last_ref()
    resident.texts_received()
    # More words soon after filing: appended once redacted, and the worker is busy.
    assert resident.send("and he took my phone too", after=60) == []
    stored = resident.store.inbound.unanswered(received_before=resident.clock.now())
    assert len(stored) == 1
    while worker.run_once():
        pass
    resident.clock.advance(ABANDONED_AFTER)
    assert resident.runner.answer_abandoned() == 1
    assert resident.texts_received() == [msg(catalog, "appended", ref=ref)]
    assert resident.trail(ref, "added_text") == ["and he took my phone too"]
