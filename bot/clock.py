"""The scheduler: recurring jobs that move the system forward in time.

In production the `clock` process (exactly one) runs these with APScheduler, its job store in the
same database; on the embedded default `cpps serve` runs them in-process. Every job is safe to run
twice at once: the work is claimed row by row in the database, so a second clock started by
mistake sends nothing twice. `cpps clock --once` runs one pass of every job and exits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[], object]
    every_seconds: float


def run_once(jobs: list[Job]) -> dict[str, object]:
    """One pass of every job, in order; a failing job is logged and the others still run."""
    results: dict[str, object] = {}
    for job in jobs:
        try:
            results[job.id] = job.run()
        except Exception:
            log.exception("job %s failed", job.id)
            results[job.id] = "failed"
    return results


def build_scheduler(
    *, jobs: list[Job], blocking: bool, database_url: str | None = None
) -> BaseScheduler:
    """An APScheduler with one interval trigger per job.

    With a `database_url` the job store is SQLAlchemy on that database, so the schedule itself
    survives restarts; jobs are referenced by text (module:function) there, which is why they are
    registered through `_run_registered` by id.
    """
    jobstores: dict[str, object]
    if database_url:
        jobstores = {"default": SQLAlchemyJobStore(url=database_url, tablename="apscheduler_jobs")}
    else:
        jobstores = {"default": MemoryJobStore()}
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(
        jobstores=jobstores,
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone="UTC",
    )
    _REGISTRY.clear()
    for job in jobs:
        _REGISTRY[job.id] = job.run
        scheduler.add_job(
            _run_registered,
            trigger="interval",
            seconds=job.every_seconds,
            args=[job.id],
            id=job.id,
            replace_existing=True,
        )
    return scheduler


# Persistent job stores pickle the callable's reference, not closures: jobs are looked up by id.
_REGISTRY: dict[str, Callable[[], object]] = {}


def _run_registered(job_id: str) -> None:
    run = _REGISTRY.get(job_id)
    if run is None:
        log.warning("no job registered as %s in this process", job_id)
        return
    try:
        run()
    except Exception:
        log.exception("job %s failed", job_id)
