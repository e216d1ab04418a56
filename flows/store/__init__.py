"""All persistence, in one place: `Store` gathers every group of queries.

Each group lives in its own module (contacts, messages, reports, outbox, …); callers get one
`Store` passed in and never build queries themselves.
"""

from flows.store.checkins import CheckinQueries, ClaimedCheckin
from flows.store.contacts import ContactQueries
from flows.store.db import make_engine, normalise_url
from flows.store.messages import MessageQueries, RecordedInbound, SavedConversation
from flows.store.outbox import ClaimedMessage, OutboxQueries
from flows.store.reports import NewReport, ReportQueries
from flows.store.upkeep import DigestInputs, RetentionResult, UpkeepQueries


class Store(
    ContactQueries, MessageQueries, ReportQueries, CheckinQueries, OutboxQueries, UpkeepQueries
):
    """The service's single entry point to the database."""


__all__ = [
    "ClaimedCheckin",
    "ClaimedMessage",
    "DigestInputs",
    "NewReport",
    "RecordedInbound",
    "RetentionResult",
    "SavedConversation",
    "Store",
    "make_engine",
    "normalise_url",
]
