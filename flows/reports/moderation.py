"""What moderators do to a report, whatever tool they use: acknowledge, reroute, ask, resolve, spam.

Each action is one transaction: the report's new state, its audit-trail event, the cards to
refresh and any message to the reporter (queued in the outbox, relayed by the channel the reporter
used) commit together, or not at all. Hooks run after the commit (the Slack poster refreshes the
cards). Nothing here learns or returns who the reporter is: a relay goes to the report's contact
by id, and the moderator only hears whether it could be sent.

The reporter's contact choice: "1 = stay anonymous" and "2 = the council may contact me" both
allow relayed questions, because a relay never reveals who they are; what the choice changes is
what the moderator is told on the card (an anonymous reporter owes no answer). A reporter who
opted out (STOP) or erased their data cannot be reached at all, and the moderator is told so.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session

from flows.city import CityConfig
from flows.conversation.catalog import Catalog
from flows.models import Contact, Report
from flows.store import Store, card_key
from flows.store.checkins import CLOSED_REPORT_STATUSES

log = logging.getLogger(__name__)

MAX_RELAY_CHARS = 600


class ModerationError(Exception):
    """An action that cannot be done; the message is safe to show the moderator."""


class ResolutionFollowUp(Protocol):
    """Check-ins (flows.checkins.jobs.FollowUps): on resolution, the note and "Did this resolve it?"
    replace pending check-ins; True when that check-in carries the note to the reporter."""

    def schedule_resolution(
        self, *, session: Session, report: Report, note: str | None
    ) -> bool: ...


class AnswerRouting(Protocol):
    """Tells the reporter's conversation that their next message answers a question on `ref`."""

    def expect_answer(self, *, contact_id: int, ref: str) -> None: ...


ReportHook = Callable[[int], None]


@dataclass(frozen=True)
class Reach:
    """Whether a relay can reach the reporter (never who they are)."""

    reachable: bool
    reason: str  # "ok", "erased", "opted_out"


class Moderation:
    def __init__(
        self,
        *,
        store: Store,
        city: CityConfig,
        catalog: Catalog,
        answers: AnswerRouting | None = None,
        followups: ResolutionFollowUp | None = None,
        on_changed: Sequence[ReportHook] = (),
    ) -> None:
        self._store = store
        self._city = city
        self._catalog = catalog
        self._answers = answers
        self._followups = followups
        # Run with the report id after every committed action (the Slack poster's refresh).
        self._on_changed = list(on_changed)

    # -- the actions ------------------------------------------------------------------------

    def acknowledge(self, report_id: int, *, actor: str) -> Report:
        def change(session: Session, report: Report) -> None:
            if report.status in ("new", "routed"):
                self._store.reports.set_status(
                    session=session, report=report, status="acknowledged", actor=actor
                )
            else:
                self._store.reports.add_event(
                    session=session, report=report, actor=actor, action="acknowledged"
                )

        return self._apply(report_id, change, allow_closed=False)

    def mark_spam(self, report_id: int, *, actor: str) -> Report:
        def change(session: Session, report: Report) -> None:
            self._store.reports.set_status(
                session=session, report=report, status="spam", actor=actor
            )

        return self._apply(report_id, change, allow_closed=False)

    def reroute(
        self,
        report_id: int,
        *,
        from_destination: str | None,
        to_destination: str,
        category: str | None,
        actor: str,
    ) -> Report:
        """Move the report from one destination to another; the choice is kept for training."""
        try:
            target = self._city.destination(to_destination)
        except KeyError:
            raise ModerationError(f"Unknown destination {to_destination!r}.") from None
        if category is not None and category not in self._city.city.categories:
            raise ModerationError(f"Unknown category {category!r}.")

        def change(session: Session, report: Report) -> None:
            assert report.id is not None
            kept = [d for d in report.destinations if d != from_destination]
            if target.id not in kept:
                kept.append(target.id)
            previous_category = report.top_category
            self._store.reports.add_correction(
                session=session,
                report=report,
                category=category or previous_category or "other",
                destination=target.id,
                actor=actor,
            )
            report.destinations = kept
            if category is not None:
                report.top_category = category
                report.triage = False
            session.add(report)
            self._store.reports.add_event(
                session=session,
                report=report,
                actor=actor,
                action="rerouted",
                detail={
                    "from": from_destination,
                    "to": target.id,
                    "category": category,
                    "previous_category": previous_category,
                },
            )
            if report.status in ("new", "acknowledged", "in_progress"):
                self._store.reports.set_status(
                    session=session, report=report, status="routed", actor=actor
                )
            self._store.slack_posts.queue(
                session=session,
                key=card_key(report.id, target.id),
                report_id=report.id,
                kind="card",
                destination=target.id,
                channel=target.slack_channel,
            )

        return self._apply(report_id, change, allow_closed=False)

    def ask(
        self, report_id: int, *, question: str, actor: str, action_key: str | None = None
    ) -> Report:
        """Relay a question to the reporter; their next message comes back to the report.

        `action_key`: the moderator action's identity in the tool it came from (a modal's view
        id, a command's trigger id); a second delivery of the same action relays nothing.
        """
        question = _clean(question)
        report, relayed = self._relay(
            report_id, text=question, key="relay_question", actor=actor, action_key=action_key
        )
        if relayed and self._answers is not None and report.contact_id is not None:
            try:
                self._answers.expect_answer(contact_id=report.contact_id, ref=report.ref)
            except Exception:
                log.exception("could not route the answer to report #%s", report_id)
        return report

    def reply(
        self, report_id: int, *, text: str, actor: str, action_key: str | None = None
    ) -> Report:
        """Relay a message to the reporter (`/cpps reply`); `action_key` as for `ask`."""
        report, _ = self._relay(
            report_id, text=_clean(text), key="relay_reply", actor=actor, action_key=action_key
        )
        return report

    def resolve(
        self, report_id: int, *, note: str, actor: str, action_key: str | None = None
    ) -> Report:
        """Close the report as resolved; the note is relayed to the reporter when reachable
        (once per `action_key`, as for `ask`)."""
        note = _clean(note)
        if not note:
            raise ModerationError("Write a note for the reporter.")

        def change(session: Session, report: Report) -> None:
            contact = self._contact(report, session)
            self._store.reports.set_status(
                session=session,
                report=report,
                status="resolved",
                actor=actor,
                detail={"note": note},
            )
            carried = self._followups is not None and self._followups.schedule_resolution(
                session=session, report=report, note=note
            )
            if not carried and contact is not None and not contact.opted_out:
                body = self._catalog.render(
                    "relay_resolved", report.language, ref=report.ref, note=note
                )
                self._store.outbox.enqueue(
                    session=session,
                    contact=contact,
                    body=body,
                    purpose="resolution",
                    report_id=report.id,
                    dedupe_key=relay_key(report_id, "resolved", action_key, note),
                )

        return self._apply(report_id, change, allow_closed=False)

    def why_not(self, report_id: int) -> str | None:
        """Why no action can be taken on the report now (None when one can), in words for the
        moderator: a modal shows it before anything is submitted."""
        report = self._store.reports.get(report_id)
        if report is None:
            return "This report no longer exists."
        return _closed(report)

    # -- internals --------------------------------------------------------------------------

    def _relay(
        self, report_id: int, *, text: str, key: str, actor: str, action_key: str | None
    ) -> tuple[Report, bool]:
        """The report, and False when this action had already been relayed (nothing done)."""
        if not text:
            raise ModerationError("Write the message to relay.")
        action = "asked" if key == "relay_question" else "replied"
        relayed = True

        def change(session: Session, report: Report) -> None:
            nonlocal relayed
            contact = self._contact(report, session)
            reach = reach_of(contact)
            if contact is None or not reach.reachable:
                raise ModerationError(
                    "The reporter erased their data and can no longer be reached."
                    if reach.reason == "erased"
                    else "The reporter has opted out of messages; nothing was sent."
                )
            body = self._catalog.render(key, report.language, ref=report.ref, text=text)
            queued = self._store.outbox.enqueue(
                session=session,
                contact=contact,
                body=body,
                purpose=action,
                report_id=report.id,
                dedupe_key=relay_key(report_id, action, action_key, text),
            )
            if queued is None:
                relayed = False  # a redelivery of an action already relayed
                return
            self._store.reports.add_event(
                session=session, report=report, actor=actor, action=action, detail={"text": text}
            )
            if action == "asked" and report.status in ("new", "routed", "acknowledged"):
                self._store.reports.set_status(
                    session=session, report=report, status="in_progress", actor=actor
                )

        return self._apply(report_id, change, allow_closed=True), relayed

    def _contact(self, report: Report, session: Session) -> Contact | None:
        """The reporter's contact while a relay can still be addressed to it (not erased)."""
        if report.contact_id is None:
            return None
        return live(self._store.contacts.get_to_change(report.contact_id, session=session))

    def _apply(
        self,
        report_id: int,
        change: Callable[[Session, Report], None],
        *,
        allow_closed: bool,
    ) -> Report:
        with self._store.transaction() as session:
            report = self._store.reports.get_to_change(report_id, session=session)
            if report is None:
                raise ModerationError("No such report.")
            refusal = None if allow_closed else _closed(report)
            if refusal is not None:
                raise ModerationError(refusal)
            change(session, report)
            self._store.slack_posts.mark_cards_stale(session=session, report_id=report_id)
        for hook in self._on_changed:
            try:
                hook(report_id)
            except Exception:
                log.exception("report-changed hook failed for report #%s", report_id)
        return report


def relay_key(report_id: int, action: str, action_key: str | None, text: str) -> str | None:
    """The outbox dedupe key of one moderator action's relay (None: no identity, no dedupe).

    The same delivery (same action identity, same words) makes the same key however often it
    arrives; another modal or command, or other words, make another.
    """
    if not action_key:
        return None
    identity = "\x1f".join((str(report_id), action, action_key, text))
    return "relay:" + hashlib.sha256(identity.encode()).hexdigest()


def live(contact: Contact | None) -> Contact | None:
    """The contact, unless erased (its data key shredded): then nothing can be sent to it."""
    if contact is None or contact.wrapped_key is None:
        return None
    return contact


def reach_of(contact: Contact | None) -> Reach:
    """Whether a relay can reach a reporter, from their contact (None: unlinked or erased)."""
    if live(contact) is None:
        return Reach(reachable=False, reason="erased")
    assert contact is not None
    if contact.opted_out:
        return Reach(reachable=False, reason="opted_out")
    return Reach(reachable=True, reason="ok")


def _closed(report: Report) -> str | None:
    if report.status in CLOSED_REPORT_STATUSES:
        return f"Report {report.ref} is already {report.status}."
    return None


def _clean(text: str) -> str:
    """Trim, drop control characters, and keep a relayed text within a few SMS segments."""
    kept = "".join(ch for ch in text if ch in "\n" or ord(ch) >= 32).strip()
    return kept[:MAX_RELAY_CHARS]
