"""Model work through the database: a process without models (`QueuedAnalyser`) queues it, a
worker (`ModelWorker`) does it, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlmodel import col, select

from flows.city import CityConfig, load_city_config
from flows.conversation.catalog import load_catalog
from flows.handling.model_worker import Models, ModelWorker, adds_to
from flows.handling.queued_analysis import (
    IN_TURN,
    LATER,
    WAITED_FOR,
    AnalysisNotReady,
    QueuedAnalyser,
)
from flows.models import ModelJob
from flows.reports.filing import analyse_report
from flows.reports.late_filing import LateFiling
from flows.store import Store
from nlp.types import Screening
from tests.flows.resident import Resident
from tests.recording_analyser import RecordingAnalyser
from tests.support.analyser import KeywordAnalyser

STORY = "An officer pushed my brother against the car on Water Street"
ANSWER = "near the Water Street bus stop"


@pytest.fixture(scope="module")
def city() -> CityConfig:
    return load_city_config()


@pytest.fixture
def models(city: CityConfig) -> RecordingAnalyser:
    """What the worker's models would find (deterministic), recording what they read."""
    return RecordingAnalyser(KeywordAnalyser(city=city))


def _web(store: Store, city: CityConfig, *, wait: float = 5.0) -> QueuedAnalyser:
    # The web process's screening: the same keyword reader, with no urgency of its own.
    return QueuedAnalyser(store=store, screener=KeywordAnalyser(city=city), wait_seconds=wait)


def _worker(
    store: Store,
    models: Models,
    screened: list[tuple[int, Screening]],
    name: str,
) -> ModelWorker:
    city = load_city_config()
    return ModelWorker(
        store=store,
        analyser=models,
        screener=KeywordAnalyser(city=city),
        on_screened=lambda contact_id, s, _: screened.append((contact_id, s)),
        late_filing=LateFiling(store=store, city=city, catalog=load_catalog(), followups=None),
        name=name,
    )


@contextmanager
def running(worker: ModelWorker) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_forever, kwargs={"stop": stop, "idle_seconds": 0.01}
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def test_a_web_process_gets_the_worker_s_analysis(
    store: Store, city: CityConfig, models: RecordingAnalyser
) -> None:
    with running(_worker(store, models, [], "w1")):
        [analysis] = _web(store, city).analyse_batch([STORY])
    assert analysis == KeywordAnalyser(city=city).analyse(STORY)
    assert analysis.top_category == "use_of_force"


def test_an_analysis_ahead_serves_whichever_web_process_files(
    store: Store, city: CityConfig, models: RecordingAnalyser
) -> None:
    first, second = _web(store, city), _web(store, city)
    with store.transaction() as session:
        first.prefetch([STORY], session=session)
        first.prefetch([ANSWER], categorise=False, session=session)
    worker = _worker(store, models, [], "w1")
    assert worker.run_once() == 2
    [story] = second.analyse_batch([STORY])
    [answer] = second.analyse_batch([ANSWER], categorise=False)
    assert story.categories and not answer.categories
    # Analysed once each, by the worker: the second process only read the results.
    assert sorted(text for text, _ in models.calls) == sorted([STORY, ANSWER])
    assert models.uncategorised == [ANSWER]
    assert worker.run_once() == 0


def test_the_words_leave_the_queue_with_the_job(
    store: Store, city: CityConfig, models: RecordingAnalyser
) -> None:
    _web(store, city).prefetch([STORY])
    with store.reading() as session:
        (job,) = session.query(ModelJob).all()
        assert job.payload_enc is not None and "Water Street" not in job.payload_enc
        assert "Water" not in job.key
    _worker(store, models, [], "w1").run_once()
    with store.reading() as session:
        (job,) = session.query(ModelJob).all()
        assert job.payload_enc is None and job.state == "done"


def test_without_a_worker_the_wait_is_bounded(store: Store, city: CityConfig) -> None:
    with pytest.raises(AnalysisNotReady):
        _web(store, city, wait=0.2).analyse_batch([STORY])


def test_a_filing_waits_once_for_its_story_and_its_answers(store: Store, city: CityConfig) -> None:
    """The story and the place and time answers are asked for together, all first in the queue,
    and waited for once: a filing's wait is bounded by CPPS_FILING_WAIT_SECONDS, not twice it."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    web = QueuedAnalyser(
        store=store,
        screener=KeywordAnalyser(city=city),
        wait_seconds=0.5,
        monotonic=lambda: now[0],
        sleep=sleep,
    )
    web.prefetch(["Water Street by the school"], categorise=False)  # queued ahead: moved up
    with pytest.raises(AnalysisNotReady, match="3 of 3"):
        analyse_report(
            web, story=STORY, place_text="Water Street by the school", when_text="last night"
        )
    assert now[0] == pytest.approx(0.5, abs=0.05)
    with store.reading() as session:
        jobs = session.exec(select(ModelJob)).all()
        assert sorted((job.kind, job.priority) for job in jobs) == [
            ("analyse", WAITED_FOR),
            ("answer", WAITED_FOR),
            ("answer", WAITED_FOR),
        ]


def test_a_text_the_models_cannot_read_is_not_waited_for_forever(
    store: Store, city: CityConfig
) -> None:
    broken = RecordingAnalyser(KeywordAnalyser(city=city), fail=True)
    worker = _worker(store, broken, [], "w1")
    _web(store, city).prefetch([STORY])
    while worker.run_once():
        pass  # retried until the queue gives up on it
    with pytest.raises(AnalysisNotReady, match="could not"):
        _web(store, city, wait=5).analyse_batch([STORY])


def test_the_full_screening_reaches_the_conversation_only_when_it_adds(
    store: Store, city: CityConfig
) -> None:
    contact = store.contacts.get_or_create(channel="sms", address="+15555550101")
    assert contact.id is not None
    keywords = KeywordAnalyser(city=city)
    crisis = "Since the raid I have been giving my things away"
    plain = "The streetlight on my block has been out for weeks"
    keywords.dictate(crisis, Screening(language="en", urgency="crisis"))
    web = _web(store, city)
    with store.transaction() as session:
        for inbound_id, text in enumerate((crisis, plain), start=1):
            web.request_full_screen(
                session,
                contact_id=contact.id,
                inbound_id=inbound_id,
                text=text,
                screening=web.screen(text),
            )
        bare = Screening(language="en", no_story=True)
        web.request_full_screen(
            session, contact_id=contact.id, inbound_id=3, text="1", screening=bare
        )
    screened: list[tuple[int, Screening]] = []
    worker = _worker(store, keywords, screened, "w1")
    # "1" has no words of substance: nothing to queue.
    assert worker.run_once() == 2
    assert [(cid, s.urgency) for cid, s in screened] == [(contact.id, "crisis")]


def test_only_a_story_s_text_is_screened_for_its_category(queued_resident: Resident) -> None:
    """A story's text is queued for the full screening; an answer to a question for urgency
    only (a category read in "Water Street, by the school" would be noise)."""
    resident = queued_resident
    resident.send("An officer pushed my brother on Water Street")
    resident.send("1")  # anonymous (the test's screener reads words of substance in any text)
    resident.send("Water Street by the school")
    with resident.store.reading() as session:
        kinds = [job.kind for job in session.exec(select(ModelJob).order_by(col(ModelJob.id)))]
    assert [k for k in kinds if k.startswith("screen")] == [
        "screen",
        "screen-answer",
        "screen-answer",
    ]


def test_screening_an_answer_reads_its_urgency_not_its_category(
    store: Store, city: CityConfig
) -> None:
    contact = store.contacts.get_or_create(channel="sms", address="+15555550102")
    assert contact.id is not None
    keywords = KeywordAnalyser(city=city)
    praise = "Thank the officer at the Water Street station"
    crisis = "By the bridge, I cannot go on after this"
    keywords.dictate(praise, Screening(language="en", category="praise"))
    keywords.dictate(crisis, Screening(language="en", urgency="crisis"))
    web = _web(store, city)
    with store.transaction() as session:
        for inbound_id, (text, story) in enumerate(
            ((praise, False), (crisis, False), (praise, True)), start=1
        ):
            web.request_full_screen(
                session,
                contact_id=contact.id,
                inbound_id=inbound_id,
                text=text,
                screening=web.screen(text),
                story=story,
            )
    screened: list[tuple[int, Screening]] = []
    assert _worker(store, keywords, screened, "w1").run_once() == 3
    # A crisis reaches the conversation whatever the text answered; a category only from a
    # story's text.
    assert [(s.urgency, s.category) for _, s in screened] == [
        ("crisis", None),
        ("none", "praise"),
    ]


def test_what_a_full_screening_adds() -> None:
    light = Screening(language="en")
    assert adds_to(Screening(language="en", urgency="crisis"), light)
    assert adds_to(Screening(language="en", category="praise"), light)
    assert not adds_to(Screening(language="en"), light)
    emergency = Screening(language="en", urgency="emergency")
    assert not adds_to(emergency, emergency)


def test_an_analysis_waited_for_goes_before_the_queue(
    store: Store, city: CityConfig, models: RecordingAnalyser
) -> None:
    web = _web(store, city, wait=0.05)
    web.prefetch(["the first story ahead", "the second story ahead"])
    web.prefetch([STORY])
    with pytest.raises(AnalysisNotReady):
        web.analyse_batch([STORY])  # a filing's short wait: no worker yet
    worker = ModelWorker(
        store=store,
        analyser=models,
        screener=KeywordAnalyser(city=city),
        on_screened=lambda *_: None,
        late_filing=LateFiling(store=store, city=city, catalog=load_catalog(), followups=None),
        name="w1",
        batch_size=1,
    )
    assert worker.run_once() == 1
    assert [text for text, _ in models.calls] == [STORY]


def test_a_sender_texting_back_to_back_has_their_model_work_queued_last(
    queued_resident: Resident, city: CityConfig
) -> None:
    """Past half the minute's limit a sender's screenings and analyses go after everyone
    else's (`sender_limits.busy`): a flood must not make other residents' filings wait."""
    resident = queued_resident
    busy_from = max(3, city.limits.texts_per_minute // 2)
    for i in range(busy_from + 1):
        resident.send(f"An officer pushed my brother on Water Street, time {i}", after=1)
    with resident.store.reading() as session:
        jobs = session.exec(select(ModelJob).order_by(col(ModelJob.id))).all()
        screens = [job.priority for job in jobs if job.kind == "screen"]
    assert screens[0] == IN_TURN
    assert screens[-1] == LATER
    assert screens.index(LATER) == busy_from  # from the text the counts first show it busy
