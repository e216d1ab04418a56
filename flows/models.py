"""The database tables (SQLModel). Queries live in `flows.store`, nowhere else.

Privacy by construction: a reporter's address (phone number or Slack user ID) and everything they
wrote are stored only as Fernet tokens under that reporter's own data key (`Contact.wrapped_key`,
itself encrypted under the service's master keys). Erasing a reporter shreds that key, which makes
every one of their tokens unreadable at once. The only plaintext about a report is its redacted
text and its analysis.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString

from flows.statuses import (
    CheckinState,
    InboundState,
    JobState,
    OutboundStatus,
    ReportState,
    SlackPostStatus,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite has no time zones; we store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _status(default: str, *, index: bool = False) -> Any:
    """A status column: the enum in Python, a VARCHAR(16) in the database."""
    return Field(default=default, sa_type=AutoString(length=16), index=index)


def _utc(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Contact(SQLModel, table=True):
    """A reporter on one channel, known only by an HMAC pseudonym of their address."""

    __table_args__ = (UniqueConstraint("channel", "pseudonym", name="uq_contact_pseudonym"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    pseudonym: str = Field(max_length=64, index=True)
    # This contact's data key, encrypted under the master keys; NULL once shredded (erased).
    wrapped_key: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    address_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    language: str = Field(default="en", max_length=8)
    opted_out: bool = False
    opted_out_at: datetime | None = _utc(nullable=True)
    erased_at: datetime | None = _utc(nullable=True)
    created_at: datetime = _utc()


class Conversation(SQLModel, table=True):
    """Where a contact is in a conversation: the engine's state, saved after every step.

    The state holds the story being told, so it is encrypted under the contact's data key.
    `version` makes saves compare-and-swap: two messages from one person never lose an update.
    """

    contact_id: int = Field(primary_key=True, foreign_key="contact.id")
    state_enc: str = Field(sa_column=Column(Text, nullable=False))
    version: int = 0
    # When the engine wants a Tick (idle timeout); lets the clock find due conversations cheaply.
    wake_at: datetime | None = _utc(nullable=True, index=True)
    updated_at: datetime = _utc()


class InboundMessage(SQLModel, table=True):
    """Every message received, persisted before it is answered; unique per provider message id."""

    __table_args__ = (UniqueConstraint("channel", "provider_id", name="uq_inbound_provider_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    provider_id: str = Field(max_length=64)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    body_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    media_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    num_media: int = 0
    state: InboundState = _status(InboundState.RECEIVED)
    reply_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    received_at: datetime = _utc()
    answered_at: datetime | None = _utc(nullable=True)


class OutboundMessage(SQLModel, table=True):
    """One message the service sends later (relays, check-ins): a row first, then the API call."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True)
    channel: str = Field(default="sms", max_length=16)
    purpose: str = Field(default="reply", max_length=32)
    # Optional caller key so enqueueing the same logical message twice makes one row.
    dedupe_key: str | None = Field(default=None, max_length=128, unique=True)
    body_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: OutboundStatus = _status(OutboundStatus.QUEUED, index=True)
    provider_id: str | None = Field(default=None, max_length=64, unique=True)
    attempts: int = 0
    next_attempt_at: datetime | None = _utc(nullable=True, index=True)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class Report(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=16, unique=True)
    # NULL once the reporter is erased: the redacted report stays with the council.
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    channel: str = Field(max_length=16)
    language: str = Field(default="en", max_length=8)
    status: ReportState = _status(ReportState.NEW, index=True)
    anonymous: bool = True
    contact_ok: bool = False
    consent_checkins: bool = False
    urgent: bool = False
    raw_text_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    redacted_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    analysis: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    destinations: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    top_category: str | None = Field(default=None, max_length=64, index=True)
    triage: bool = True
    urgency: str = Field(default="none", max_length=16)
    district: str | None = Field(default=None, max_length=32, index=True)
    # The reporter's own words for where and when, redacted (raw only inside raw_text_enc).
    place_text: str | None = Field(default=None, max_length=500)
    when_text: str | None = Field(default=None, max_length=500)
    # Indexed: the transparency figures read only the reports filed in the published months.
    created_at: datetime = _utc(index=True)
    updated_at: datetime = _utc()
    # When the audit trail first shows it taken up, resolved, marked spam (whatever happened
    # since): kept by the store with each such event (flows/store/milestones.py), read by the
    # transparency figures.
    first_taken_up_at: datetime | None = _utc(nullable=True)
    first_resolved_at: datetime | None = _utc(nullable=True)
    first_spam_at: datetime | None = _utc(nullable=True)


class ReportEvent(SQLModel, table=True):
    """The audit trail: every change to a report, by whom (a moderator's Slack ID, or `system`)."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    at: datetime = _utc()
    actor: str = Field(max_length=64)
    action: str = Field(max_length=32)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class SlackPost(SQLModel, table=True):
    """One message the bot posts in Slack for a report: a moderator card, or a line in its thread.

    A row first, then the API call (like the outbox), so a post is never lost and, because `key`
    is unique and `ts` is recorded, never made twice. Only redacted text is ever stored here.
    """

    id: int | None = Field(default=None, primary_key=True)
    # "card:{report}:{destination}" or "thread:{report}:{destination}:{origin}": one row per post.
    key: str = Field(max_length=160, unique=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    # card | thread (a moderator-side line) | answer (a reporter's redacted words)
    kind: str = Field(max_length=16)
    destination: str = Field(max_length=64)
    # The channel as configured (name or ID) and, once posted, Slack's ID and the message ts.
    channel: str = Field(max_length=80)
    channel_id: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    # Thread lines: the (redacted) text to post. Cards: an optional notice shown on the card.
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: SlackPostStatus = _status(SlackPostStatus.PENDING, index=True)
    # A posted card whose content changed: chat.update is due.
    stale: bool = Field(default=False, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = _utc(nullable=True, index=True)
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class SlackEventSeen(SQLModel, table=True):
    """Events API deliveries already taken: a retry (X-Slack-Retry-Num) is acked, not redone."""

    event_id: str = Field(primary_key=True, max_length=64)
    seen_at: datetime = _utc()


class ModeratorCorrection(SQLModel, table=True):
    """A moderator's reroute, kept as a labelled example (redacted text → category) for training."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    redacted_text: str = Field(sa_column=Column(Text, nullable=False))
    previous_category: str | None = Field(default=None, max_length=64)
    category: str = Field(max_length=64)
    destination: str = Field(max_length=64)
    actor: str = Field(max_length=64)
    at: datetime = _utc()


class Checkin(SQLModel, table=True):
    """One follow-up question to a reporter who consented, sent at its due time (exactly once).

    pending → claimed (by one clock process) → sent (queued in the outbox) → answered | no_answer;
    pending or claimed → cancelled (STOP, DELETE, the report resolved / closed / spam). One row
    per report and kind: scheduling the same check-in twice is a no-op.
    """

    __table_args__ = (UniqueConstraint("report_id", "kind", name="uq_checkin_report_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    # Kept on the row because erasure unlinks the report from its contact.
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    kind: str = Field(max_length=32)
    due_at: datetime = _utc(index=True)
    state: CheckinState = _status(CheckinState.PENDING, index=True)
    attempts: int = 0
    # Moderator text sent with the question (the resolution note); never the reporter's words.
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The reporter's choice ("1".."5"), or "text" when they wrote something else (appended,
    # redacted, to the report); their own words are never stored here.
    answer: str | None = Field(default=None, max_length=16)
    outbound_id: int | None = Field(default=None, foreign_key="outboundmessage.id")
    cancel_reason: str | None = Field(default=None, max_length=32)
    created_at: datetime = _utc()
    claimed_at: datetime | None = _utc(nullable=True)
    sent_at: datetime | None = _utc(nullable=True, index=True)
    answered_at: datetime | None = _utc(nullable=True)


class PeriodicRun(SQLModel, table=True):
    """Marks a periodic job's period as done (e.g. the digest for week 2026-W10 to one channel),
    so a restart, `cpps clock --once` or a second clock process never repeats it."""

    job: str = Field(primary_key=True, max_length=64)
    period: str = Field(primary_key=True, max_length=32)
    done_at: datetime = _utc()


class Decision(SQLModel, table=True):
    """What was decided and done about a report, as residents may read it (issue 14).

    The summary is stored only redacted (a moderator's words pass through the same redactor as a
    resident's). A correction is a new row pointing at the one it corrects (`corrects_id`): the
    old version is kept, and readers see the latest published one, labelled as corrected.
    `action_key` is the moderator action's identity (a modal's view id), so a replayed
    submission records nothing twice.
    """

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    # Party keys of the city file (a destination's `parties`), e.g. ["council-members"].
    parties: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    published: bool = Field(default=False, index=True)
    published_at: datetime | None = _utc(nullable=True)
    # The moderator, as the audit trail names them (their Slack user ID); never a reporter.
    actor: str = Field(max_length=64)
    corrects_id: int | None = Field(default=None, foreign_key="decision.id")
    action_key: str | None = Field(default=None, max_length=128, unique=True)
    created_at: datetime = _utc()


class ModelJob(SQLModel, table=True):
    """One piece of model work (analyse, answer, screen, redact) for the worker process (issue 15).

    Web processes enqueue it and read its result; a worker claims it under a lease. `key` is the
    vault's keyed HMAC of the text (`Vault.text_key`), so equal texts make one job. The text is
    sealed under the master keys and dropped (`payload_enc` NULL) once the job is done or has
    failed: the raw words live no longer than the job.
    """

    __tablename__ = "model_job"
    # The claim: queued (or running with a passed lease) jobs in (priority, id) order.
    __table_args__ = (Index("ix_model_job_claim", "state", "priority", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    # What to do (the queue does not interpret it): "analyse", "answer", "screen", "redact".
    kind: str = Field(max_length=16)
    key: str = Field(max_length=64, unique=True)
    # Lower first.
    priority: int = 1
    payload_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Whose text (screen jobs) and which inbound message, for the callers.
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    inbound_id: int | None = None
    # Not indexed alone: the claim index leads with it.
    state: JobState = _status(JobState.QUEUED)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = _utc(nullable=True)
    # none_as_null: a job without a result has SQL NULL here, not the JSON `null`.
    result: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # An exception's class name, never a text.
    error: str | None = Field(default=None, max_length=200)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
