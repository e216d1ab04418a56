"""The queue of model work (issue 15): web processes enqueue texts, the worker claims them under
a lease and stores the results, which the web processes then read by key.

A job's key is the vault's keyed HMAC of its text (`Vault.text_key`), so equal texts make one
job and one result. The text is sealed under the master keys while the job waits and dropped
once it is done or has failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, null, update
from sqlmodel import Session, col, select

from flows.models import ModelJob
from flows.privacy import ShreddedError
from flows.statuses import JobState
from flows.store.base import QueryGroup

# Tries per job, counted at each claim: a text that kills its worker (or keeps failing) is
# given up after this many, so a poison text cannot stop the workers forever.
MAX_ATTEMPTS = 3
_ERROR_LENGTH = 200
_UNFINISHED = (JobState.QUEUED, JobState.RUNNING)
_FINISHED = (JobState.DONE, JobState.FAILED)


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    key: str
    # Unsealed only here, for the worker that holds the lease.
    text: str
    priority: int
    contact_id: int | None
    inbound_id: int | None
    attempts: int


class ModelJobQueries(QueryGroup):
    def enqueue(
        self,
        *,
        kind: str,
        key: str,
        text: str,
        priority: int = 1,
        contact_id: int | None = None,
        inbound_id: int | None = None,
        session: Session | None = None,
    ) -> bool:
        """Queue `text` for the worker under `key` (`vault.text_key(...)`); True when a job was
        made. A key already queued, running or done makes none; nor does one that failed: a
        failed job is not queued again (its caller falls back instead of retrying forever).

        With `session`, the job is part of the caller's transaction (rolled back with it)."""
        now = self._db.clock.now()
        values = {
            "kind": kind,
            "key": key,
            "priority": priority,
            "payload_enc": self._db.vault.seal(text),
            "contact_id": contact_id,
            "inbound_id": inbound_id,
            "state": JobState.QUEUED,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        if session is not None:
            return self._db.insert_ignoring_conflicts(session, ModelJob, values)
        with self._db.transaction() as own:
            return self._db.insert_ignoring_conflicts(own, ModelJob, values)

    def claim(
        self, *, worker: str, limit: int, lease: timedelta, now: datetime | None = None
    ) -> list[ClaimedJob]:
        """Atomically take up to `limit` jobs, in (priority, id) order: queued ones, and running
        ones whose lease has passed (their worker died). Each is marked running by `worker`
        (a name unique to the process) until `now + lease`, its attempts counted.

        A job whose lease passed on its last allowed attempt, or whose text cannot be unsealed
        (the master keys rotated away), is marked failed instead of returned. On PostgreSQL
        concurrent claimers skip each other's rows; on SQLite writers are serialised."""
        if lease <= timedelta(0):
            raise ValueError("a claim's lease must be positive")
        now = self._db.clock.now() if now is None else now
        claimable = (col(ModelJob.state) == JobState.QUEUED) | (
            (col(ModelJob.state) == JobState.RUNNING) & (col(ModelJob.lease_until) <= now)
        )
        query = select(ModelJob).where(claimable).order_by(col(ModelJob.priority), col(ModelJob.id))
        claimed: list[ClaimedJob] = []
        with self._db.transaction() as session:
            # Again while jobs were given up, so that poison jobs do not take the batch's places.
            while len(claimed) < limit:
                wanted = limit - len(claimed)
                rows = session.exec(self._db.claiming(query.limit(wanted), of=ModelJob)).all()
                given_up = 0
                for job in rows:
                    taken = self._take(job, worker=worker, until=now + lease, now=now)
                    if taken is None:
                        given_up += 1
                    else:
                        claimed.append(taken)
                    session.add(job)
                if not given_up or len(rows) < wanted:
                    break
                session.flush()
        return claimed

    def _take(
        self, job: ModelJob, *, worker: str, until: datetime, now: datetime
    ) -> ClaimedJob | None:
        """Mark a claimable job running by `worker`, or failed (None) when it cannot be run."""
        assert job.id is not None
        error = None
        text = ""
        if job.state == JobState.RUNNING and job.attempts >= MAX_ATTEMPTS:
            error = "lease expired on the last attempt"
        else:
            try:
                if job.payload_enc is None:
                    raise ShreddedError("no payload")
                text = self._db.vault.unseal(job.payload_enc)
            except ShreddedError:
                error = "payload unreadable"
        job.updated_at = now
        if error is not None:
            job.state = JobState.FAILED
            job.payload_enc = None
            job.lease_until = None
            job.error = error
            return None
        job.state = JobState.RUNNING
        job.claimed_by = worker
        job.lease_until = until
        job.attempts += 1
        return ClaimedJob(
            id=job.id,
            kind=job.kind,
            key=job.key,
            text=text,
            priority=job.priority,
            contact_id=job.contact_id,
            inbound_id=job.inbound_id,
            attempts=job.attempts,
        )

    def complete(self, job_id: int, *, worker: str, result: dict[str, Any]) -> bool:
        """Store a job's result (done, its text dropped); False when `worker` no longer holds it
        (its lease was taken over: the new holder's identical result will be stored)."""
        return self.complete_many([(job_id, result)], worker=worker) == 1

    def complete_many(self, done: Sequence[tuple[int, dict[str, Any]]], *, worker: str) -> int:
        """`complete` for a batch, in one transaction; how many were still held by `worker`."""
        if not done:
            return 0
        now = self._db.clock.now()
        stored = 0
        with self._db.transaction() as session:
            for job_id, result in done:
                outcome = session.connection().execute(
                    update(ModelJob)
                    .where(*self._held(job_id, worker))
                    .values(
                        state=JobState.DONE,
                        result=result,
                        payload_enc=None,
                        lease_until=None,
                        error=None,
                        updated_at=now,
                    )
                )
                stored += outcome.rowcount
        return stored

    def fail(self, job_id: int, *, worker: str, error: str) -> None:
        """An attempt failed: the job is queued again, or failed (its text dropped) after its
        last allowed attempt. `error` is an exception's class name, never a text. Nothing
        happens when `worker` no longer holds the job."""
        exhausted = col(ModelJob.attempts) >= MAX_ATTEMPTS
        with self._db.transaction() as session:
            session.connection().execute(
                update(ModelJob)
                .where(*self._held(job_id, worker))
                .values(
                    state=case((exhausted, JobState.FAILED.value), else_=JobState.QUEUED.value),
                    payload_enc=case((exhausted, null()), else_=col(ModelJob.payload_enc)),
                    lease_until=None,
                    error=error[:_ERROR_LENGTH],
                    updated_at=self._db.clock.now(),
                )
            )

    @staticmethod
    def _held(job_id: int, worker: str) -> tuple[Any, ...]:
        return (
            col(ModelJob.id) == job_id,
            col(ModelJob.state) == JobState.RUNNING,
            col(ModelJob.claimed_by) == worker,
        )

    def results(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The results of the done jobs among `keys`, by key."""
        if not keys:
            return {}
        with self._db.reading() as session:
            rows = session.exec(
                select(ModelJob.key, ModelJob.result).where(
                    col(ModelJob.key).in_(list(keys)), col(ModelJob.state) == JobState.DONE
                )
            ).all()
        return {key: dict(result) for key, result in rows if result is not None}

    def outcomes(self, keys: Sequence[str]) -> dict[str, tuple[str, dict[str, Any] | None]]:
        """Each known key's job state ("queued", "running", "done", "failed") and its result
        (a done job's), in one read: what a waiting caller polls. Unknown keys are left out."""
        if not keys:
            return {}
        with self._db.reading() as session:
            rows = session.exec(
                select(ModelJob.key, ModelJob.state, ModelJob.result).where(
                    col(ModelJob.key).in_(list(keys))
                )
            ).all()
        return {
            key: (str(state), dict(result) if result is not None else None)
            for key, state, result in rows
        }

    def states(self, keys: Sequence[str]) -> dict[str, str]:
        """Each known key's job state; unknown keys are left out."""
        return {key: state for key, (state, _) in self.outcomes(keys).items()}

    def hasten(self, keys: Sequence[str], *, priority: int = 0) -> int:
        """Move still-queued jobs among `keys` up to `priority` (someone now waits for them);
        how many moved."""
        if not keys:
            return 0
        with self._db.transaction() as session:
            outcome = session.connection().execute(
                update(ModelJob)
                .where(
                    col(ModelJob.key).in_(list(keys)),
                    col(ModelJob.state) == JobState.QUEUED,
                    col(ModelJob.priority) > priority,
                )
                .values(priority=priority, updated_at=self._db.clock.now())
            )
        return int(getattr(outcome, "rowcount", 0) or 0)

    def purge(self, *, finished_before: datetime) -> int:
        """Delete the done and failed jobs last changed before `finished_before`; how many."""
        with self._db.transaction() as session:
            outcome = session.connection().execute(
                delete(ModelJob).where(
                    col(ModelJob.state).in_(_FINISHED),
                    col(ModelJob.updated_at) < finished_before,
                )
            )
        return outcome.rowcount

    def pending(self) -> int:
        """How many jobs are queued or running (health, metrics)."""
        with self._db.reading() as session:
            return session.exec(
                select(func.count())
                .select_from(ModelJob)
                .where(col(ModelJob.state).in_(_UNFINISHED))
            ).one()


def forget_contact_jobs(session: Session, *, contact_id: int, now: datetime) -> None:
    """Erasure: the contact's jobs are failed with their text and result dropped (a result is
    derived from their words). Failed, not deleted: a caller waiting on one stops waiting."""
    session.connection().execute(
        update(ModelJob)
        .where(col(ModelJob.contact_id) == contact_id)
        .values(
            state=JobState.FAILED,
            payload_enc=None,
            result=None,
            lease_until=None,
            error="erased",
            updated_at=now,
        )
    )
