"""All persistence, in one place: a `Store` is one attribute per group of queries.

`store.reports.by_ref(...)`, `store.outbox.claim_due(...)`, `store.checkins.schedule(...)`: each
group lives in its own module (contacts, inbound, conversations, reports, outbox, check-ins,
check-in answers, Slack posts, decisions, upkeep, transparency, model jobs, a text's context);
callers get one `Store` passed in and never build queries themselves. `store.transaction()` and
`store.reading()` open a unit of work whose session a group's methods take as `session=` when a
change spans groups.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from flows.clocks import Clock
from flows.privacy import Vault
from flows.store.base import Database
from flows.store.checkin_answers import CheckinAnswerQueries
from flows.store.checkins import CheckinQueries, ClaimedCheckin
from flows.store.contacts import ContactQueries
from flows.store.conversations import ConversationQueries, SavedConversation
from flows.store.db import make_engine, normalise_url
from flows.store.decisions import DecisionQueries, PublishedDecision, RecordedDecision
from flows.store.inbound import InboundQueries, ProviderIdTaken, RecordedInbound
from flows.store.model_jobs import ClaimedJob, ModelJobQueries
from flows.store.outbox import ClaimedMessage, OutboxQueries
from flows.store.reports import NewReport, ReportQueries, ReportStats
from flows.store.slack_posts import ClaimedPost, SlackPostQueries, card_key
from flows.store.text_context import TextContext, TextContextQueries
from flows.store.transparency import TransparencyQueries
from flows.store.upkeep import DigestInputs, RetentionResult, UpkeepQueries


class Store:
    """The service's single entry point to the database."""

    def __init__(self, *, engine: Engine, vault: Vault, clock: Clock) -> None:
        self.db = Database(engine=engine, vault=vault, clock=clock)
        self.engine = engine
        self.vault = vault
        self.clock = clock
        self.contacts = ContactQueries(self.db)
        self.inbound = InboundQueries(self.db)
        self.conversations = ConversationQueries(self.db)
        self.reports = ReportQueries(self.db)
        self.outbox = OutboxQueries(self.db)
        self.checkins = CheckinQueries(self.db, outbox=self.outbox)
        self.checkin_answers = CheckinAnswerQueries(self.db)
        self.slack_posts = SlackPostQueries(self.db)
        self.decisions = DecisionQueries(self.db)
        self.upkeep = UpkeepQueries(self.db)
        self.transparency = TransparencyQueries(self.db)
        self.model_jobs = ModelJobQueries(self.db)
        self.text_context = TextContextQueries(self.db)

    @property
    def dialect(self) -> str:
        return self.db.dialect

    def is_reachable(self) -> bool:
        """Whether the database answers a trivial query (the web process's health check)."""
        return self.db.is_reachable()

    def is_writable(self) -> bool:
        """Whether the database can take a write now (readiness: see `Database.is_writable`)."""
        return self.db.is_writable()

    def transaction(self) -> AbstractContextManager[Session]:
        """One unit of work that writes: committed on success, rolled back on any exception."""
        return self.db.transaction()

    def reading(self) -> AbstractContextManager[Session]:
        """A read-only unit of work (on SQLite it neither waits for nor blocks the writer)."""
        return self.db.reading()


__all__ = [
    "ClaimedCheckin",
    "ClaimedJob",
    "ClaimedMessage",
    "ClaimedPost",
    "DigestInputs",
    "NewReport",
    "ProviderIdTaken",
    "PublishedDecision",
    "RecordedDecision",
    "RecordedInbound",
    "ReportStats",
    "RetentionResult",
    "SavedConversation",
    "Store",
    "TextContext",
    "card_key",
    "make_engine",
    "normalise_url",
]
