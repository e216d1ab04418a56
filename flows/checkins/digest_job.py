"""The weekly digest job: once a week, one digest per destination channel (`digest.py` builds
and renders it from plain values; this module finds the week, claims it and posts).

Every pass reads the time from the store's injected clock; the (job, week) claim in the store
makes the digest go out once whichever clock process, or `cpps clock --once`, gets there first.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from flows.checkins.digest import build_digest, render_digest
from flows.checkins.schedule import wall_time
from flows.city import CityConfig, Destination
from flows.reports.notices import ModeratorNotifier
from flows.store import DigestInputs, Store

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)


class WeeklyDigest:
    def __init__(self, *, store: Store, city: CityConfig, notifier: ModeratorNotifier) -> None:
        self._store = store
        self._city = city
        self._notifier = notifier

    def post_due(self) -> int:
        """Post this week's digests once the city's digest weekday and time (local) have come.
        Returns how many were posted by this call."""
        now = self._store.clock.now()
        config = self._city.checkins
        year, week, _ = now.astimezone(self._city.tz).isocalendar()
        due = wall_time(
            date.fromisocalendar(year, week, config.digest_weekday),
            config.digest_time,
            self._city.tz,
        )
        if now < due:
            return 0
        period = f"{year}-W{week:02d}"
        inputs = self._store.upkeep.digest_inputs(now=now, week=WEEK)
        posted = 0
        for destination in self._city.destinations:
            job = f"digest:{destination.id}"
            if not self._store.upkeep.claim_period(job, period):
                continue
            text = self._render(destination, inputs.get(destination.id), now=now)
            try:
                self._notifier.post_digest(destination.id, text)
            except Exception:
                # Claimed but not posted: released so the next hourly pass tries again.
                self._store.upkeep.release_period(job, period)
                log.exception("digest for %s not posted; retried next pass", destination.id)
                continue
            posted += 1
        return posted

    def _render(self, destination: Destination, data: DigestInputs | None, *, now: datetime) -> str:
        digest = build_digest(
            destination_id=destination.id,
            reports=data.reports if data else [],
            answers=data.answers if data else [],
            now=now,
            stale_after=timedelta(days=self._city.checkins.stale_after_days),
        )
        return render_digest(digest, destination_name=destination.name)
