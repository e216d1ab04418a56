"""The service scaled out (issue #15): two web processes, two workers and the clock on one
PostgreSQL, 200 residents doing whole intakes at once (tests/scale/scale_run.py).

Then, from the database and the fake Twilio's captured requests:
- every report is filed once: one per resident, its reference unique and told to its resident;
- every text is stored once and answered, every reply sent once: each webhook answered with its
  TwiML (200), no text through Twilio's API twice, and a report filed before its analysis was
  ready texts its reporter where it went ("routed_later") exactly once, the others never;
- every story is analysed by one job, done, and every job is done (none failed), by both
  workers sharing the queue.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import col, select

from flows.clocks import SystemClock
from flows.models import InboundMessage, ModelJob, OutboundMessage, Report, ReportEvent
from flows.privacy import Vault
from flows.statuses import InboundState, JobState, OutboundStatus, ReportState
from flows.store import Store, make_engine
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.faults.kill_run import ACCOUNT_SID, AUTH_TOKEN, REF
from tests.scale.scale_run import RESIDENTS, ScaleRun, left_to_do, run_scaled_out
from tests.support.databases import private_postgres_schema


@pytest.mark.slow
def test_two_webs_two_workers_file_every_report_once_and_send_every_reply_once(
    master_key: str, tmp_path: Path
) -> None:
    began = time.monotonic()
    with (
        private_postgres_schema() as url,
        FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as twilio,
    ):
        store = Store(
            engine=make_engine(url, pool_size=1),
            vault=Vault(keys=[master_key]),
            clock=SystemClock(),
        )
        try:
            run = run_scaled_out(
                database_url=url,
                master_key=master_key,
                data_dir=tmp_path,
                twilio=twilio,
                store=store,
            )
            try:
                late = check(run, store, twilio)
            except BaseException:
                print(run.fleet.tails())
                raise
            queue = queue_figures(run, store)
        finally:
            store.engine.dispose()
    # Shown with `pytest -s`.
    texts = sum(len(r.texts) for r in run.residents)
    seconds = sorted(s for r in run.residents for s in r.seconds)
    print(
        f"\nscale-out: {time.monotonic() - began:.1f} s in all; {texts} texts in "
        f"{run.load_seconds:.1f} s ({texts / run.load_seconds:.1f} texts/s), webhook p50 "
        f"{statistics.median(seconds) * 1000:.0f} ms, p99 "
        f"{seconds[int(len(seconds) * 0.99)] * 1000:.0f} ms; settled "
        f"{run.settle_seconds:.1f} s after the last text; reports routed at filing "
        f"{RESIDENTS - late}, routed later {late}; texts through the API "
        f"{len(twilio.created)}\n{queue}"
    )


def check(run: ScaleRun, store: Store, twilio: FakeTwilioAPI) -> int:
    """Every check of the module doc; how many reports were routed after filing."""
    residents = run.residents
    errors = {r.number: r.error for r in residents if r.error}
    assert not errors, errors
    assert left_to_do(store) == {"reports new": 0, "model jobs": 0, "outbox": 0, "unanswered": 0}
    with store.reading() as session:
        inbound = session.exec(select(InboundMessage)).all()
        reports = {r.ref: r for r in session.exec(select(Report)).all()}
        events = session.exec(select(ReportEvent).order_by(col(ReportEvent.id))).all()
        jobs = session.exec(select(ModelJob)).all()
        outbound = session.exec(select(OutboundMessage)).all()

    # Every text stored once and answered.
    sent = {sid: r for r in residents for sid in r.texts}
    assert sorted(m.provider_id for m in inbound) == sorted(sent)
    assert {m.state for m in inbound} == {InboundState.ANSWERED}
    contact_of = {sent[m.provider_id].number: m.contact_id for m in inbound}
    assert len(set(contact_of.values())) == RESIDENTS

    # Every report filed once, its reference told to its resident.
    assert len(reports) == RESIDENTS
    for resident in residents:
        report = reports.get(resident.ref or "")
        assert report is not None, (resident.number, resident.ref)
        assert report.contact_id == contact_of[resident.number]
        assert report.status == ReportState.ROUTED

    # Routed after filing: the "analysed" event follows "filed"; the filing reply said so.
    actions: dict[int, list[str]] = {}
    for event in events:
        actions.setdefault(event.report_id, []).append(event.action)
    late = {ref for ref, r in reports.items() if "analysed" in actions[r.id or 0]}
    for ref in late:
        done = actions[reports[ref].id or 0]
        assert done.index("filed") < done.index("analysed") < done.index("routed"), done
    told_pending = {r.ref for r in residents if "the review team" in r.filing_reply}
    assert told_pending == late

    # Every outbound text sent through the API once (rows and the fake Twilio's requests), none
    # twice; "routed_later" once for each late report, to its reporter, and none for the others.
    created = twilio.created
    assert len(outbound) == len(created)
    assert {o.status for o in outbound} == {OutboundStatus.SENT}
    pairs = Counter((m["To"], m["Body"]) for m in created)
    assert max(pairs.values(), default=1) == 1, [p for p, n in pairs.items() if n > 1]
    phone_of = {r.ref: r.phone for r in residents}
    told_later: Counter[str] = Counter()
    for message in created:
        if "has now gone to" in message["Body"] and (found := REF.search(message["Body"])):
            told_later[found.group(0)] += 1
            assert message["To"] == phone_of[found.group(0)]
    assert told_later == Counter(late)
    # Nor did a resident get any reply twice, TwiML and API together.
    for resident in residents:
        received = Counter(
            resident.replies + [m["Body"] for m in created if m["To"] == resident.phone]
        )
        assert max(received.values()) == 1, (resident.number, received)

    # Each story analysed by one job; every job done, none failed; both workers took jobs.
    assert {j.state for j in jobs} == {JobState.DONE}
    analysed = [j.key for j in jobs if j.kind == "analyse"]
    assert sorted(analysed) == sorted(
        store.vault.text_key(r.story, context="analyse") for r in residents
    )
    assert sum(j.kind == "file" for j in jobs) == len(late)
    pids = {int((j.claimed_by or "::").split(":")[-2]) for j in jobs}
    assert pids == {run.fleet.pid("worker1"), run.fleet.pid("worker2")}
    return len(late)


def queue_figures(run: ScaleRun, store: Store) -> str:
    """When each worker did its first job (seconds after the first text: its models loaded),
    how many jobs each did, and each kind's wait from queued to done (median, max)."""
    with store.reading() as session:
        jobs = session.exec(select(ModelJob)).all()
    first: dict[str, float] = {}
    done_by: Counter[str] = Counter()
    waits: dict[str, list[float]] = {}
    for job in jobs:
        worker = (job.claimed_by or "::").split(":")[-2]
        done_by[worker] += 1
        since_start = (job.updated_at - run.started_at).total_seconds()
        first[worker] = min(first.get(worker, since_start), since_start)
        waits.setdefault(job.kind, []).append((job.updated_at - job.created_at).total_seconds())
    workers = ", ".join(
        f"pid {w}: first done at +{first[w]:.1f} s, {n} jobs" for w, n in sorted(done_by.items())
    )
    kinds = ", ".join(
        f"{kind} {len(w)} (wait p50 {statistics.median(w):.1f} s, max {max(w):.1f} s)"
        for kind, w in sorted(waits.items())
    )
    return f"workers: {workers}; jobs: {kinds}"
