"""Analysing ahead: a report's analysis starts once its story is complete and filing reuses it."""

from __future__ import annotations

import threading

import pytest

from flows.city import load_city_config
from flows.handling.analysis_ahead import PrefetchingAnalyser
from nlp.types import Analysis
from tests.recording_analyser import RecordingAnalyser
from tests.slack.service import eventually
from tests.support.analyser import KeywordAnalyser


def _recorded(
    *, gate: threading.Event | None = None, hold: str | None = None, fail: bool = False
) -> RecordingAnalyser:
    """The deterministic test analyser, recorded."""
    return RecordingAnalyser(
        KeywordAnalyser(city=load_city_config()), gate=gate, hold=hold, fail=fail
    )


STORY = "An officer pushed me on Water Street, my name is Ana Lopez"


def _wait_until_analysed(inner: RecordingAnalyser, count: int) -> None:
    assert eventually(lambda: len(inner.calls) >= count)


def test_a_prefetched_text_is_analysed_once_in_the_background_and_reused() -> None:
    inner = _recorded()
    analyser = PrefetchingAnalyser(analyser=inner)
    analyser.prefetch([STORY, "Water Street"])
    analyser.prefetch([STORY])  # already started: not again
    _wait_until_analysed(inner, 2)
    story, place, when = analyser.analyse_batch([STORY, "Water Street", "last night"])
    assert story.top_category == "use_of_force" and "[NAME]" in story.redacted
    assert place.district == "d2"
    assert when.redacted == "last night"
    ahead = [(t, name) for t, name in inner.calls if name.startswith("analyse-ahead")]
    assert sorted(t for t, _ in ahead) == sorted([STORY, "Water Street"])
    # Only the text never prefetched was analysed by the caller.
    here = [t for t, name in inner.calls if name == threading.current_thread().name]
    assert here == ["last night"]


ANSWER = "pushed near Water Street"  # a category word, and a place


def test_an_answer_analysed_without_categories_never_serves_a_full_analysis() -> None:
    inner = _recorded()
    analyser = PrefetchingAnalyser(analyser=inner)
    analyser.prefetch([ANSWER], categorise=False)
    _wait_until_analysed(inner, 1)
    [answer] = analyser.analyse_batch([ANSWER], categorise=False)
    assert answer.categories == () and answer.district == "d2"
    [full] = analyser.analyse_batch([ANSWER])  # not the answer's analysis
    assert full.categories
    assert inner.uncategorised == [ANSWER]
    assert [t for t, _ in inner.calls].count(ANSWER) == 2  # ahead, then the full analysis


def test_filing_waits_for_an_analysis_in_progress_rather_than_starting_another() -> None:
    gate = threading.Event()
    inner = _recorded(gate=gate)
    analyser = PrefetchingAnalyser(analyser=inner)
    analyser.prefetch([STORY])
    result: list[Analysis] = []
    filing = threading.Thread(target=lambda: result.extend(analyser.analyse_batch([STORY])))
    filing.start()
    filing.join(timeout=0.2)
    assert filing.is_alive() and result == []  # waiting for the analysis ahead
    gate.set()
    filing.join(timeout=10)
    assert [r.top_category for r in result] == ["use_of_force"]
    assert [t for t, _ in inner.calls] == [STORY]


def test_an_analysis_still_queued_is_taken_back_and_done_by_the_caller() -> None:
    gate = threading.Event()
    inner = _recorded(gate=gate, hold="a long story ahead of yours")
    analyser = PrefetchingAnalyser(analyser=inner)
    analyser.prefetch(["a long story ahead of yours"])
    assert eventually(lambda: analyser.queued() == 0)  # started: the thread is busy with it
    analyser.prefetch([STORY])  # queued behind the first
    assert analyser.queued() == 1
    [mine] = analyser.analyse_batch([STORY])  # does not wait for the first to finish
    assert mine.top_category == "use_of_force"
    assert (STORY, threading.current_thread().name) in inner.calls
    gate.set()
    analyser.analyse_batch(["a long story ahead of yours"])
    assert [t for t, _ in inner.calls].count(STORY) == 1  # the queued one never ran


def test_when_too_busy_nothing_more_is_started_ahead() -> None:
    gate = threading.Event()
    inner = _recorded(gate=gate)
    analyser = PrefetchingAnalyser(analyser=inner, max_pending=2)
    analyser.prefetch(["one", "two", "three"])
    gate.set()
    _wait_until_analysed(inner, 2)
    analyser.analyse_batch(["one", "two", "three"])
    names = {t: name for t, name in inner.calls}
    assert names["one"].startswith("analyse-ahead") and names["two"].startswith("analyse-ahead")
    assert names["three"] == threading.current_thread().name
    assert len(inner.calls) == 3


def test_a_failed_analysis_ahead_is_redone_by_the_caller_where_it_can_fail_loudly() -> None:
    inner = _recorded(fail=True)
    analyser = PrefetchingAnalyser(analyser=inner)
    analyser.prefetch([STORY])
    with pytest.raises(RuntimeError, match="model failed"):
        analyser.analyse_batch([STORY])
    assert [name for _, name in inner.calls][-1] == threading.current_thread().name


def test_texts_queued_together_are_analysed_in_one_batch_alike_in_categorising() -> None:
    gate = threading.Event()
    inner = _recorded(gate=gate, hold="the first story")
    analyser = PrefetchingAnalyser(analyser=inner, batch_size=2)
    analyser.prefetch(["the first story"])
    assert eventually(lambda: analyser.queued() == 0)
    analyser.prefetch(["story two", "story three", "story four"])
    analyser.prefetch(["on Water Street"], categorise=False)
    batches: list[list[str]] = []
    original = inner.analyse_batch

    def recording_batches(texts: list[str], *, categorise: bool = True) -> list[Analysis]:
        batches.append(list(texts))
        return original(texts, categorise=categorise)

    inner.analyse_batch = recording_batches  # type: ignore[method-assign]
    gate.set()
    assert eventually(lambda: analyser.queued() == 0 and len(inner.calls) == 5)
    assert batches == [["story two", "story three"], ["story four"], ["on Water Street"]]
    assert inner.uncategorised == ["on Water Street"]


def test_only_the_most_recent_texts_are_kept() -> None:
    inner = _recorded()
    analyser = PrefetchingAnalyser(analyser=inner, max_entries=2)
    analyser.prefetch(["a", "b", "c"])
    _wait_until_analysed(inner, 3)
    analyser.analyse_batch(["a", "b", "c"])
    here = [t for t, name in inner.calls if name == threading.current_thread().name]
    assert here == ["a"]  # evicted: analysed again by the caller
