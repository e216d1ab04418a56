"""What the page, the CSV and the JSON read: the protected figures and the published decisions,
the decisions read at most once a minute, the figures once per set of published months.

A published month is frozen (counted as it stood `settle_days` after it ended:
flows/transparency/aggregate.py), so the figures change only when another month settles, at
most once a day: they are kept for as long as the months published at the injected clock's
`now` are the same, and computed again (the costly queries) only when that set changes.

One snapshot (those figures and the decisions naming only what they show) is shared by every
request for `CACHE_SECONDS`, so a page view costs nothing most of the time and a decision
published in Slack appears within a minute; recomputing it after that reads only the
decisions. Reading both at once also means a page and its downloads agree.

With `refresh_in_background` (the web process), a request that finds the snapshot older than
that, by less than `STALE_GRACE`, is answered from it at once while one thread computes the
next: on a busy page no request waits for the queries. A snapshot older still (the page sat
idle) is computed before answering, so nobody is shown figures or decisions from an hour ago.
Otherwise (tests, scripts) the request computes it. `warm` computes the figures in the
background when the web process starts, so its first visitor does not wait for the queries.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flows.city import CityConfig
from flows.store import PublishedDecision, Store
from flows.transparency.aggregate import Figures, aggregate, window
from flows.transparency.public_decisions import PublicDecision, public_decisions

# With STALE_GRACE and MAX_AGE_SECONDS, a minute: a decision published now is listed within one
# (a snapshot is served at most 40 + 10 s after it was computed, and kept by a browser 10 s).
CACHE_SECONDS = 40
# How long past CACHE_SECONDS a snapshot may still be served while the next is computed.
STALE_GRACE = timedelta(seconds=10)
# What browsers and proxies may keep a response: well under a minute added to the above.
MAX_AGE_SECONDS = 10
log = logging.getLogger(__name__)

# The published decisions, as the store reads them (`store.decisions.published_decisions`):
# passed in so the service builds no query of its own and a test can count its calls.
DecisionSource = Callable[[], list[PublishedDecision]]


@dataclass(frozen=True)
class Snapshot:
    figures: Figures
    # Newest first, naming only what `figures` shows (flows/transparency/public_decisions.py);
    # party keys: the page and the open data name them (bot/transparency/words.py).
    decisions: tuple[PublicDecision, ...]


class TransparencyReport:
    def __init__(
        self,
        *,
        store: Store,
        city: CityConfig,
        decisions: DecisionSource,
        cache_for: timedelta = timedelta(seconds=CACHE_SECONDS),
        refresh_in_background: bool = False,
    ) -> None:
        self._store = store
        self._city = city
        self._decisions = decisions
        self._cache_for = cache_for
        self._background = refresh_in_background
        self._lock = threading.Lock()  # guards _cached and _refresher
        self._computing = threading.Lock()  # one computation at a time
        self._cached: tuple[datetime, Snapshot] | None = None
        # The figures and the labels of the months they publish (what determines them).
        self._figures: tuple[tuple[str, ...], Figures] | None = None
        self._refresher: threading.Thread | None = None

    @property
    def city(self) -> CityConfig:
        return self._city

    def snapshot(self) -> Snapshot:
        now = self._store.clock.now()
        with self._lock:
            cached = self._cached
            if cached is not None and now - cached[0] < self._cache_for:
                return cached[1]
            recent = cached is not None and now - cached[0] < self._cache_for + STALE_GRACE
            if cached is not None and self._background and recent:
                if self._refresher is None or not self._refresher.is_alive():
                    self._refresher = threading.Thread(
                        target=self._refresh, name="transparency-refresh", daemon=True
                    )
                    self._refresher.start()
                return cached[1]
        return self._refresh()

    def warm(self) -> None:
        """Compute the figures (and the first snapshot) in the background, at process start."""
        with self._lock:
            if self._refresher is None or not self._refresher.is_alive():
                self._refresher = threading.Thread(
                    target=self._warm, name="transparency-warm", daemon=True
                )
                self._refresher.start()

    def _warm(self) -> None:
        # Logged by _refresh; the first request will compute them instead.
        with contextlib.suppress(Exception):
            self._refresh()

    def wait_for_refresh(self, timeout: float = 30) -> None:
        """Wait for a background refresh under way, if any (tests, shutdown)."""
        refresher = self._refresher
        if refresher is not None:
            refresher.join(timeout)

    def _refresh(self) -> Snapshot:
        # Concurrent first requests wait for one computation instead of each running the
        # same queries; the second finds the first's snapshot fresh.
        with self._computing:
            now = self._store.clock.now()
            with self._lock:
                if self._cached is not None and now - self._cached[0] < self._cache_for:
                    return self._cached[1]
            try:
                figures = self._figures_at(now)
                decisions = public_decisions(self._decisions(), figures, tz=self._city.tz)
            except Exception:
                log.exception("transparency figures could not be computed")
                raise
            # "Updated" on the page is when the decisions were read; the months are as settled.
            snapshot = Snapshot(replace(figures, generated_at=now), decisions)
            with self._lock:
                self._cached = (now, snapshot)
            return snapshot

    def _figures_at(self, now: datetime) -> Figures:
        """The figures published at `now`: kept while the published months are the same (a
        published month never changes), computed when another month has settled. Called
        under `_computing`."""
        _, months = window(now, city=self._city)
        with self._lock:
            kept = self._figures
        if kept is not None and kept[0] == months:
            return kept[1]
        figures = aggregate(store=self._store, city=self._city, now=now)
        with self._lock:
            self._figures = (months, figures)
        return figures
