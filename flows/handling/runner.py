"""Runs conversations: persistence and NLP around the pure engine.

For each inbound message: find the contact, screen the text, step the engine, prepare each
effect (`flows/handling/effect_prep.py`: NLP, routing, reference codes — outside any
transaction), then commit in ONE transaction, guarded by a compare-and-swap on the
conversation's version: the new state, every write, the message stored with its reply (once per
provider id) and the model work it leaves (`flows/handling/run_writes.py`). A new sender's first
text, a provider's retry and a text past the sender limits are stored first, in a transaction
of their own, then answered the same way; so is a text whose run fails, before the failure goes
on. Work that must follow the commit runs after it; telling moderators (Slack cards) goes to the
`background` runner, so that the reply does not wait for it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from flows.checkins.jobs import FollowUps
from flows.city import CityConfig
from flows.conversation.catalog import Catalog
from flows.conversation.engine import ConversationState, Flow, Step, step
from flows.conversation.events import (
    AnswerExpected,
    Event,
    Screened,
    Screening,
    TextReceived,
    Tick,
)
from flows.handling.effect_prep import Analyser, EffectPreparer, Plan, ReportHook
from flows.handling.incoming import IncomingMessage, RefusedMessage
from flows.handling.queued_analysis import AnalysisNotReady
from flows.handling.run_writes import (
    AnsweredElsewhere,
    FullScreening,
    ModelWorkAfterRun,
    Prefetch,
    ReceiveFirst,
    record_answer,
)
from flows.handling.sender_limits import SenderGate
from flows.models import Contact, InboundMessage
from flows.statuses import InboundState
from flows.store import ProviderIdTaken, SavedConversation, Store, TextContext

log = logging.getLogger(__name__)

# How long a retried webhook waits for the first delivery of the same message to be answered
# (under Twilio's 15 s webhook timeout).
_REPLAY_WAIT_SECONDS = 12.0
# A message received this long ago without an answer is taken to be lost in a crash: a retry of
# it answers it at once. Answering takes well under a second even when busy; should the first
# handler only be slow, its answer is refused when it comes (`mark_answered` is conditional),
# so no text is ever acted on twice.
CLAIM_LEASE = timedelta(seconds=10)
# The clock's sweep answers, by the outbox, messages nobody has answered after this long: by
# then the webhook that received them has answered Twilio (or died), so the reply must be sent.
ABANDONED_AFTER = timedelta(seconds=30)


def _run_now(task: Callable[[], None]) -> None:
    """The default `background`: in the caller's thread (a failure is logged, not raised)."""
    try:
        task()
    except Exception:
        log.exception("after-commit notice failed")


class _VersionConflict(Exception):
    pass


class ConversationBusy(RuntimeError):
    """A conversation changed under every attempt of a run (many texts of one sender at once)."""


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
        prefetch: Prefetch | None = None,
        full_screening: FullScreening | None = None,
        gate: SenderGate | None = None,
    ) -> None:
        self._store = store
        self._model_work = ModelWorkAfterRun(prefetch=prefetch, full_screening=full_screening)
        self._gate = gate
        self._background = background
        self._followups = followups
        self._city = city
        self._flow = flow
        self._catalog = catalog
        self._analyser = analyser
        self._effects = EffectPreparer(
            store=store,
            city=city,
            analyser=analyser,
            followups=followups,
            on_report_filed=on_report_filed,
            on_report_updated=on_report_updated,
        )

    # -- entry points ---------------------------------------------------------------------

    def handle(self, message: IncomingMessage) -> tuple[str, ...]:
        """Persist and answer one inbound message; a retry gets the first answer again.

        Raises `RefusedMessage` (nothing stored) when the provider id is another sender's.
        """
        answered = self._answer_at_once(message)
        if answered is not None:
            return answered
        try:
            recorded = self._store.inbound.receive(
                channel=message.channel,
                address=message.sender,
                provider_id=message.provider_id,
                body=message.body,
                media_urls=list(message.media_urls),
            )
        except ProviderIdTaken:
            log.warning("refused a %s message whose id is another sender's", message.channel)
            raise RefusedMessage("this message id belongs to another sender") from None
        contact = recorded.contact
        if not recorded.created:
            return self._replay(recorded.message, contact)
        assert recorded.message.id is not None and contact.id is not None
        context = self._store.text_context.of_contact(contact.id, **self._windows())
        if context is None:
            return ()  # erased this moment: nothing of the sender is kept to answer
        if self._gate is not None:
            held = self._gate.hold(context, inbound_id=recorded.message.id, body=message.body)
            if held is not None:
                return held
        try:
            return self._answer(context, recorded.message.id, message.body)
        except (ConversationBusy, AnalysisNotReady) as exc:
            # Stored, not answerable now: many texts of one sender at once (a flood the limits
            # are still counting), or the worker behind on a redaction this text needs. The
            # clock's sweep answers it by the outbox (ABANDONED_AFTER), the reply empty now.
            log.warning("a %s text was left for the sweep: %s", message.channel, type(exc).__name__)
            return ()

    def _answer_at_once(self, message: IncomingMessage) -> tuple[str, ...] | None:
        """The usual text: stored and answered in ONE transaction (the one that commits its
        effects), so it is stored before it is answered and costs one write, after one read
        (`TextContext`). A new sender's contact is added first. None when it must be received
        first, in a transaction of its own: a provider's retry (or another sender's id), a text
        racing another of its sender."""
        context = self._store.text_context.of_sender(
            channel=message.channel, address=message.sender, **self._windows()
        )
        if context is None:
            if self._store.inbound.is_stored(
                channel=message.channel, provider_id=message.provider_id
            ):
                return None  # a retry, or another sender's id: nobody is added for it
            # A new sender: added in one write. (Or one known under an older key, whom
            # `get_or_create` moves to the newest, or added by another request this moment.)
            added = self._store.contacts.add_new(channel=message.channel, address=message.sender)
            if added is not None:
                context = TextContext.of_new_contact(added)
            else:
                self._store.contacts.get_or_create(channel=message.channel, address=message.sender)
                context = self._store.text_context.of_sender(
                    channel=message.channel, address=message.sender, **self._windows()
                )
        if context is None or context.contact.wrapped_key is None:
            return None
        try:
            if self._gate is not None and (
                limited := self._gate.check(context, body=message.body, unstored=1)
            ):
                # Kept as `limited` in one write: a flood costs little more than its texts.
                return self._gate.keep_unstored(context, message, limited)
            return self._answer(context, message, message.body)
        except (ReceiveFirst, AnalysisNotReady):
            # (A text the worker has not redacted in time, e.g. more words for a filed report:
            # received first, it waits its turn in the usual way below.)
            return None
        except Exception:
            # Nothing of the text is stored: store it before the failure goes on, so that the
            # clock's sweep answers it (ABANDONED_AFTER), as for a process that died.
            self._store.inbound.receive(
                channel=message.channel,
                address=message.sender,
                provider_id=message.provider_id,
                body=message.body,
                media_urls=list(message.media_urls),
            )
            raise

    def _windows(self) -> dict[str, Any]:
        """`now` and the check-in answer window, for a text's context."""
        window = self._followups.answer_window if self._followups is not None else timedelta(0)
        return {"now": self._store.clock.now(), "checkin_window": window}

    def answer_abandoned(self) -> int:
        """Answer, by the outbox, messages whose handler died before answering (the clock's
        job): nothing is left `received`, and the resident gets the reply."""
        received_before = self._store.clock.now() - ABANDONED_AFTER
        answered = 0
        for inbound_id in self._store.inbound.unanswered(received_before=received_before):
            message = self._store.inbound.get(inbound_id)
            context = (
                self._store.text_context.of_contact(message.contact_id, **self._windows())
                if message
                else None
            )
            if message is None or context is None or context.contact.wrapped_key is None:
                continue
            contact = context.contact
            assert message.body_enc is not None
            body = self._store.vault.decrypt(contact.wrapped_key, message.body_enc)
            try:
                replies = self._answer(context, inbound_id, body)
            except AnalysisNotReady:
                continue  # the worker is behind: the next sweep
            self._send_later(contact, replies)
            answered += 1
        return answered

    def tick(self, contact_id: int) -> None:
        """Wake one conversation (idle timeouts); any replies go out through the outbox."""
        self._wake(contact_id, Tick(at=self._store.clock.now()))

    def expect_answer(self, *, contact_id: int, ref: str) -> None:
        """A moderator's question on `ref` was relayed: the reporter's next text answers it."""
        self._wake(contact_id, AnswerExpected(ref=ref, at=self._store.clock.now()))

    def screened(
        self, *, contact_id: int, screening: Screening, language_corrected: bool = False
    ) -> None:
        """The full screening of a text answered earlier adds to what the reply knew (the
        worker's models, see `Screened`): the conversation takes it, its replies by the outbox."""
        at = self._store.clock.now()
        event = Screened(screening=screening, at=at, language_corrected=language_corrected)
        self._wake(contact_id, event)

    def _wake(self, contact_id: int, event: Event) -> None:
        contact = self._store.contacts.get(contact_id)
        if contact is None or contact.wrapped_key is None:
            return
        self._send_later(contact, self._run(contact, event, inbound=None))

    def _send_later(self, contact: Contact, replies: Sequence[str]) -> None:
        """Replies no webhook will carry: through the outbox."""
        if replies:
            with self._store.transaction() as session:
                for reply in replies:
                    self._store.outbox.enqueue(
                        session=session, contact=contact, body=reply, purpose="reply"
                    )

    # -- internals ------------------------------------------------------------------------

    def _answer(
        self, context: TextContext, inbound: int | IncomingMessage, body: str
    ) -> tuple[str, ...]:
        """`inbound`: the stored message's id, or the message to store with its answer."""
        contact = context.contact
        screening = self._analyser.screen(body)
        checkin = (
            self._followups.open_checkin(contact.id or 0)
            if self._followups is not None and context.checkin_waiting
            else None
        )
        event = TextReceived(
            text=body,
            at=self._store.clock.now(),
            screening=screening,
            checkin=checkin,
            opted_out=contact.opted_out,
        )
        later = self._gate is not None and self._gate.busy(context)
        replies = self._run(
            contact, event, inbound=inbound, saved=context.conversation, later=later
        )
        return tuple(replies)

    def _replay(self, message: InboundMessage, contact: Contact) -> tuple[str, ...]:
        """A provider retry: the stored reply, once the first delivery has been answered."""
        deadline = time.monotonic() + _REPLAY_WAIT_SECONDS
        current: InboundMessage | None = message
        while (
            current is not None
            and current.state == InboundState.RECEIVED
            and time.monotonic() < deadline
        ):
            age = self._store.clock.now() - current.received_at
            if age >= CLAIM_LEASE and current.body_enc is not None and current.id is not None:
                # The first delivery died before answering: answer it now (its effects never ran).
                context = self._store.text_context.of_contact(contact.id or 0, **self._windows())
                if context is None:
                    return ()
                body = self._store.vault.decrypt(contact.wrapped_key, current.body_enc)
                return self._answer(context, current.id, body)
            time.sleep(0.05)
            current = self._store.inbound.get(message.id or 0)
        if current is None or current.state == InboundState.RECEIVED:
            return ()
        return tuple(self._stored_replies(current.id or 0, contact))

    def _stored_replies(self, inbound_id: int, contact: Contact) -> list[str]:
        """The replies recorded when the message was answered."""
        message = self._store.inbound.get(inbound_id)
        reply = self._store.inbound.stored_reply(message, contact) if message else None
        return [r for r in (reply or "").split("\x1e") if r]

    def _run(
        self,
        contact: Contact,
        event: Event,
        *,
        inbound: int | IncomingMessage | None,
        saved: SavedConversation | None = None,
        later: bool = False,
    ) -> list[str]:
        """`saved`: the conversation as just read (with the text's context), for the first try;
        `later`: the model work it leaves goes after everyone else's (a sender texting back to
        back)."""
        for attempt in range(5):
            if saved is None or attempt > 0:
                saved = self._store.conversations.load(contact)
            state = ConversationState.from_dict(saved.state) if saved.state else ConversationState()
            plan = self._plan(contact, state, event)
            if contact.opted_out and plan.opted_out is None:
                # An opted-out number gets no texts at all until START (the carrier rule).
                plan.replies.clear()
            try:
                with self._store.transaction() as session:
                    if not plan.erased:
                        saved_ok = self._store.conversations.save(
                            contact=contact,
                            state=plan.state.to_dict(),
                            expected_version=saved.version,
                            wake_at=self._wake_at(plan.state),
                            session=session,
                        )
                        if not saved_ok:
                            raise _VersionConflict
                    inbound_id = record_answer(
                        self._store, session, contact=contact, inbound=inbound, replies=plan.replies
                    )
                    for write in plan.writes:
                        write(session)
                    self._model_work.queue(
                        session,
                        before=state,
                        state=plan.state,
                        contact=contact,
                        event=event,
                        inbound_id=inbound_id,
                        later=later,
                    )
            except _VersionConflict:
                if isinstance(inbound, IncomingMessage):
                    # Texts sent together: stored first, this one is answered in its turn the
                    # usual way, and the sender limits count it (a flood must not pass them by
                    # racing its own uncommitted texts).
                    raise ReceiveFirst from None
                continue  # another message of this contact won the race
            except IntegrityError:
                continue  # a reference collided
            except AnsweredElsewhere:
                assert isinstance(inbound, int)
                return self._stored_replies(inbound, contact)
            for action in plan.after_commit:
                try:
                    action()
                except Exception:
                    log.exception("after-commit action failed")
            for notice in plan.notices:
                self._background(notice)
            return plan.replies
        raise ConversationBusy("conversation kept changing under us")

    def _wake_at(self, state: ConversationState) -> datetime | None:
        """When an unfinished conversation should get a Tick (its idle timeout), if ever."""
        unfinished = state.phase == "intake" or state.pending is not None
        if not unfinished or state.last_activity_at is None:
            return None
        return state.last_activity_at + self._flow.idle_timeout

    def _plan(self, contact: Contact, state: ConversationState, first: Event) -> Plan:
        plan = Plan(state=state)
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
                follow_up = self._effects.prepare(contact, effect, plan)
                if follow_up is not None:
                    pending.append(follow_up)
        return plan
