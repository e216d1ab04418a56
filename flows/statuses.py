"""The lifecycles of the stored rows, as enums: a misspelt status is a type error, not a row that
no query ever finds again.

They are `StrEnum`s stored as plain strings (the columns stay VARCHAR): a member equals its
string, so rows, JSON details and callers that still pass literals all agree.
"""

from __future__ import annotations

from enum import StrEnum


class ReportState(StrEnum):
    """`Report.status`: new → routed → acknowledged → in_progress → resolved | closed | spam."""

    NEW = "new"
    ROUTED = "routed"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    SPAM = "spam"


OPEN_REPORT_STATUSES = (
    ReportState.NEW,
    ReportState.ROUTED,
    ReportState.ACKNOWLEDGED,
    ReportState.IN_PROGRESS,
)
# No more check-ins (except a resolution's own question) once a report is in one of these.
CLOSED_REPORT_STATUSES = (ReportState.RESOLVED, ReportState.CLOSED, ReportState.SPAM)


class InboundState(StrEnum):
    """`InboundMessage.state`: received → answered, or limited (kept, not acted on: the sender
    passed a limit of the city file). A retry of an answered or limited message gets the stored
    reply again."""

    RECEIVED = "received"
    ANSWERED = "answered"
    LIMITED = "limited"


class OutboundStatus(StrEnum):
    """`OutboundMessage.status`: queued → sending → sent → delivered | failed | undelivered;
    blocked (opted out / erased); uncertain (a send with no answer: the provider may have it;
    the next attempt looks it up first). The provider's callbacks may also report accepted,
    scheduled and read."""

    QUEUED = "queued"
    UNCERTAIN = "uncertain"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    READ = "read"
    BLOCKED = "blocked"


class CheckinState(StrEnum):
    """`Checkin.state`: pending → claimed → sent → answered | no_answer; pending or claimed →
    cancelled."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    CANCELLED = "cancelled"


# Not yet sent: what STOP, DELETE or closing the report cancels.
OPEN_CHECKIN_STATES = (CheckinState.PENDING, CheckinState.CLAIMED)


class SlackPostStatus(StrEnum):
    """`SlackPost.status`: pending → posting → posted | failed; uncertain (a card post with no
    answer, or left `posting` by a process that died: Slack may have it; the next attempt looks
    it up in the channel first)."""

    PENDING = "pending"
    UNCERTAIN = "uncertain"
    POSTING = "posting"
    POSTED = "posted"
    FAILED = "failed"


class JobState(StrEnum):
    """`ModelJob.state`: queued → running → done | failed; running → queued again when an
    attempt fails (or its worker's lease runs out) before the last allowed attempt."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
