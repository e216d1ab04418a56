"""What killing the web process cost (tests/faults/kill_run.py), counted from the database (the
project's Store) and the fake Twilio's captured requests: acknowledged texts lost, replies that
reached a resident twice, texts left unanswered, conversations left unfinished."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, select

from flows.models import Contact, InboundMessage, OutboundMessage, Report
from flows.statuses import InboundState, OutboundStatus
from flows.store import Store
from tests.fakes.twilio_api import FakeTwilioAPI

if TYPE_CHECKING:
    from tests.faults.kill_run import Resident


@dataclass(frozen=True)
class KillFigures:
    kills: int
    acknowledged: int  # texts that got an HTTP 200
    lost: int  # acknowledged texts not stored, body and all
    sent_twice: int  # extra copies of a reply that reached a resident more than once
    unanswered: int  # stored texts never answered, and replies never sent
    unfinished: int  # residents who kept texting without a report filed under their reference


def unfinished(store: Store) -> tuple[list[str], list[int]]:
    """Stored texts not yet answered (MessageSids), and outbound texts not yet sent (ids)."""
    with store.reading() as session:
        unanswered = session.exec(
            select(InboundMessage.provider_id).where(InboundMessage.state == InboundState.RECEIVED)
        ).all()
        unsent = session.exec(
            select(OutboundMessage.id).where(
                col(OutboundMessage.status).in_(
                    [OutboundStatus.QUEUED, OutboundStatus.SENDING, OutboundStatus.UNCERTAIN]
                )
            )
        ).all()
    return list(unanswered), [i for i in unsent if i is not None]


def received(resident: Resident, created: list[dict[str, str]]) -> Counter[str]:
    """Every reply the resident received, in a webhook's TwiML or through Twilio's API."""
    return Counter(resident.replies + [m["Body"] for m in created if m["To"] == resident.phone])


def count(
    store: Store, residents: list[Resident], twilio: FakeTwilioAPI, *, kills: int
) -> KillFigures:
    with store.reading() as session:
        inbound = {m.provider_id: m for m in session.exec(select(InboundMessage)).all()}
        contacts = {c.id: c for c in session.exec(select(Contact)).all()}
        refs = {r.ref: r for r in session.exec(select(Report)).all()}
    lost = 0
    for resident in residents:
        for sid, body in resident.acked.items():
            message = inbound.get(sid)
            kept = (
                message is not None
                and message.body_enc is not None
                and store.vault.decrypt(contacts[message.contact_id].wrapped_key, message.body_enc)
                == body
            )
            lost += not kept
    created = twilio.created
    twice = sum(n - 1 for r in residents for n in received(r, created).values() if n > 1)
    unanswered, unsent = unfinished(store)
    stranded = len(unanswered) + len(unsent)
    not_finished = 0
    for resident in residents:
        if resident.gave_up:
            continue
        report = refs.get(resident.finished_ref or "")
        first = inbound.get(next(iter(resident.acked), ""))
        not_finished += (
            resident.error is not None
            or report is None
            or first is None
            or report.contact_id != first.contact_id
        )
    return KillFigures(
        kills=kills,
        acknowledged=sum(len(r.acked) for r in residents),
        lost=lost,
        sent_twice=twice,
        unanswered=stranded,
        unfinished=not_finished,
    )
