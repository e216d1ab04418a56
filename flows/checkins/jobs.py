"""Check-ins, the impure part: where a check-in is scheduled (at filing, on resolution), sent
(`dispatch_due`), expired (`expire_unanswered`) and answered (`record_answer`, `announce`,
`thanks`). The clock process runs the jobs (see `bot.wiring`); the weekly digest is
`flows.checkins.digest_job`, retention `flows.reports.retention`.

Every job reads the time from the store's injected clock, so `cpps clock --once --now …` and the
tests travel in time; every job is safe to run in two processes at once (rows are claimed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from flows.checkins.schedule import (
    answer_label,
    is_quiet,
    plan_checkins,
    render_checkin,
    resolution_due,
    valid_choice,
)
from flows.city import CityConfig
from flows.conversation.catalog import Catalog
from flows.conversation.events import OpenCheckin
from flows.models import Contact, Report
from flows.reports.notices import ModeratorNotifier
from flows.store import ClaimedCheckin, Store
from nlp.types import Analysis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordedAnswer:
    """An answer as moderators may see it: the choice, or the reporter's words REDACTED."""

    report_id: int
    ref: str
    kind: str
    answer: str  # "1".."5" or "text"
    label: str
    redacted_text: str | None = None


class FollowUps:
    def __init__(
        self,
        *,
        store: Store,
        city: CityConfig,
        catalog: Catalog,
        notifier: ModeratorNotifier,
        batch_size: int = 500,
    ) -> None:
        self._store = store
        self._city = city
        self._catalog = catalog
        self._notifier = notifier
        self._batch_size = batch_size

    @property
    def answer_window(self) -> timedelta:
        return timedelta(hours=self._city.checkins.no_answer_after_hours)

    # -- scheduling (called inside the caller's transaction) ------------------------------------

    def schedule_for_new_report(self, *, session: Session, report: Report) -> int:
        """At filing: the city's scheduled check-ins, if the reporter consented."""
        planned = plan_checkins(
            filed_at=report.created_at, config=self._city.checkins, tz=self._city.tz
        )
        return self._store.checkins.schedule(session=session, report=report, planned=planned)

    def schedule_resolution(self, *, session: Session, report: Report, note: str | None) -> bool:
        """On resolution: replaces pending check-ins with the note and "Did this resolve it?".

        True when the check-in will carry the note to the reporter (so the caller need not send
        it separately); False when the reporter did not consent or cannot be reached."""
        due = resolution_due(
            resolved_at=self._store.clock.now(), config=self._city.checkins, tz=self._city.tz
        )
        return self._store.checkins.schedule_resolution(
            session=session, report=report, note=note, due_at=due
        )

    # -- jobs -------------------------------------------------------------------------------

    def dispatch_due(self) -> int:
        """Queue every due check-in in the outbox (none during quiet hours: overdue ones found
        after a restart in the night wait for the morning). Returns how many were queued."""
        now = self._store.clock.now()
        if is_quiet(now, quiet_hours=self._city.checkins.quiet_hours, tz=self._city.tz):
            return 0
        queued = 0
        while True:
            claimed = self._store.checkins.claim_due(now=now, limit=self._batch_size)
            items: list[tuple[ClaimedCheckin, list[str]]] = []
            for checkin in claimed:
                try:
                    items.append((checkin, self._render(checkin)))
                except Exception:
                    # Left claimed: taken again after the stale-claim delay.
                    log.exception("check-in #%s could not be rendered", checkin.id)
            queued += self._store.checkins.enqueue_claimed(items)
            if len(claimed) < self._batch_size:
                return queued

    def expire_unanswered(self) -> int:
        expired = self._store.checkin_answers.expire_unanswered(
            now=self._store.clock.now(), after=self.answer_window
        )
        for checkin in expired:
            self._post(checkin.report_id, f"No answer to the {_KIND_NAMES[checkin.kind]} check-in.")
        return len(expired)

    # -- answers ----------------------------------------------------------------------------

    def open_checkin(self, contact_id: int) -> OpenCheckin | None:
        """The reporter's check-in still waiting for an answer, for the engine (TextReceived)."""
        since = self._store.clock.now() - self.answer_window
        return self._store.checkin_answers.open_for_answer(contact_id, since=since)

    def record_answer(
        self,
        *,
        session: Session,
        checkin_id: int,
        contact: Contact,
        number: int | None,
        text: str | None = None,
        analysis: Analysis | None = None,
    ) -> RecordedAnswer | None:
        """Record the reporter's answer to an open check-in, inside the caller's transaction.

        A number among the kind's choices is the answer; anything else with `text` is new
        information: appended to the report (raw encrypted, redacted from `analysis`, which the
        caller computes before the transaction). None when the check-in is no longer open."""
        kind = self._store.checkin_answers.kind_of(checkin_id, session=session)
        if kind is None:
            return None
        choice = valid_choice(kind, number)
        if choice is not None:
            answer, label = str(choice), answer_label(kind, choice)
            redacted: str | None = None
        elif text is not None and analysis is not None:
            answer, label, redacted = "text", "written answer", analysis.redacted
        else:
            return None
        checkin = self._store.checkin_answers.record(
            session=session, checkin_id=checkin_id, answer=answer, label=label
        )
        if checkin is None:
            return None
        report = self._store.reports.get_to_change(checkin.report_id, session=session)
        if report is None:
            return None
        if redacted is not None and text is not None:
            self._store.reports.append(
                session=session,
                report=report,
                contact=contact,
                raw_text=text,
                redacted_text=redacted,
            )
        return RecordedAnswer(
            report_id=checkin.report_id,
            ref=report.ref,
            kind=checkin.kind,
            answer=answer,
            label=label,
            redacted_text=redacted,
        )

    def announce(self, recorded: RecordedAnswer) -> None:
        """After the commit: the answer in the report's Slack thread."""
        name = _KIND_NAMES.get(recorded.kind, recorded.kind)
        # The reference too, though the thread is the report's: the console stand-in and
        # notifications shown out of their thread must still say which report it is.
        if recorded.redacted_text is not None:
            text = (
                f"{recorded.ref}: reporter wrote in answer to the {name} check-in "
                "(added to the report):\n> "
            )
            text += recorded.redacted_text.replace("\n", "\n> ")
        else:
            text = f"{recorded.ref}: check-in answer ({name}): *{recorded.label}*"
        self._post(recorded.report_id, text)

    def thanks(self, recorded: RecordedAnswer, *, language: str) -> str:
        """The reply to the reporter."""
        if recorded.redacted_text is not None:
            return self._catalog.render("checkin_added", language, ref=recorded.ref)
        return self._catalog.render("checkin_thanks", language)

    # -- internals --------------------------------------------------------------------------

    def _render(self, checkin: ClaimedCheckin) -> list[str]:
        return render_checkin(
            checkin.kind,
            catalog=self._catalog,
            language=checkin.language,
            ref=checkin.ref,
            destination=self._destination_name(checkin.destinations, checkin.language),
            note=checkin.note,
        )

    def _destination_name(self, destination_ids: tuple[str, ...], language: str) -> str:
        """The body the reporter would hear from: the first destination that is not triage."""
        known = {d.id: d.name_in(language) for d in self._city.destinations}
        triage = self._city.routing.triage if self._city.routing else None
        names = [known[d] for d in destination_ids if d in known and d != triage]
        if names:
            return names[0]
        if triage in known:
            return known[triage]
        return self._city.city.service_name

    def _post(self, report_id: int, text: str) -> None:
        try:
            self._notifier.post_to_report_thread(report_id, text)
        except Exception:
            log.exception("could not post to the thread of report #%s", report_id)


_KIND_NAMES = {
    "contacted": "“were you contacted?”",
    "satisfaction": "satisfaction",
    "resolution": "“did this resolve it?”",
}
