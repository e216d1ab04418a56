"""Fixtures for the conversation tests: the shipped flow, catalogues and city, and a resident
texting the real ConversationRunner on a SQLite store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.outbox import OutboxDispatcher
from flows.checkins.jobs import FollowUps
from flows.city import CityConfig, load_city_config
from flows.clocks import FixedClock
from flows.conversation.catalog import Catalog, load_catalog
from flows.conversation.flowdef import Flow, load_flow
from flows.handling.model_worker import ModelWorker
from flows.handling.queued_analysis import QueuedAnalyser
from flows.handling.runner import ConversationRunner
from flows.handling.sender_limits import SenderGate
from flows.privacy import Vault
from flows.reports.late_filing import LateFiling
from flows.store import Store, make_engine
from tests.fakes.notifier import RecordingNotifier
from tests.flows.resident import START, Resident
from tests.recording_analyser import RecordingAnalyser
from tests.support.analyser import KeywordAnalyser
from tests.support.checkins import RecordingSender


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def flow(catalog: Catalog) -> Flow:
    return load_flow(catalog=catalog)


@pytest.fixture(scope="session")
def city() -> CityConfig:
    return load_city_config()


@pytest.fixture
def clock() -> FixedClock:
    """The conversations' clock (overrides the shared one): an afternoon in Riverton."""
    return FixedClock(START)


@pytest.fixture
def sqlite_store(
    sqlite_template: Path, tmp_path: Path, vault: Vault, clock: FixedClock
) -> Iterator[Store]:
    path = tmp_path / "conversations.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield Store(engine=engine, vault=vault, clock=clock)
    engine.dispose()


@pytest.fixture
def resident(
    sqlite_store: Store, clock: FixedClock, city: CityConfig, flow: Flow, catalog: Catalog
) -> Resident:
    return _resident(sqlite_store, clock, city, flow, catalog, queued=False)


@pytest.fixture
def queued_resident(
    sqlite_store: Store, clock: FixedClock, city: CityConfig, flow: Flow, catalog: Catalog
) -> Resident:
    """A resident of a web process without models: its model work goes to the database queue,
    for the `worker` fixture to do (`resident.analyser`: what the worker's models read)."""
    return _resident(sqlite_store, clock, city, flow, catalog, queued=True)


@pytest.fixture
def worker(queued_resident: Resident, city: CityConfig, catalog: Catalog) -> ModelWorker:
    """The worker process of `queued_resident`'s service (its cards recorded in `.filed`)."""
    resident = queued_resident
    store = resident.store
    return ModelWorker(
        store=store,
        analyser=resident.analyser,
        screener=resident.screening,
        on_screened=lambda contact_id, s, corrected: resident.runner.screened(
            contact_id=contact_id, screening=s, language_corrected=corrected
        ),
        late_filing=LateFiling(
            store=store,
            city=city,
            catalog=catalog,
            followups=resident.followups,
            on_report_filed=[resident.cards.append],
        ),
        name="test-worker",
    )


def _resident(
    store: Store,
    clock: FixedClock,
    city: CityConfig,
    flow: Flow,
    catalog: Catalog,
    *,
    queued: bool,
) -> Resident:
    screening = KeywordAnalyser(city=city)
    analyser = RecordingAnalyser(screening)
    notifier = RecordingNotifier()
    followups = FollowUps(store=store, city=city, catalog=catalog, notifier=notifier)
    sender = RecordingSender()
    prefetched: list[tuple[str, ...]] = []
    cards: list[int] = []

    def prefetch(
        texts: Sequence[str],
        *,
        categorise: bool = True,
        session: Session | None = None,
        contact_id: int | None = None,
        later: bool = False,
    ) -> None:
        prefetched.append(tuple(texts))

    # Waits a moment only: the tests run the worker themselves, when they choose.
    queue = QueuedAnalyser(store=store, screener=screening, wait_seconds=0.05)
    runner = ConversationRunner(
        store=store,
        city=city,
        flow=flow,
        catalog=catalog,
        analyser=queue if queued else analyser,
        followups=followups,
        prefetch=queue.prefetch if queued else prefetch,
        full_screening=queue.request_full_screen if queued else None,
        on_report_filed=[cards.append],
        gate=SenderGate(
            store=store,
            limits=city.limits,
            catalog=catalog,
            on_limited=[lambda line: notifier.post_notice("triage", line)],
        ),
    )
    return Resident(
        runner=runner,
        store=store,
        clock=clock,
        flow=flow,
        catalog=catalog,
        screening=screening,
        analyser=analyser,
        followups=followups,
        dispatcher=OutboxDispatcher(store=store, senders={"sms": sender}),
        sender=sender,
        prefetched=prefetched,
        notifier=notifier,
        cards=cards,
    )
