"""The queue of model work (issue 15), on SQLite and PostgreSQL (the `store` fixture runs each
test on both)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text as sql
from sqlmodel import select

from flows.clocks import FixedClock
from flows.models import ModelJob
from flows.privacy import Vault
from flows.store import Store, make_engine
from flows.store.model_jobs import MAX_ATTEMPTS

LEASE = timedelta(minutes=1)
WORDS = "the damp in flat 12 is making my son ill"


def _job(store: Store, key: str) -> ModelJob:
    with store.reading() as session:
        return session.exec(select(ModelJob).where(ModelJob.key == key)).one()


def _raw_rows(store: Store) -> str:
    """Every stored column of every job, as the database holds them."""
    with store.engine.connect() as connection:
        return repr(connection.execute(sql("SELECT * FROM model_job")).all())


def _enqueue(store: Store, name: str, *, priority: int = 1, text: str | None = None) -> str:
    key = store.vault.text_key(text or name, context="analyse")
    assert store.model_jobs.enqueue(kind="analyse", key=key, text=text or name, priority=priority)
    return key


def test_enqueue_is_idempotent_by_key(store: Store) -> None:
    contact = store.contacts.get_or_create(channel="sms", address="+15551234567")
    key = store.vault.text_key(WORDS, context="screen")
    assert store.model_jobs.enqueue(
        kind="screen", key=key, text=WORDS, contact_id=contact.id, inbound_id=7, priority=0
    )
    assert not store.model_jobs.enqueue(kind="screen", key=key, text=WORDS)
    assert store.model_jobs.pending() == 1
    job = _job(store, key)
    assert (job.kind, job.priority, job.contact_id, job.inbound_id) == ("screen", 0, contact.id, 7)
    assert (job.state, job.attempts, job.result, job.lease_until) == ("queued", 0, None, None)


def test_the_text_is_stored_sealed_and_dropped_once_done_or_failed(store: Store) -> None:
    done_key = _enqueue(store, "done", text=WORDS)
    failed_key = _enqueue(store, "failed", text="my landlord shouted at me")
    assert "damp" not in _raw_rows(store) and "landlord" not in _raw_rows(store)
    assert store.vault.unseal(_job(store, done_key).payload_enc or "") == WORDS
    jobs = {job.key: job for job in store.model_jobs.claim(worker="w1", limit=5, lease=LEASE)}
    assert jobs[done_key].text == WORDS
    assert store.model_jobs.complete(jobs[done_key].id, worker="w1", result={"category": "damp"})
    for _ in range(MAX_ATTEMPTS - 1):
        store.model_jobs.fail(jobs[failed_key].id, worker="w1", error="RuntimeError")
        assert _job(store, failed_key).payload_enc is not None  # queued again, text kept
        [jobs[failed_key]] = store.model_jobs.claim(worker="w1", limit=5, lease=LEASE)
    store.model_jobs.fail(jobs[failed_key].id, worker="w1", error="RuntimeError")
    done, failed = _job(store, done_key), _job(store, failed_key)
    assert (done.state, done.payload_enc, done.lease_until) == ("done", None, None)
    assert (failed.state, failed.payload_enc, failed.lease_until) == ("failed", None, None)
    assert failed.attempts == MAX_ATTEMPTS and failed.error == "RuntimeError"
    assert store.model_jobs.pending() == 0
    assert store.model_jobs.claim(worker="w1", limit=5, lease=LEASE) == []


def test_claim_takes_the_lowest_priority_first_then_the_oldest(store: Store) -> None:
    late = _enqueue(store, "late", priority=2)
    first = _enqueue(store, "first", priority=1)
    second = _enqueue(store, "second", priority=1)
    urgent = _enqueue(store, "urgent", priority=0)
    batch = store.model_jobs.claim(worker="w1", limit=3, lease=LEASE)
    assert [job.key for job in batch] == [urgent, first, second]
    assert [job.text for job in batch] == ["urgent", "first", "second"]
    assert {job.attempts for job in batch} == {1}
    row = _job(store, urgent)
    assert (row.state, row.claimed_by, row.attempts) == ("running", "w1", 1)
    assert row.lease_until == store.clock.now() + LEASE
    assert [job.key for job in store.model_jobs.claim(worker="w2", limit=3, lease=LEASE)] == [late]
    assert store.model_jobs.pending() == 4


def test_a_dead_workers_job_is_taken_over_and_a_poison_text_given_up(
    store: Store, clock: FixedClock
) -> None:
    poison = _enqueue(store, "poison")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [job] = store.model_jobs.claim(worker=f"w{attempt}", limit=1, lease=LEASE)
        assert job.key == poison and job.attempts == attempt
        clock.advance(LEASE - timedelta(seconds=1))
        assert store.model_jobs.claim(worker="other", limit=1, lease=LEASE) == []  # still held
        clock.advance(timedelta(seconds=1))  # the worker died: its lease runs out
    # Found expired on its last attempt: failed, not handed to a fourth worker.
    assert store.model_jobs.claim(worker="w4", limit=1, lease=LEASE) == []
    row = _job(store, poison)
    assert (row.state, row.payload_enc, row.attempts) == ("failed", None, MAX_ATTEMPTS)
    assert store.model_jobs.states([poison]) == {poison: "failed"}
    # A failed text is not queued again.
    assert not store.model_jobs.enqueue(kind="analyse", key=poison, text="poison")
    assert store.model_jobs.states([poison]) == {poison: "failed"}


def test_a_worker_that_lost_its_lease_neither_completes_nor_fails_the_job(
    store: Store, clock: FixedClock
) -> None:
    key = _enqueue(store, "slow")
    other = _enqueue(store, "other")
    [slow, mine] = store.model_jobs.claim(worker="w1", limit=2, lease=LEASE)
    clock.advance(LEASE)
    [taken, _] = store.model_jobs.claim(worker="w2", limit=2, lease=LEASE)
    assert taken.id == slow.id and taken.attempts == 2
    assert not store.model_jobs.complete(slow.id, worker="w1", result={"stale": True})
    store.model_jobs.fail(slow.id, worker="w1", error="TimeoutError")
    row = _job(store, key)
    assert (row.state, row.claimed_by, row.error) == ("running", "w2", None)
    # A batch counts only the jobs its worker still holds.
    done = [(slow.id, {"by": "w1"}), (mine.id, {"by": "w1"})]
    assert store.model_jobs.complete_many(done, worker="w1") == 0  # both taken over by w2
    assert store.model_jobs.complete_many([(slow.id, {"by": "w2"})], worker="w2") == 1
    assert store.model_jobs.results([key, other]) == {key: {"by": "w2"}}
    assert store.model_jobs.complete_many([], worker="w2") == 0


def test_fail_queues_the_job_again_until_its_last_attempt(store: Store) -> None:
    key = _enqueue(store, "flaky")
    for attempt in range(1, MAX_ATTEMPTS):
        [job] = store.model_jobs.claim(worker="w1", limit=1, lease=LEASE)
        store.model_jobs.fail(job.id, worker="w1", error="x" * 500)
        row = _job(store, key)
        assert (row.state, row.attempts, row.lease_until) == ("queued", attempt, None)
        assert row.error == "x" * 200
    [job] = store.model_jobs.claim(worker="w1", limit=1, lease=LEASE)
    store.model_jobs.fail(job.id, worker="w1", error="MemoryError")
    row = _job(store, key)
    assert (row.state, row.attempts, row.payload_enc, row.error) == (
        "failed",
        MAX_ATTEMPTS,
        None,
        "MemoryError",
    )


def test_results_and_states_by_key(store: Store) -> None:
    done, running, queued = (_enqueue(store, name) for name in ("done", "running", "queued"))
    [first, _] = store.model_jobs.claim(worker="w1", limit=2, lease=LEASE)
    assert first.key == done
    result = {"category": "repairs", "scores": [0.5, 0.25], "nested": {"ok": True}}
    assert store.model_jobs.complete(first.id, worker="w1", result=result)
    keys = [done, running, queued, "unknown"]
    assert store.model_jobs.results(keys) == {done: result}
    assert store.model_jobs.states(keys) == {done: "done", running: "running", queued: "queued"}
    assert store.model_jobs.outcomes(keys)[done] == ("done", result)
    assert store.model_jobs.results([]) == {} and store.model_jobs.states([]) == {}


def test_purge_deletes_only_finished_jobs_older_than_the_cutoff(
    store: Store, clock: FixedClock
) -> None:
    old_done, old_failed, old_queued = (_enqueue(store, n) for n in ("done", "failed", "queued"))
    [done, failed] = store.model_jobs.claim(worker="w1", limit=2, lease=timedelta(days=9))
    store.model_jobs.complete(done.id, worker="w1", result={})
    for _ in range(MAX_ATTEMPTS - 1):
        store.model_jobs.fail(failed.id, worker="w1", error="E")
        [failed] = store.model_jobs.claim(worker="w1", limit=1, lease=timedelta(days=9))
    store.model_jobs.fail(failed.id, worker="w1", error="E")
    cutoff = clock.now() + timedelta(seconds=1)
    clock.advance(timedelta(days=1))
    recent = _enqueue(store, "recent")
    [job] = store.model_jobs.claim(worker="w1", limit=1, lease=LEASE)
    assert job.key == old_queued  # queued before "recent"; still queued after the purge
    store.model_jobs.fail(job.id, worker="w1", error="E")
    [job] = store.model_jobs.claim(worker="w1", limit=1, lease=LEASE)
    store.model_jobs.complete(job.id, worker="w1", result={})  # done after the cutoff
    assert store.model_jobs.purge(finished_before=cutoff) == 2
    states = store.model_jobs.states([old_done, old_failed, old_queued, recent])
    assert states == {old_queued: "done", recent: "queued"}


def test_enqueue_inside_a_callers_transaction_rolls_back_with_it(store: Store) -> None:
    key = store.vault.text_key(WORDS, context="analyse")
    with pytest.raises(RuntimeError), store.transaction() as session:
        assert store.model_jobs.enqueue(kind="analyse", key=key, text=WORDS, session=session)
        raise RuntimeError("the caller's write failed")
    assert store.model_jobs.states([key]) == {} and store.model_jobs.pending() == 0
    with store.transaction() as session:
        assert store.model_jobs.enqueue(kind="analyse", key=key, text=WORDS, session=session)
        assert not store.model_jobs.enqueue(kind="analyse", key=key, text=WORDS, session=session)
    assert store.model_jobs.states([key]) == {key: "queued"}


def test_a_text_sealed_under_keys_rotated_away_is_failed_not_handed_out(store: Store) -> None:
    lost = _enqueue(store, "sealed under the old key")
    rotated = Store(
        engine=store.engine, vault=Vault(keys=[Fernet.generate_key().decode()]), clock=store.clock
    )
    readable = _enqueue(rotated, "sealed under the new key")
    # The unreadable job does not take the batch's only place.
    [job] = rotated.model_jobs.claim(worker="w1", limit=1, lease=LEASE)
    assert job.key == readable and job.text == "sealed under the new key"
    row = _job(store, lost)
    assert (row.state, row.payload_enc, row.error) == ("failed", None, "payload unreadable")


def test_racing_workers_claim_every_job_exactly_once(store: Store, database_url: str) -> None:
    """A real race (on PostgreSQL, FOR UPDATE SKIP LOCKED; on SQLite, the serialised writer):
    two workers, each with its own engine, start together on 50 jobs."""
    keys = {_enqueue(store, f"text {n}") for n in range(50)}
    second_engine = make_engine(database_url, pool_size=2)
    stores = [store, Store(engine=second_engine, vault=store.vault, clock=store.clock)]
    claimed: dict[str, list[str]] = {"a": [], "b": []}
    stored: dict[str, int] = {"a": 0, "b": 0}
    barrier = threading.Barrier(2)

    def work(worker: str, worker_store: Store) -> None:
        barrier.wait()
        while batch := worker_store.model_jobs.claim(worker=worker, limit=3, lease=LEASE):
            claimed[worker].extend(job.key for job in batch)
            done = [(job.id, {"by": worker}) for job in batch]
            stored[worker] += worker_store.model_jobs.complete_many(done, worker=worker)

    threads = [
        threading.Thread(target=work, args=(worker, worker_store))
        for worker, worker_store in zip(claimed, stores, strict=True)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        second_engine.dispose()
    assert not set(claimed["a"]) & set(claimed["b"])
    assert set(claimed["a"]) | set(claimed["b"]) == keys
    assert len(claimed["a"]) + len(claimed["b"]) == 50 == stored["a"] + stored["b"]
    results = store.model_jobs.results(sorted(keys))
    assert {key: result["by"] for key, result in results.items()} == {
        key: worker for worker, taken in claimed.items() for key in taken
    }


def test_erasing_a_contact_drops_the_texts_and_results_of_their_jobs(store: Store) -> None:
    contact = store.contacts.get_or_create(channel="sms", address="+15551234567")
    other = store.contacts.get_or_create(channel="sms", address="+15557654321")
    keys = [store.vault.text_key(f"{WORDS} {n}", context="screen") for n in range(3)]
    for n, key in enumerate(keys):
        store.model_jobs.enqueue(kind="screen", key=key, text=f"{WORDS} {n}", contact_id=contact.id)
    theirs = store.vault.text_key(WORDS, context="screen")
    store.model_jobs.enqueue(kind="screen", key=theirs, text=WORDS, contact_id=other.id)
    done, running = store.model_jobs.claim(worker="w1", limit=2, lease=LEASE)
    store.model_jobs.complete(done.id, worker="w1", result={"place": "flat 12"})
    with store.transaction() as session:
        store.contacts.erase(contact.id or 0, session=session)
    assert store.model_jobs.states([*keys, theirs]) == {
        **dict.fromkeys(keys, "failed"),
        theirs: "queued",
    }
    assert "flat 12" not in _raw_rows(store) and store.model_jobs.results(keys) == {}
    assert all(_job(store, key).payload_enc is None for key in keys)
    assert not store.model_jobs.complete(running.id, worker="w1", result={})
    assert [job.key for job in store.model_jobs.claim(worker="w1", limit=5, lease=LEASE)] == [
        theirs
    ]
