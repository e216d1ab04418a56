"""Decisions on a report, whatever tool a moderator uses: recorded, reviewed, published, corrected.

What was decided and done is written by a moderator for residents, so it passes through the same
redactor as a resident's words before anything is stored: a name or a number typed by a moderator
is caught. Recording and publishing are two steps, so the moderator reads the redacted summary
(what the public and the reporter will read) before publishing it. Recording again corrects: a new
version pointing at the one before it, the old one kept.

Each step is one transaction with its audit event ("decision", "decision_published") and the
cards to refresh. Publishing texts the reporter once (a dedupe key per report), if they consented
to follow-ups and can be reached, never in the city's quiet hours.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session

from flows.checkins.schedule import next_allowed_time
from flows.city import CityConfig
from flows.clocks import city_day
from flows.conversation.catalog import Catalog
from flows.conversation.status_reply import render_decision
from flows.models import Decision, Report
from flows.parties import Party
from flows.reports.moderation import ModerationError, live
from flows.statuses import ReportState
from flows.store import Store
from nlp.types import Analysis

log = logging.getLogger(__name__)

MAX_SUMMARY_CHARS = 600

ReportHook = Callable[[int], None]


class Redactor(Protocol):
    """The NLP's redaction (flows.handling.effect_prep.Analyser): the text read for personal
    data only, with no category."""

    def analyse_batch(self, texts: Sequence[str], *, categorise: bool = True) -> list[Analysis]: ...


@dataclass(frozen=True)
class DecisionView:
    """One version of a report's decision, as the moderator reviews it (the summary redacted)."""

    id: int
    report_id: int
    ref: str
    summary: str
    parties: tuple[str, ...]
    published: bool
    corrects: int | None


class Decisions:
    def __init__(
        self,
        *,
        store: Store,
        city: CityConfig,
        catalog: Catalog,
        redactor: Redactor,
        on_changed: Sequence[ReportHook] = (),
    ) -> None:
        self._store = store
        self._city = city
        self._catalog = catalog
        self._redactor = redactor
        self._on_changed = list(on_changed)

    def why_not(self, report_id: int) -> str | None:
        """Why no decision can be recorded on the report (None when one can). A resolved or
        closed report can have one (decisions often come after); spam cannot."""
        report = self._store.reports.get(report_id)
        if report is None:
            return "This report no longer exists."
        if report.status == ReportState.SPAM:
            return f"Report {report.ref} was marked as spam: it has no public decision."
        return None

    def parties_for(self, destination: str) -> list[Party]:
        """Who may take part in a decision on a report sent to `destination` (the city file)."""
        try:
            return list(self._city.destination(destination).parties)
        except KeyError:
            return []

    def latest(self, report_id: int) -> Decision | None:
        """The latest version (published or not): what a new one would correct."""
        return self._store.decisions.latest(report_id)

    def record(
        self,
        report_id: int,
        *,
        summary: str,
        parties: Sequence[str],
        destination: str,
        actor: str,
        action_key: str | None,
    ) -> DecisionView:
        """Redact the summary and record it as the report's newest (unpublished) version. The
        same `action_key` (a modal's view id) records once however often it arrives.

        The moderator is waiting for the redacted summary: the report-changed hooks (the cards'
        refresh, which calls Slack) are left to the caller, `refresh`, once it has answered."""
        text = _clean(summary)
        if not text:
            raise ModerationError("Write what was decided and done.")
        allowed = {party.id for party in self.parties_for(destination)}
        unknown = sorted(set(parties) - allowed)
        if unknown:
            raise ModerationError(f"Unknown parties {unknown} for this council or agency.")
        try:
            redacted = self._redactor.analyse_batch([text], categorise=False)[0].redacted
        except TimeoutError:
            # The worker's models did not answer within Slack's 3 s (flows/handling/
            # queued_analysis.py): nothing is stored unredacted, the moderator submits again.
            raise ModerationError(
                "The redactor is busy. Please submit again in a moment."
            ) from None

        def change(session: Session, report: Report) -> Decision:
            recorded = self._store.decisions.record(
                session=session,
                report=report,
                summary=redacted,
                parties=list(dict.fromkeys(parties)),
                actor=actor,
                action_key=action_key,
            )
            decision = recorded.decision
            if recorded.created:
                self._store.reports.add_event(
                    session=session,
                    report=report,
                    actor=actor,
                    action="decision",
                    detail={
                        "decision": decision.id,
                        "corrects": decision.corrects_id,
                        "parties": decision.parties,
                        "summary": decision.summary,
                    },
                )
            return decision

        return self._apply(report_id, change, hooks=False)

    def refresh(self, report_id: int) -> None:
        """Run the report-changed hooks (after `record`)."""
        for hook in self._on_changed:
            try:
                hook(report_id)
            except Exception:
                log.exception("report-changed hook failed for report #%s", report_id)

    def publish(self, report_id: int, *, action_key: str, actor: str) -> DecisionView:
        """Publish the version recorded by `action_key`; a replay publishes (and texts) nothing."""

        def change(session: Session, report: Report) -> Decision:
            decision = self._store.decisions.by_action_key(action_key, session=session)
            if decision is None or decision.report_id != report.id:
                raise ModerationError("This decision was not recorded; record it again.")
            if self._store.decisions.publish(session=session, decision=decision):
                self._store.reports.add_event(
                    session=session,
                    report=report,
                    actor=actor,
                    action="decision_published",
                    detail={"decision": decision.id, "corrects": decision.corrects_id},
                )
                self._tell_reporter(session, report, decision)
            return decision

        return self._apply(report_id, change)

    # -- internals --------------------------------------------------------------------------

    def _tell_reporter(self, session: Session, report: Report, decision: Decision) -> None:
        """One text per report, when its first decision is published (STATUS shows the latest
        one): only to a reporter who consented to follow-ups and has not opted out or erased."""
        if not report.consent_checkins or report.contact_id is None:
            return
        contact = live(self._store.contacts.get_to_change(report.contact_id, session=session))
        if contact is None or contact.opted_out or decision.published_at is None:
            return
        body = render_decision(
            self._catalog,
            report.language,
            ref=report.ref,
            on=city_day(decision.published_at, self._city.tz),
            summary=decision.summary,
        )
        self._store.outbox.enqueue(
            session=session,
            contact=contact,
            body=body,
            purpose="decision",
            report_id=report.id,
            dedupe_key=f"decision:{report.id}",
            not_before=next_allowed_time(
                self._store.clock.now(),
                quiet_hours=self._city.checkins.quiet_hours,
                tz=self._city.tz,
            ),
        )

    def _apply(
        self,
        report_id: int,
        change: Callable[[Session, Report], Decision],
        *,
        hooks: bool = True,
    ) -> DecisionView:
        with self._store.transaction() as session:
            report = self._store.reports.get_to_change(report_id, session=session)
            if report is None:
                raise ModerationError("No such report.")
            if report.status == ReportState.SPAM:
                raise ModerationError(f"Report {report.ref} was marked as spam.")
            decision = change(session, report)
            self._store.slack_posts.mark_cards_stale(session=session, report_id=report_id)
            view = _view(decision, report)
        if hooks:
            self.refresh(report_id)
        return view


def _view(decision: Decision, report: Report) -> DecisionView:
    assert decision.id is not None
    return DecisionView(
        id=decision.id,
        report_id=decision.report_id,
        ref=report.ref,
        summary=decision.summary,
        parties=tuple(decision.parties),
        published=decision.published,
        corrects=decision.corrects_id,
    )


def _clean(text: str) -> str:
    """Trim and drop control characters (a summary is plain text for residents)."""
    kept = "".join(ch for ch in text if ch == "\n" or ord(ch) >= 32).strip()
    return kept[:MAX_SUMMARY_CHARS]
