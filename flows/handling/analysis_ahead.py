"""Analysing a report while its questions are still being asked, so filing does not wait for it.

The full analysis (spaCy, the sentence encoder, redaction) is the slowest step of a conversation
(tens of milliseconds, more on a long story): run inside the webhook that files the report, it
would hold up that reply. But the story is complete several texts earlier: once the reporter
answers the first question, later texts are answers, not story. `PrefetchingAnalyser.prefetch`
starts the analysis then, on one background thread; at filing `analyse_batch` takes the finished
result (or waits for the one in progress) and analyses itself what was never started or is still
queued.

Under load the background thread takes what has queued up, up to `BATCH_SIZE` texts, in one
`analyse_batch`: one spaCy pipe and one encoder pass for all of them cost about half as much per
text as one call each (measured: 16 stories in 168 ms batched, 373 ms one by one). A filing whose
text is in a batch already running waits for that batch (at most `BATCH_SIZE` texts).

Results are kept by a hash of the text, in memory only, for the most recent `max_entries` texts:
an analysis holds the redacted text and spans, never the raw words.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict, deque
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlmodel import Session

from flows.conversation.events import Screening
from flows.handling.effect_prep import Analyser
from nlp.types import Analysis

log = logging.getLogger(__name__)

# Enough for every conversation in progress on one process at any realistic load.
MAX_ENTRIES = 512
# Under a burst, beyond this many analyses waiting, a new one is not started ahead: filing then
# analyses it in its own thread, as it would without prefetching.
MAX_PENDING = 64
# Texts analysed together by the background thread, at most (see the module doc).
BATCH_SIZE = 8


def _key(text: str, categorise: bool) -> str:
    # An analysis without categories must never answer a request for one with them.
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return digest if categorise else "answer:" + digest


@dataclass(frozen=True)
class _Job:
    text: str
    categorise: bool
    future: Future[Analysis]


class PrefetchingAnalyser:
    """An `Analyser` that can start on a text before anyone asks for its analysis."""

    def __init__(
        self,
        *,
        analyser: Analyser,
        max_entries: int = MAX_ENTRIES,
        max_pending: int = MAX_PENDING,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._analyser = analyser
        self._max_entries = max_entries
        self._max_pending = max_pending
        self._results: OrderedDict[str, Future[Analysis]] = OrderedDict()
        self._pending = 0
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._queue: deque[_Job] = deque()
        self._wakeup = threading.Condition(self._lock)
        threading.Thread(target=self._work, name="analyse-ahead", daemon=True).start()

    def screen(self, text: str) -> Screening:
        return self._analyser.screen(text)

    def analyse(self, text: str) -> Analysis:
        return self.analyse_batch([text])[0]

    def analyse_batch(self, texts: Sequence[str], *, categorise: bool = True) -> list[Analysis]:
        # An analysis still waiting in the queue is taken back and done here, alongside the
        # background thread: under a burst, filing then waits for its own work, not the queue's.
        found = [self._running_or_done(_key(text, categorise)) for text in texts]
        missing = [text for text, future in zip(texts, found, strict=True) if future is None]
        fresh = iter(
            self._analyser.analyse_batch(missing, categorise=categorise) if missing else []
        )
        results: list[Analysis] = []
        for future in found:
            if future is None:
                results.append(next(fresh))
                continue
            try:
                results.append(future.result())
            except Exception:
                # The analysis ahead failed: do it here, where a failure reaches the caller.
                retry = self._analyser.analyse_batch([texts[len(results)]], categorise=categorise)
                results.extend(retry)
        return results

    def prefetch(
        self,
        texts: Iterable[str],
        *,
        categorise: bool = True,
        session: Session | None = None,
        contact_id: int | None = None,
        later: bool = False,
    ) -> None:
        """Start analysing `texts` in the background, unless already started or too busy.

        (`session`: the run's transaction, which an analysis kept in memory does not need;
        `later`: for the queue's order, which one process's pool does not have.)"""
        for text in texts:
            key = _key(text, categorise)
            with self._lock:
                if key in self._results:
                    self._results.move_to_end(key)
                    continue
                if self._pending >= self._max_pending:
                    return
                self._pending += 1
                future: Future[Analysis] = Future()
                self._results[key] = future
                while len(self._results) > self._max_entries:
                    self._results.popitem(last=False)
                self._queue.append(_Job(text, categorise, future))
                self._wakeup.notify()
            future.add_done_callback(self._finished)

    def queued(self) -> int:
        """Texts waiting for the background thread (not yet started)."""
        with self._lock:
            return sum(1 for job in self._queue if not job.future.cancelled())

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    self._wakeup.wait()
                batch = self._take_batch()
            if not batch:
                continue
            try:
                texts = [job.text for job in batch]
                analyses = self._analyser.analyse_batch(texts, categorise=batch[0].categorise)
                for job, analysis in zip(batch, analyses, strict=True):
                    job.future.set_result(analysis)
            except BaseException as exc:
                # Whoever waits on these must never wait forever: each gets the failure and
                # redoes its own text (analyse_batch above), and this thread carries on.
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(exc)

    def _take_batch(self) -> list[_Job]:
        """Up to `batch_size` queued jobs alike in `categorise`, marked running (lock held)."""
        batch: list[_Job] = []
        skipped: list[_Job] = []
        while self._queue and len(batch) < self._batch_size:
            job = self._queue.popleft()
            if batch and job.categorise != batch[0].categorise:
                skipped.append(job)  # the next batch's
            elif job.future.set_running_or_notify_cancel():
                batch.append(job)
            # else: taken back by a caller, who analyses it
        self._queue.extendleft(reversed(skipped))
        return batch

    def _finished(self, future: Future[Analysis]) -> None:
        with self._lock:
            self._pending -= 1
        if not future.cancelled() and future.exception() is not None:
            log.warning("analysing ahead failed: %s", type(future.exception()).__name__)

    def _running_or_done(self, key: str) -> Future[Analysis] | None:
        with self._lock:
            future = self._results.get(key)
        # Outside the lock: cancelling runs `_finished`, which takes it.
        if future is None or not future.cancel():
            return future
        with self._lock:
            if self._results.get(key) is future:
                del self._results[key]
        return None
