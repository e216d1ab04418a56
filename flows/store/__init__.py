"""All persistence, in one place: `Store` gathers every group of queries.

Each group lives in its own module (contacts, messages, reports, outbox, …); callers get one
`Store` passed in and never build queries themselves.
"""

from flows.store.checkin_answers import CheckinAnswerQueries
from flows.store.checkins import CheckinQueries, ClaimedCheckin
from flows.store.contacts import ContactQueries
from flows.store.db import make_engine, normalise_url
from flows.store.messages import MessageQueries, RecordedInbound, SavedConversation
from flows.store.moderation import ModerationQueries, ReportStats
from flows.store.outbox import ClaimedMessage, OutboxQueries
from flows.store.reports import NewReport, ReportQueries
from flows.store.slack_posts import ClaimedPost, SlackPostQueries, card_key
from flows.store.upkeep import DigestInputs, RetentionResult, UpkeepQueries


class Store(
    ContactQueries,
    MessageQueries,
    ReportQueries,
    CheckinQueries,
    CheckinAnswerQueries,
    OutboxQueries,
    UpkeepQueries,
    ModerationQueries,
    SlackPostQueries,
):
    """The service's single entry point to the database."""


__all__ = [
    "ClaimedCheckin",
    "ClaimedMessage",
    "ClaimedPost",
    "DigestInputs",
    "NewReport",
    "RecordedInbound",
    "ReportStats",
    "RetentionResult",
    "SavedConversation",
    "Store",
    "card_key",
    "make_engine",
    "normalise_url",
]
