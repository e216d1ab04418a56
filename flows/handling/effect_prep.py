"""Preparing the engine's effects: the work around a conversation step that is not the step.

The engine (pure) asks for effects: file a report, look up a status, erase a contact… For each,
`EffectPreparer.prepare` does what needs no transaction (the full analysis, routing, a new
reference code) and adds to the run's `Plan` the writes for the runner's one transaction and
the notices to send once it has committed. It may return an event to feed back to the engine.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, assert_never

from sqlmodel import Session

from flows.checkins.jobs import FollowUps, RecordedAnswer
from flows.city import CityConfig
from flows.clocks import city_day
from flows.conversation import effects as fx
from flows.conversation.engine import ConversationState
from flows.conversation.events import (
    ContactErased,
    DecisionNote,
    Event,
    ReportFiled,
    ReportStatus,
    Screening,
    StatusFound,
)
from flows.handling.queued_analysis import AnalysisNotReady
from flows.models import Contact, Decision, Report
from flows.reports.filing import analyse_report, record_routing, route_report
from flows.reports.late_filing import PendingReport, queue_late_filing, unanalysed
from flows.reports.refs import new_ref
from flows.store import NewReport, Store
from nlp.types import Analysis

ReportHook = Callable[[int], None]


class Analyser(Protocol):
    def screen(self, text: str) -> Screening: ...

    def analyse(self, text: str) -> Analysis: ...

    def analyse_batch(self, texts: Sequence[str], *, categorise: bool = True) -> list[Analysis]: ...


@dataclass
class Plan:
    """What one engine run decided: replies, the next state, writes for the transaction, and
    work to do after the commit."""

    state: ConversationState
    replies: list[str] = field(default_factory=list)
    writes: list[Callable[[Session], None]] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # Telling moderators (Slack cards, thread lines): after the commit too, but not before the
    # reply, so they go to the `background` runner.
    notices: list[Callable[[], None]] = field(default_factory=list)
    erased: bool = False
    # Set when this run changed the opt-out (STOP / START); None when it did not.
    opted_out: bool | None = None


class EffectPreparer:
    def __init__(
        self,
        *,
        store: Store,
        city: CityConfig,
        analyser: Analyser,
        followups: FollowUps | None,
        on_report_filed: Sequence[ReportHook] = (),
        on_report_updated: Sequence[ReportHook] = (),
    ) -> None:
        self._store = store
        self._city = city
        self._analyser = analyser
        self._followups = followups
        self._on_filed = list(on_report_filed)
        self._on_updated = list(on_report_updated)
        self._destination_ids = {d.id for d in city.destinations}

    def prepare(self, contact: Contact, effect: fx.Effect, plan: Plan) -> Event | None:
        """Do an effect's work that needs no transaction; queue its writes and notices on `plan`.

        Returns an event to feed back to the engine (the filed report, the status found…).
        """
        store = self._store
        contact_id = contact.id
        assert contact_id is not None
        match effect:
            case fx.FileReport():
                return self._prepare_report(contact, effect, plan)
            case fx.AnswerCheckin():
                self._prepare_checkin_answer(contact, effect, plan)
            case fx.AppendToReport():
                self._prepare_addition(contact, effect, plan)
            case fx.LookUpStatus():
                return self._status_found(contact, effect)
            case fx.OptOut() | fx.OptIn():
                opted_out = isinstance(effect, fx.OptOut)
                # The runner lets this run's replies through to an opted-out number only when
                # the run itself changed the opt-out (START must be confirmed).
                plan.opted_out = opted_out
                plan.after_commit.append(
                    lambda: store.contacts.set_opted_out(contact_id, opted_out=opted_out)
                )
            case fx.SetLanguage():
                language = effect.language
                plan.writes.append(
                    lambda session: store.contacts.set_language(
                        contact_id, language, session=session
                    )
                )
            case fx.RelayAnswer():
                self._prepare_answer(contact_id, effect, plan)
            case fx.EraseContact():
                plan.erased = True
                plan.writes.append(
                    lambda session: store.contacts.erase(contact_id, session=session)
                )
                return ContactErased(at=store.clock.now())
            case _:
                assert_never(effect)
        return None

    def _prepare_addition(self, contact: Contact, effect: fx.AppendToReport, plan: Plan) -> None:
        """More words for the contact's own report: raw encrypted, redacted for moderators."""
        addition = self._uncategorised(effect.text)
        contact_id = contact.id or 0

        def append(session: Session) -> None:
            report = self._own_report(session, effect.ref, contact_id)
            if report is None:
                return
            self._store.reports.append(
                session=session,
                report=report,
                contact=contact,
                raw_text=effect.text,
                redacted_text=addition.redacted,
            )

        plan.writes.append(append)
        plan.notices.extend(self._hooks(self._on_updated, effect.ref))

    def _status_found(self, contact: Contact, effect: fx.LookUpStatus) -> StatusFound:
        """ONLY the contact's own reports (all of them, or the one asked about)."""
        own = [
            r
            for r in self._store.reports.of_contact(contact.id or 0)
            if effect.ref is None or r.ref == effect.ref
        ]
        decisions = self._store.decisions.latest_published_of([r.id for r in own if r.id])
        statuses = tuple(
            ReportStatus(
                ref=r.ref,
                status=r.status,
                destinations=tuple(
                    self._city.destination(d).name_in(contact.language)
                    for d in r.destinations
                    if d in self._destination_ids
                ),
                decision=self._decision_note(decisions.get(r.id or 0)),
            )
            for r in own
        )
        return StatusFound(asked_ref=effect.ref, reports=statuses, at=self._store.clock.now())

    def _decision_note(self, decision: Decision | None) -> DecisionNote | None:
        if decision is None or decision.published_at is None:
            return None
        on = city_day(decision.published_at, self._city.tz)
        return DecisionNote(on=on, summary=decision.summary)

    def _prepare_answer(self, contact_id: int, effect: fx.RelayAnswer, plan: Plan) -> None:
        """The reporter's answer to a moderator: redacted onto the trail and the card threads."""
        store = self._store
        redacted = self._uncategorised(effect.text).redacted
        # Unique per answer; a plan redone after a version conflict commits only once anyway.
        origin = "answer-" + secrets.token_hex(8)

        def relay(session: Session) -> None:
            report = self._own_report(session, effect.ref, contact_id)
            if report is None:
                return
            store.reports.add_event(
                session=session,
                report=report,
                actor="reporter",
                action="answered",
                detail={"text": redacted},
            )
            store.slack_posts.queue_report_thread(
                session=session, report=report, origin=origin, text=redacted, kind="answer"
            )

        plan.writes.append(relay)
        plan.notices.extend(self._hooks(self._on_updated, effect.ref))

    def _prepare_report(self, contact: Contact, effect: fx.FileReport, plan: Plan) -> Event:
        store = self._store
        try:
            analysed = analyse_report(
                self._analyser,
                story=effect.story,
                place_text=effect.place_text,
                when_text=effect.when_text,
            )
        except AnalysisNotReady:
            # Filing never waits long: filed now, routed by the worker when the analysis lands.
            return self._file_before_analysis(contact, effect, plan)
        routed = route_report(
            analysed, district=effect.district, urgency=effect.urgency, city=self._city
        )
        ref = new_ref()
        filed_ids: list[int] = []

        def file(session: Session) -> None:
            report = store.reports.create(
                session=session,
                contact=contact,
                ref=ref,
                new=self._new_report(contact, effect, urgent=routed.analysis.urgency != "none"),
                analysis=routed.analysis,
                destinations=routed.destination_ids,
                redacted_place=routed.redacted_place,
                redacted_when=routed.redacted_when,
            )
            record_routing(
                store=store,
                followups=self._followups,
                session=session,
                report=report,
                routed=routed,
            )
            assert report.id is not None
            filed_ids.append(report.id)

        plan.writes.append(file)

        def announce() -> None:
            for report_id in filed_ids:
                for hook in self._on_filed:
                    hook(report_id)

        plan.notices.append(announce)
        destinations = routed.decision.destinations
        names = tuple(d.name_in(effect.language) for d in destinations)
        notes = tuple(
            note for d in destinations if (note := d.note_in(effect.language)) is not None
        )
        return ReportFiled(ref=ref, destinations=names, at=store.clock.now(), notes=notes)

    def _file_before_analysis(self, contact: Contact, effect: fx.FileReport, plan: Plan) -> Event:
        """The report with its reference and the conversation's readings, not yet routed (no
        moderator sees it); its analysis and routing are queued for the worker in the same
        transaction, so a process dying after this commit loses nothing."""
        store = self._store
        ref = new_ref()
        pending = PendingReport(
            ref=ref,
            story=effect.story,
            place_text=effect.place_text,
            when_text=effect.when_text,
        )

        def file(session: Session) -> None:
            store.reports.create(
                session=session,
                contact=contact,
                ref=ref,
                new=self._new_report(contact, effect, urgent=effect.urgency != "none"),
                analysis=unanalysed(
                    effect.language, urgency=effect.urgency, district=effect.district
                ),
                destinations=[],
                redacted_place=None,
                redacted_when=None,
            )
            queue_late_filing(store, pending, contact_id=contact.id, session=session)

        plan.writes.append(file)
        return ReportFiled(ref=ref, destinations=(), at=store.clock.now())

    @staticmethod
    def _new_report(contact: Contact, effect: fx.FileReport, *, urgent: bool) -> NewReport:
        return NewReport(
            channel=contact.channel,
            language=effect.language,
            raw_text=effect.story,
            anonymous=effect.anonymous,
            contact_ok=effect.contact_ok,
            consent_checkins=effect.consent_checkins,
            urgent=urgent,
            place_text=effect.place_text,
            when_text=effect.when_text,
        )

    def _prepare_checkin_answer(
        self, contact: Contact, effect: fx.AnswerCheckin, plan: Plan
    ) -> None:
        followups = self._followups
        if followups is None:
            return
        analysis = self._uncategorised(effect.text) if effect.text else None
        recorded: list[RecordedAnswer] = []

        def record(session: Session) -> None:
            answer = followups.record_answer(
                session=session,
                checkin_id=effect.checkin_id,
                contact=contact,
                number=effect.number,
                text=effect.text,
                analysis=analysis,
            )
            if answer is not None:
                recorded.append(answer)

        def announce() -> None:
            for answer in recorded:
                followups.announce(answer)
                if answer.redacted_text is not None:
                    for hook in self._on_updated:
                        hook(answer.report_id)

        plan.writes.append(record)
        plan.notices.append(announce)

    def _uncategorised(self, text: str) -> Analysis:
        """A text read only for its redaction (an addition, an answer): no encoder pass."""
        return self._analyser.analyse_batch([text], categorise=False)[0]

    def _own_report(self, session: Session, ref: str, contact_id: int) -> Report | None:
        """The report `ref`, if it is this contact's (a reference alone proves nothing)."""
        report = self._store.reports.by_ref_to_change(ref, session=session)
        return report if report is not None and report.contact_id == contact_id else None

    def _hooks(self, hooks: Sequence[ReportHook], ref: str) -> list[Callable[[], None]]:
        def run() -> None:
            report = self._store.reports.by_ref(ref)
            if report is not None and report.id is not None:
                for hook in hooks:
                    hook(report.id)

        return [run] if hooks else []
