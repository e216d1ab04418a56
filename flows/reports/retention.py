"""Retention: the raw words of reports and inbound messages are kept for the city's
`retention_days`, then erased; the redacted text and the analysis stay with the council.

Run daily by the clock process (see `bot.wiring`); erasing is idempotent, so a missed or repeated
pass changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from flows.city import CityConfig
from flows.store import RetentionResult, Store


class Retention:
    def __init__(self, *, store: Store, city: CityConfig) -> None:
        self._store = store
        self._city = city

    def erase_old_raw_texts(self) -> RetentionResult:
        cutoff = self._store.clock.now() - timedelta(days=self._city.city.retention_days)
        return self._store.upkeep.erase_raw_texts_before(cutoff)
