"""Runs conversations: persistence and NLP around the pure engine.

For each inbound message: find the contact, persist the message (once per provider id), screen
the text, step the engine, prepare each effect (NLP, routing, reference codes — outside any
transaction), then commit the new state and every write in one transaction guarded by a
compare-and-swap on the conversation's version. Work that must follow the commit (posting the
moderator card, dispatching queued messages) runs after it.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from flows import effects as fx
from flows.catalog import Catalog
from flows.city import CityConfig
from flows.engine import ConversationState, Flow, Step, step
from flows.events import (
    AnswerExpected,
    ContactErased,
    Event,
    ReportFiled,
    ReportStatus,
    Screening,
    StatusFound,
    TextReceived,
    Tick,
)
from flows.followup import FollowUps, RecordedAnswer
from flows.messages import IncomingMessage
from flows.models import Contact, InboundMessage
from flows.refs import new_ref
from flows.routing import RoutingInput, route
from flows.store import NewReport, Store
from nlp.types import Analysis

log = logging.getLogger(__name__)

# How long a retried webhook waits for the first delivery of the same message to be answered.
_REPLAY_WAIT_SECONDS = 8.0
# A message claimed this long ago without an answer is treated as lost in a crash and redone.
_STALE_CLAIM_SECONDS = 120.0


class Analyser(Protocol):
    def screen(self, text: str) -> Screening: ...

    def analyse(self, text: str) -> Analysis: ...

    def analyse_batch(self, texts: Sequence[str]) -> list[Analysis]: ...


ReportHook = Callable[[int], None]


@dataclass
class _Plan:
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


def _run_now(task: Callable[[], None]) -> None:
    """The default `background`: in the caller's thread (a failure is logged, not raised)."""
    try:
        task()
    except Exception:
        log.exception("after-commit notice failed")


class _VersionConflict(Exception):
    pass


class ConversationRunner:
    def __init__(
        self,
        *,
        store: Store,
        city: CityConfig,
        flow: Flow,
        catalog: Catalog,
        analyser: Analyser,
        on_report_filed: Sequence[ReportHook] = (),
        on_report_updated: Sequence[ReportHook] = (),
        followups: FollowUps | None = None,
        background: Callable[[Callable[[], None]], None] = _run_now,
        prefetch: Callable[[Sequence[str]], None] | None = None,
    ) -> None:
        self._store = store
        self._prefetch = prefetch
        self._background = background
        self._followups = followups
        self._city = city
        self._flow = flow
        self._catalog = catalog
        self._analyser = analyser
        self._on_filed = list(on_report_filed)
        self._on_updated = list(on_report_updated)
        self._destination_ids = {d.id for d in city.destinations}

    # -- entry points ---------------------------------------------------------------------

    def handle(self, message: IncomingMessage) -> tuple[str, ...]:
        """Persist and answer one inbound message; a retry gets the first answer again."""
        recorded = self._store.receive(
            channel=message.channel,
            address=message.sender,
            provider_id=message.provider_id,
            body=message.body,
            media_urls=list(message.media_urls),
        )
        contact = recorded.contact
        if not recorded.created:
            return self._replay(recorded.message, contact)
        assert recorded.message.id is not None
        return self._answer(contact, recorded.message.id, message.body)

    def tick(self, contact_id: int) -> None:
        """Wake one conversation (idle timeouts); any replies go out through the outbox."""
        self._wake(contact_id, Tick(at=self._store.clock.now()))

    def expect_answer(self, *, contact_id: int, ref: str) -> None:
        """A moderator's question on `ref` was relayed: the reporter's next text answers it."""
        self._wake(contact_id, AnswerExpected(ref=ref, at=self._store.clock.now()))

    def _wake(self, contact_id: int, event: Event) -> None:
        contact = self._store.contact(contact_id)
        if contact is None or contact.wrapped_key is None:
            return
        replies = self._run(contact, event, inbound_id=None)
        if replies:
            with self._store.transaction() as session:
                for reply in replies:
                    self._store.enqueue_outbound(
                        session=session, contact=contact, body=reply, purpose="reply"
                    )

    # -- internals ------------------------------------------------------------------------

    def _answer(self, contact: Contact, inbound_id: int, body: str) -> tuple[str, ...]:
        screening = self._analyser.screen(body)
        checkin = (
            self._followups.open_checkin(contact.id or 0) if self._followups is not None else None
        )
        event = TextReceived(
            text=body, at=self._store.clock.now(), screening=screening, checkin=checkin
        )
        return tuple(self._run(contact, event, inbound_id=inbound_id))

    def _replay(self, message: InboundMessage, contact: Contact) -> tuple[str, ...]:
        """A provider retry: the stored reply, once the first delivery has been answered."""
        deadline = time.monotonic() + _REPLAY_WAIT_SECONDS
        current: InboundMessage | None = message
        while current is not None and current.state != "answered" and time.monotonic() < deadline:
            age = (self._store.clock.now() - current.received_at).total_seconds()
            if (
                age > _STALE_CLAIM_SECONDS
                and current.body_enc is not None
                and current.id is not None
            ):
                # The first delivery died before answering: answer it now (its effects never ran).
                body = self._store.vault.decrypt(contact.wrapped_key, current.body_enc)
                return self._answer(contact, current.id, body)
            time.sleep(0.05)
            current = self._store.inbound(message.id or 0)
        if current is None or current.state != "answered":
            return ()
        reply = self._store.stored_reply(current, contact)
        return tuple(r for r in (reply or "").split("\x1e") if r)

    def _run(self, contact: Contact, event: Event, *, inbound_id: int | None) -> list[str]:
        for _ in range(5):
            saved = self._store.load_conversation(contact)
            state = ConversationState.from_dict(saved.state) if saved.state else ConversationState()
            plan = self._plan(contact, state, event)
            if contact.opted_out and plan.opted_out is None:
                # An opted-out number gets no texts at all until START (the carrier rule).
                plan.replies.clear()
            try:
                with self._store.transaction() as session:
                    if not plan.erased:
                        saved_ok = self._store.save_conversation(
                            contact=contact,
                            state=plan.state.to_dict(),
                            expected_version=saved.version,
                            wake_at=self._wake_at(plan.state),
                            session=session,
                        )
                        if not saved_ok:
                            raise _VersionConflict
                    if inbound_id is not None:
                        self._store.mark_answered(
                            inbound_id=inbound_id,
                            contact=contact,
                            reply="\x1e".join(plan.replies),
                            session=session,
                        )
                    for write in plan.writes:
                        write(session)
            except (_VersionConflict, IntegrityError):
                continue  # another message of this contact won the race (or a ref collided)
            for action in plan.after_commit:
                try:
                    action()
                except Exception:
                    log.exception("after-commit action failed")
            for notice in plan.notices:
                self._background(notice)
            if self._prefetch is not None and (ahead := plan.state.texts_to_analyse()):
                # The story is complete: analyse it while the remaining questions are asked.
                self._prefetch(ahead)
            return plan.replies
        raise RuntimeError("conversation kept changing under us")

    def _wake_at(self, state: ConversationState) -> datetime | None:
        """When an unfinished conversation should get a Tick (its idle timeout), if ever."""
        unfinished = state.phase == "intake" or state.pending is not None
        if not unfinished or state.last_activity_at is None:
            return None
        return state.last_activity_at + self._flow.idle_timeout

    def _plan(self, contact: Contact, state: ConversationState, first: Event) -> _Plan:
        plan = _Plan(state=state)
        pending: list[Event] = [first]
        while pending:
            result: Step = step(
                plan.state,
                pending.pop(0),
                flow=self._flow,
                catalog=self._catalog,
                city_help=self._city.city.help_text,
            )
            plan.state = result.state
            plan.replies.extend(result.replies)
            for effect in result.effects:
                follow_up = self._prepare(contact, effect, plan)
                if follow_up is not None:
                    pending.append(follow_up)
        return plan

    def _prepare(self, contact: Contact, effect: fx.Effect, plan: _Plan) -> Event | None:
        store = self._store
        now = store.clock.now()
        contact_id = contact.id
        assert contact_id is not None
        if isinstance(effect, fx.FileReport):
            return self._prepare_report(contact, effect, plan)
        if isinstance(effect, fx.AnswerCheckin):
            self._prepare_checkin_answer(contact, effect, plan)
            return None
        if isinstance(effect, fx.AppendToReport):
            addition = self._analyser.analyse(effect.text)

            def append(session: Session) -> None:
                report = store.report_by_ref(effect.ref, session=session)
                if report is None or report.contact_id != contact_id:
                    return
                store.append_to_report(
                    session=session,
                    report=report,
                    contact=contact,
                    raw_text=effect.text,
                    redacted_text=addition.redacted,
                )

            plan.writes.append(append)
            plan.notices.extend(self._hooks(self._on_updated, effect.ref))
            return None
        if isinstance(effect, fx.LookUpStatus):
            own = store.reports_of_contact(contact_id)
            statuses = tuple(
                ReportStatus(
                    ref=r.ref,
                    status=r.status,
                    destinations=tuple(
                        self._city.destination(d).name_in(contact.language)
                        for d in r.destinations
                        if d in self._destination_ids
                    ),
                )
                for r in own
                if effect.ref is None or r.ref == effect.ref
            )
            return StatusFound(asked_ref=effect.ref, reports=statuses, at=now)
        if isinstance(effect, fx.OptOut | fx.OptIn):
            opted_out = isinstance(effect, fx.OptOut)
            plan.after_commit.append(lambda: store.set_opted_out(contact_id, opted_out=opted_out))
            return None
        if isinstance(effect, fx.SetLanguage):
            plan.writes.append(
                lambda session: store.set_language(contact_id, effect.language, session=session)
            )
            return None
        if isinstance(effect, fx.RelayAnswer):
            self._prepare_answer(contact_id, effect, plan)
            return None
        if isinstance(effect, fx.EraseContact):
            plan.erased = True
            plan.writes.append(lambda session: store.erase_contact(contact_id, session=session))
            return ContactErased(at=now)
        raise TypeError(f"unknown effect {type(effect).__name__}")

    def _prepare_answer(self, contact_id: int, effect: fx.RelayAnswer, plan: _Plan) -> None:
        """The reporter's answer to a moderator: redacted onto the trail and the card threads."""
        store = self._store
        redacted = self._analyser.analyse(effect.text).redacted
        # Unique per answer; a plan redone after a version conflict commits only once anyway.
        origin = "answer-" + secrets.token_hex(8)

        def relay(session: Session) -> None:
            report = store.report_by_ref(effect.ref, session=session)
            if report is None or report.contact_id != contact_id:
                return
            store.add_event(
                session=session,
                report=report,
                actor="reporter",
                action="answered",
                detail={"text": redacted},
            )
            store.queue_report_thread(
                session=session, report=report, origin=origin, text=redacted, kind="answer"
            )

        plan.writes.append(relay)
        plan.notices.extend(self._hooks(self._on_updated, effect.ref))

    def _prepare_report(self, contact: Contact, effect: fx.FileReport, plan: _Plan) -> Event:
        store = self._store
        # One batch: the models run once for the story and the reporter's place and time.
        extras = [t for t in (effect.place_text, effect.when_text) if t]
        analysis, *answers = self._analyser.analyse_batch([effect.story, *extras])
        place = answers.pop(0) if effect.place_text else None
        when = answers.pop(0) if effect.when_text else None
        district = analysis.district or (place.district if place else None) or effect.district
        urgency = _max_urgency(analysis.urgency, effect.urgency)
        decision = route(
            RoutingInput(
                category=analysis.top_category,
                district=district,
                urgency=urgency,
                triage=analysis.triage,
                scores=tuple((c.label, c.score) for c in analysis.categories),
            ),
            city=self._city,
        )
        destination_ids = [d.id for d in decision.destinations]
        analysis_dict = analysis.to_dict()
        analysis_dict.update(district=district, urgency=urgency)
        final = Analysis.from_dict(analysis_dict)
        ref = new_ref()
        new = NewReport(
            channel=contact.channel,
            language=effect.language,
            raw_text=effect.story,
            anonymous=effect.anonymous,
            contact_ok=effect.contact_ok,
            consent_checkins=effect.consent_checkins,
            urgent=urgency != "none",
            place_text=effect.place_text,
            when_text=effect.when_text,
        )
        filed_ids: list[int] = []

        def file(session: Session) -> None:
            report = store.create_report(
                session=session,
                contact=contact,
                ref=ref,
                new=new,
                analysis=final,
                destinations=destination_ids,
                redacted_place=place.redacted if place else None,
                redacted_when=when.redacted if when else None,
            )
            store.add_event(
                session=session,
                report=report,
                actor="system",
                action="routed",
                detail={"destinations": destination_ids, "reasons": list(decision.reasons)},
            )
            store.set_report_status(session=session, report=report, status="routed", actor="system")
            if self._followups is not None:
                self._followups.schedule_for_new_report(session=session, report=report)
            assert report.id is not None
            filed_ids.append(report.id)

        plan.writes.append(file)

        def announce() -> None:
            for report_id in filed_ids:
                for hook in self._on_filed:
                    hook(report_id)

        plan.notices.append(announce)
        names = tuple(d.name_in(effect.language) for d in decision.destinations)
        return ReportFiled(ref=ref, destinations=names, at=store.clock.now())

    def _prepare_checkin_answer(
        self, contact: Contact, effect: fx.AnswerCheckin, plan: _Plan
    ) -> None:
        followups = self._followups
        if followups is None:
            return
        analysis = self._analyser.analyse(effect.text) if effect.text else None
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

    def _hooks(self, hooks: Sequence[ReportHook], ref: str) -> list[Callable[[], None]]:
        def run() -> None:
            report = self._store.report_by_ref(ref)
            if report is not None and report.id is not None:
                for hook in hooks:
                    hook(report.id)

        return [run] if hooks else []


_URGENCY_ORDER = {"none": 0, "crisis": 1, "emergency": 2}


def _max_urgency(a: str, b: str) -> str:
    return a if _URGENCY_ORDER.get(a, 0) >= _URGENCY_ORDER.get(b, 0) else b
