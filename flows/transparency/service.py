"""What the page, the CSV and the JSON read: the protected figures and the published decisions,
computed at most once a minute.

One snapshot is shared by every request for `CACHE_SECONDS` (the clock is injected), so a page
view costs nothing most of the time and a decision published in Slack appears within a minute.
Reading both at once also means a page and its downloads agree.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.city import CityConfig
from flows.store import Store
from flows.transparency.aggregate import Figures, aggregate
from flows.transparency.decisions import DecisionSource, PublishedDecision

CACHE_SECONDS = 60


@dataclass(frozen=True)
class Snapshot:
    figures: Figures
    decisions: tuple[PublishedDecision, ...]  # newest first


class TransparencyReport:
    def __init__(
        self,
        *,
        store: Store,
        city: CityConfig,
        decisions: DecisionSource,
        cache_for: timedelta = timedelta(seconds=CACHE_SECONDS),
    ) -> None:
        self._store = store
        self._city = city
        self._decisions = decisions
        self._cache_for = cache_for
        self._lock = threading.Lock()
        self._cached: tuple[datetime, Snapshot] | None = None

    @property
    def city(self) -> CityConfig:
        return self._city

    def snapshot(self) -> Snapshot:
        now = self._store.clock.now()
        with self._lock:
            if self._cached is not None and now - self._cached[0] < self._cache_for:
                return self._cached[1]
            # Computed under the lock: concurrent first requests wait for one computation
            # instead of each running the same queries.
            figures = aggregate(store=self._store, city=self._city, now=now)
            decisions = sorted(self._decisions(), key=lambda d: d.published_on, reverse=True)
            snapshot = Snapshot(figures, tuple(decisions))
            self._cached = (now, snapshot)
            return snapshot
