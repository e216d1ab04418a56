"""What a run's one transaction writes besides the engine's effects: the reply on the inbound
row (the stored message marked answered, or the message stored with it: one write per text)
and the model work that follows the text (its full screening, a complete story's analysis).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlmodel import Session

from flows.conversation.engine import ConversationState
from flows.conversation.events import Event, Screening, TextReceived
from flows.handling.incoming import IncomingMessage
from flows.models import Contact
from flows.store import Store


class Prefetch(Protocol):
    """Starts analysing texts that filing will analyse (flows/handling/analysis_ahead.py in the
    process, or queued for the worker in the run's transaction: flows/handling/queued_analysis.py).
    """

    def __call__(
        self,
        texts: Sequence[str],
        *,
        categorise: bool = True,
        session: Session | None = None,
        contact_id: int | None = None,
        later: bool = False,
    ) -> None: ...


class FullScreening(Protocol):
    """Queues, in the run's transaction, the full screening of a text answered with the
    model-free one (`QueuedAnalyser.request_full_screen`)."""

    def __call__(
        self,
        session: Session,
        *,
        contact_id: int,
        inbound_id: int,
        text: str,
        screening: Screening,
        story: bool = True,
        later: bool = False,
    ) -> None: ...


class AnsweredElsewhere(Exception):
    """Another handler answered this message first (a takeover raced a slow first handler)."""


class ReceiveFirst(Exception):
    """The text cannot be stored with its answer: its provider id is stored already (a retry,
    or another sender's id), or another text of the sender is being answered this moment. It
    is received first, in a transaction of its own, and answered the usual way."""


def record_answer(
    store: Store,
    session: Session,
    *,
    contact: Contact,
    inbound: int | IncomingMessage | None,
    replies: Sequence[str],
) -> int | None:
    """The reply on the inbound row, in the run's transaction: the stored message marked
    answered (once), or the message stored with it; its id."""
    reply = "\x1e".join(replies)
    if isinstance(inbound, int):
        if not store.inbound.mark_answered(
            inbound_id=inbound, contact=contact, reply=reply, session=session
        ):
            raise AnsweredElsewhere
        return inbound
    if inbound is None:
        return None
    stored = store.inbound.insert_answered(
        session,
        channel=inbound.channel,
        provider_id=inbound.provider_id,
        contact=contact,
        body=inbound.body,
        media_urls=list(inbound.media_urls),
        reply=reply,
    )
    if stored is None:
        raise ReceiveFirst
    return stored


class ModelWorkAfterRun:
    """Model work that follows a run, queued in its transaction (nothing is lost, or done, if
    the run does not commit)."""

    def __init__(self, *, prefetch: Prefetch | None, full_screening: FullScreening | None) -> None:
        self._prefetch = prefetch
        self._full_screening = full_screening

    def queue(
        self,
        session: Session,
        *,
        before: ConversationState,
        state: ConversationState,
        contact: Contact,
        event: Event,
        inbound_id: int | None,
        later: bool = False,
    ) -> None:
        """`before`, `state`: the conversation before and after the run (what was queued
        before is not queued again); `later`: the sender is texting back to back, their work
        goes after everyone else's."""
        if self._prefetch is not None and (ahead := state.texts_to_analyse()):
            # The story is complete: analyse it while the remaining questions are asked (the
            # answers after it for personal data and places only, as filing will).
            story, *answers = ahead
            queued = set(before.texts_to_analyse())
            if story not in queued:
                self._prefetch([story], session=session, contact_id=contact.id, later=later)
            if new_answers := [text for text in answers if text not in queued]:
                self._prefetch(
                    new_answers,
                    categorise=False,
                    session=session,
                    contact_id=contact.id,
                    later=later,
                )
        if (
            self._full_screening is not None
            and isinstance(event, TextReceived)
            and inbound_id is not None
            and not contact.opted_out
        ):
            self._full_screening(
                session,
                contact_id=contact.id or 0,
                inbound_id=inbound_id,
                text=event.text,
                screening=event.screening,
                # Only a story's category shapes the questions: the rest is screened for urgency.
                story=len(state.story) > len(before.story),
                later=later,
            )
