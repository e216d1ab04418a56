"""Decisions in the store, on both databases: versions kept, replays recorded once, and what the
public page reads (`published_decisions`): the latest published version, nothing identifying."""

from __future__ import annotations

from dataclasses import fields
from datetime import timedelta

from flows.clocks import FixedClock
from flows.models import Report
from flows.store import PublishedDecision, Store
from tests.support.reports import file_report

MOD = "UMODERATR1"


def _record(store: Store, report: Report, summary: str, *, key: str | None = None) -> int:
    with store.transaction() as session:
        recorded = store.decisions.record(
            session=session,
            report=report,
            summary=summary,
            parties=["council-members"],
            actor=MOD,
            action_key=key,
        )
    assert recorded.decision.id is not None
    return recorded.decision.id


def _publish(store: Store, decision_id: int) -> bool:
    with store.transaction() as session:
        decision = store.decisions.get_to_change(decision_id, session=session)
        assert decision is not None
        return store.decisions.publish(session=session, decision=decision)


def test_the_same_action_records_one_version(store: Store) -> None:
    report = file_report(store)
    first = _record(store, report, "The council met the liaison.", key="view:V1")
    again = _record(store, report, "The council met the liaison.", key="view:V1")
    assert first == again
    assert len(store.decisions.history(report.id or 0)) == 1


def test_a_correction_keeps_the_old_version_and_the_public_reads_the_latest(
    store: Store, clock: FixedClock
) -> None:
    report = file_report(store, category="officer_misconduct")
    first = _record(store, report, "Training was ordered.", key="view:V1")
    assert _publish(store, first) is True
    assert _publish(store, first) is False  # a replay publishes nothing new
    [only] = store.decisions.published_decisions()
    assert (only.summary, only.corrected) == ("Training was ordered.", False)

    clock.advance(timedelta(days=1))
    second = _record(store, report, "Training was ordered for two officers.", key="view:V2")
    # Recorded, not yet published: the public still reads the first version.
    assert store.decisions.published_decisions() == [only]
    _publish(store, second)
    [latest] = store.decisions.published_decisions()
    assert latest.summary == "Training was ordered for two officers."
    assert latest.corrected is True
    assert latest.category == "officer_misconduct"
    assert latest.parties == ("council-members",)
    assert latest.published_at == clock.now()
    history = store.decisions.history(report.id or 0)
    assert [(d.id, d.corrects_id, d.published) for d in history] == [
        (first, None, True),
        (second, first, True),
    ]


def test_the_public_reads_no_reference_and_no_spam(store: Store) -> None:
    kept = file_report(store)
    spam = file_report(store)
    _publish(store, _record(store, kept, "A meeting was held."))
    _publish(store, _record(store, spam, "Nothing to do."))
    with store.transaction() as session:
        report = store.reports.get_to_change(spam.id or 0, session=session)
        assert report is not None
        store.reports.set_status(session=session, report=report, status="spam", actor=MOD)
    published = store.decisions.published_decisions()
    assert [d.summary for d in published] == ["A meeting was held."]
    names = {f.name for f in fields(PublishedDecision)}
    assert names == {
        "published_at",
        "reported_at",
        "district",
        "category",
        "summary",
        "parties",
        "corrected",
    }
    assert kept.ref not in repr(published)
