"""The analyser of a process without models (a web process): model work goes through the
database to the worker process, and the answer comes back the same way.

- `screen` is the model-free screening (`nlp.light_screen`: the lexicon, the gazetteer, the
  language): the reply to every text goes out without waiting for a model. When that text has
  words of substance, `request_full_screen` queues the full screening in the transaction that
  answers it; the worker feeds anything it adds (a crisis in indirect words, a sure category)
  back to the conversation (`ConversationRunner.screened`), its reply by the outbox.
- `prefetch` queues a story's analysis once the story is complete (in the same transaction),
  so that whichever web process files the report finds it done.
- `analyse_batch` queues what is not queued yet, ahead of the analyses nobody waits for, and
  waits for the results up to `wait_seconds`; past that it raises `AnalysisNotReady` and the
  caller decides (filing goes on without it: `flows/handling/effect_prep.py`).

Jobs are keyed by an HMAC of the text (`Vault.text_key`), so equal texts are analysed once and
no plain hash of a resident's words is stored; the text itself is sealed in the job and dropped
when the job is done (`flows/store/model_jobs.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

from sqlmodel import Session

from flows.conversation.events import Screening
from flows.reports.filing import Part
from flows.store import Store
from nlp.types import Analysis

# What a job is for: the worker analyses "analyse" jobs with categories, "answer" jobs for
# personal data and places only (place and time answers, additions); it screens "screen" jobs
# (a story's text: urgency and the category) and "screen-answer" jobs (any other text with
# words of substance: urgency only, a category would be noise).
ANALYSE, ANSWER, SCREEN, SCREEN_ANSWER = "analyse", "answer", "screen", "screen-answer"
# A request is waiting for these (a filing's short wait, a moderator's redaction): first.
# Everything else, in the order it was queued: a screening, an analysis ahead and a late
# filing are all waited for by the outbox, not a request, and the order keeps an analysis
# ahead before the filing that reads it (a late filing first would analyse its story itself).
WAITED_FOR, IN_TURN = 0, 1
# A sender texting back to back (flows/handling/sender_limits.py `busy`): their model work goes
# after everyone else's, so that a flood does not make other residents' filings wait.
LATER = 2
POLL_SECONDS = 0.02
MAX_POLL_SECONDS = 0.1


class AnalysisNotReady(TimeoutError):
    """The worker has not analysed these texts in time (busy, or no worker is running)."""


class Screener(Protocol):
    def screen(self, text: str) -> Screening: ...


class Analyser(Protocol):
    def analyse_batch(self, texts: Sequence[str], *, categorise: bool = True) -> list[Analysis]: ...


def job_kind(categorise: bool) -> str:
    return ANALYSE if categorise else ANSWER


class QueuedAnalyser:
    """An `Analyser` (flows/handling/effect_prep.py) whose models run in the worker process."""

    def __init__(
        self,
        *,
        store: Store,
        screener: Screener,
        wait_seconds: float,
        poll_seconds: float = POLL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self._screener = screener
        self._wait_seconds = wait_seconds
        self._poll_seconds = poll_seconds
        self._monotonic = monotonic
        self._sleep = sleep

    def screen(self, text: str) -> Screening:
        return self._screener.screen(text)

    def request_full_screen(
        self,
        session: Session,
        *,
        contact_id: int,
        inbound_id: int,
        text: str,
        screening: Screening,
        story: bool = True,
        later: bool = False,
    ) -> None:
        """Queue the full screening of an inbound text, in the transaction answering it. A text
        with no word of substance ("1", "ok", an emoji) has nothing for the models to find.
        `story`: the text joined a story (its category may shape the questions)."""
        if screening.no_story:
            return
        self._store.model_jobs.enqueue(
            kind=SCREEN if story else SCREEN_ANSWER,
            key=self.key(str(inbound_id), kind=SCREEN),
            text=text,
            priority=LATER if later else IN_TURN,
            contact_id=contact_id,
            inbound_id=inbound_id,
            session=session,
        )

    def prefetch(
        self,
        texts: Sequence[str],
        *,
        categorise: bool = True,
        session: Session | None = None,
        contact_id: int | None = None,
        later: bool = False,
    ) -> None:
        """Queue the analysis of `texts` for later (nobody waits for it yet). `contact_id`:
        whose words they are (erasing them drops the job)."""
        self._enqueue(
            texts,
            kind=job_kind(categorise),
            priority=LATER if later else IN_TURN,
            session=session,
            contact_id=contact_id,
        )

    def analyse(self, text: str) -> Analysis:
        return self.analyse_batch([text])[0]

    def analyse_batch(
        self,
        texts: Sequence[str],
        *,
        categorise: bool = True,
        wait_seconds: float | None = None,
    ) -> list[Analysis]:
        return self.analyse_parts([(texts, categorise)], wait_seconds=wait_seconds)[0]

    def analyse_parts(
        self, parts: Sequence[Part], *, wait_seconds: float | None = None
    ) -> list[list[Analysis]]:
        """`analyse_batch` for each (texts, categorise) part, with one wait for all of them: a
        filing's story and its answers are asked for together (`WaitsOnce`)."""
        keyed = [[self.key(text, kind=job_kind(c)) for text in texts] for texts, c in parts]
        keys = [key for part in keyed for key in part]
        if not keys:
            return [[] for _ in parts]
        found = self._store.model_jobs.results(keys)
        if len(found) < len(set(keys)):
            for (texts, categorise), part_keys in zip(parts, keyed, strict=True):
                if any(key not in found for key in part_keys):
                    self._enqueue(texts, kind=job_kind(categorise), priority=WAITED_FOR)
            # Queued ahead and not started yet: waited for now, so it goes first.
            self._store.model_jobs.hasten([k for k in keys if k not in found])
            found = self._wait(keys, found, wait_seconds)
        return [[Analysis.from_dict(found[key]) for key in part] for part in keyed]

    def key(self, text: str, *, kind: str) -> str:
        return self._store.vault.text_key(text, context=kind)

    def _enqueue(
        self,
        texts: Sequence[str],
        *,
        kind: str,
        priority: int,
        session: Session | None = None,
        contact_id: int | None = None,
    ) -> None:
        jobs = self._store.model_jobs
        for text in dict.fromkeys(texts):
            # A job queued ahead and now waited for keeps its place: the worker takes it soon.
            jobs.enqueue(
                kind=kind,
                key=self.key(text, kind=kind),
                text=text,
                priority=priority,
                contact_id=contact_id,
                session=session,
            )

    def _wait(
        self, keys: Sequence[str], found: dict[str, dict[str, object]], wait: float | None
    ) -> dict[str, dict[str, object]]:
        deadline = self._monotonic() + (self._wait_seconds if wait is None else wait)
        wanted = set(keys)
        pause = self._poll_seconds
        while True:
            missing = wanted - found.keys()
            if not missing:
                return found
            if self._monotonic() >= deadline:
                raise AnalysisNotReady(f"{len(missing)} of {len(wanted)} analyses not ready")
            self._sleep(pause)
            # Each wait polls less often the longer it waits: when the worker is behind, many
            # filings wait at once, and their polls would take the database's time from it.
            pause = min(pause * 2, MAX_POLL_SECONDS)
            outcomes = self._store.model_jobs.outcomes(sorted(missing))
            if any(state == "failed" for state, _ in outcomes.values()):
                raise AnalysisNotReady("the worker could not analyse a text")
            found = {
                **found,
                **{key: result for key, (_, result) in outcomes.items() if result is not None},
            }


class ResultsFirst:
    """The worker's analyser for work that needs a text's analysis (a late filing): one that
    another job made already is read from the queue, not redone with `models`."""

    def __init__(self, *, store: Store, models: Analyser) -> None:
        self._store = store
        self._models = models

    def analyse_batch(self, texts: Sequence[str], *, categorise: bool = True) -> list[Analysis]:
        kind = job_kind(categorise)
        keys = [self._store.vault.text_key(text, context=kind) for text in texts]
        found = self._store.model_jobs.results(keys)
        missing = [text for text, key in zip(texts, keys, strict=True) if key not in found]
        fresh = iter(self._models.analyse_batch(missing, categorise=categorise) if missing else [])
        return [Analysis.from_dict(found[key]) if key in found else next(fresh) for key in keys]
