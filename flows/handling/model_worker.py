"""The worker: the one kind of process that holds the models, doing the model work the web
processes queue in the database (`flows/handling/queued_analysis.py`).

Each pass claims up to `batch_size` jobs (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so any number
of workers share the queue and none takes another's job; a worker that dies leaves leases that
expire, and its jobs are claimed again) and does them:

- "analyse" / "answer": the analysis of story texts (with categories) and of answers (personal
  data and places only), in one `analyse_batch` per kind: one spaCy pipe and one encoder pass
  cost about half as much per text as one call each. The result is the `Analysis` as stored in
  a report: the redacted text and spans, never the raw words.
- "file": a report filed before its analysis was ready, analysed and routed now
  (`flows/reports/late_filing.py`).
- "screen" / "screen-answer": the full screening of a text the web process answered with the
  model-free one (a story's text with its category; any other text for urgency only), all of a
  pass's in one `screen_batch`: one pass of each model costs far less per text than one call
  each. What it adds (a more urgent reading, a category the classifier is sure of) goes to the
  conversation (`ConversationRunner.screened`), whose reply goes by the outbox.

A job that fails is retried by a later pass (the queue gives up after a few attempts, so one
text that breaks a model cannot stop the others).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, Protocol

from flows.conversation.events import Screening
from flows.conversation.state import most_urgent
from flows.handling.effect_prep import Analyser
from flows.handling.queued_analysis import (
    ANALYSE,
    ANSWER,
    SCREEN,
    SCREEN_ANSWER,
    ResultsFirst,
    Screener,
)
from flows.reports.late_filing import FILE, LateFiling
from flows.store import Store
from flows.store.model_jobs import ClaimedJob

log = logging.getLogger(__name__)

BATCH_SIZE = 8
# A pass over 8 long stories takes well under 10 s even on a busy core; a lease twice the
# longest pass is only ever outlived by a worker that died (or stopped for that long).
LEASE = timedelta(seconds=60)
IDLE_SECONDS = 0.05

# (contact id, the full screening, whether it reads another language than the light one)
ScreenedHook = Callable[[int, Screening, bool], None]


class Models(Analyser, Protocol):
    """What the worker's models do (`nlp.analyse.Analyser`)."""

    def screen_batch(
        self, texts: Sequence[str], *, categorise: Sequence[bool] | None = None
    ) -> list[Screening]: ...


def adds_to(full: Screening, light: Screening) -> bool:
    """Whether the full screening tells the conversation something its reply did not know: a
    more urgent reading, a sure category, another language (n-grams over the lexicon)."""
    more_urgent = most_urgent(light.urgency, full.urgency) != light.urgency
    return more_urgent or full.category is not None or full.language != light.language


class ModelWorker:
    def __init__(
        self,
        *,
        store: Store,
        analyser: Models,
        screener: Screener,
        on_screened: ScreenedHook,
        late_filing: LateFiling,
        name: str,
        batch_size: int = BATCH_SIZE,
        lease: timedelta = LEASE,
    ) -> None:
        self._store = store
        self._analyser = analyser
        self._screener = screener
        self._on_screened = on_screened
        self._late_filing = late_filing
        self._results_first = ResultsFirst(store=store, models=analyser)
        self._name = name
        self._batch_size = batch_size
        self._lease = lease

    def run_once(self) -> int:
        """One pass: claim jobs, do them, store the results; how many jobs were claimed."""
        jobs = self._store.model_jobs.claim(
            worker=self._name, limit=self._batch_size, lease=self._lease
        )
        by_kind: dict[str, list[ClaimedJob]] = defaultdict(list)
        for job in jobs:
            # Both kinds of screening in one batch.
            by_kind[SCREEN if job.kind == SCREEN_ANSWER else job.kind].append(job)
        for kind, claimed in by_kind.items():
            try:
                self._do(kind, claimed)
            except Exception as exc:
                # The class only: a model's message may quote the text it read.
                log.error(
                    "model work failed (%s, %d jobs): %s", kind, len(claimed), type(exc).__name__
                )
                for job in claimed:
                    self._store.model_jobs.fail(job.id, worker=self._name, error=type(exc).__name__)
        return len(jobs)

    def run_forever(self, *, stop: threading.Event, idle_seconds: float = IDLE_SECONDS) -> None:
        """Work until `stop` is set, sleeping `idle_seconds` whenever the queue is empty."""
        while not stop.is_set():
            try:
                claimed = self.run_once()
            except Exception:
                # The database went away for a moment: the jobs stay queued.
                log.exception("claiming model work failed")
                claimed = 0
            if not claimed:
                stop.wait(idle_seconds)

    def _do(self, kind: str, jobs: Sequence[ClaimedJob]) -> None:
        if kind in (ANALYSE, ANSWER):
            texts = [job.text for job in jobs]
            analyses = self._analyser.analyse_batch(texts, categorise=kind == ANALYSE)
            done = [(job.id, a.to_dict()) for job, a in zip(jobs, analyses, strict=True)]
            self._store.model_jobs.complete_many(done, worker=self._name)
        elif kind == FILE:
            for job in jobs:
                routed = self._late_filing.complete(job.text, analyser=self._results_first)
                self._store.model_jobs.complete(
                    job.id, worker=self._name, result={"routed": routed}
                )
        elif kind == SCREEN:
            fulls = self._analyser.screen_batch(
                [job.text for job in jobs], categorise=[job.kind == SCREEN for job in jobs]
            )
            for job, full in zip(jobs, fulls, strict=True):
                # Each done as soon as the conversation has it: a later job's failure must not
                # make the worker tell a conversation the same thing twice.
                result = self._screened(job, full)
                self._store.model_jobs.complete(job.id, worker=self._name, result=result)
        else:
            raise ValueError(f"unknown kind of model work: {kind!r}")

    def _screened(self, job: ClaimedJob, full: Screening) -> dict[str, Any]:
        light = self._screener.screen(job.text)
        if job.contact_id is not None and adds_to(full, light):
            self._on_screened(job.contact_id, full, full.language != light.language)
        return {"urgency": full.urgency, "category": full.category}
