"""Work deferred past the reply runs in order on one thread, survives failures, and drains."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from bot.background import BackgroundWork


def test_tasks_run_in_order_on_another_thread_and_drain_waits_for_them() -> None:
    work = BackgroundWork()
    gate = threading.Event()
    seen: list[tuple[int, str]] = []
    work.submit(gate.wait)
    for n in range(3):
        work.submit(lambda n=n: seen.append((n, threading.current_thread().name)))
    assert seen == []  # still behind the gate: submit did not run anything itself
    gate.set()
    assert work.drain(timeout=5)
    assert [n for n, _ in seen] == [0, 1, 2]
    assert {name for _, name in seen} == {"after-commit"}


def test_a_failing_task_is_logged_and_the_next_still_runs(caplog: pytest.LogCaptureFixture) -> None:
    work = BackgroundWork()
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("slack is down")

    with caplog.at_level(logging.ERROR, logger="bot.background"):
        work.submit(boom)
        work.submit(lambda: ran.append("after"))
        assert work.drain(timeout=5)
    assert ran == ["after"]
    assert "background task failed" in caplog.text


def test_a_full_queue_runs_the_task_in_the_caller() -> None:
    work = BackgroundWork(max_queued=1)
    gate = threading.Event()
    work.submit(gate.wait)  # taken by the worker, which then blocks
    while work._tasks.qsize():  # until the worker has taken it
        time.sleep(0.001)
    work.submit(lambda: None)  # fills the queue
    callers: list[str] = []
    work.submit(lambda: callers.append(threading.current_thread().name))
    assert callers == [threading.current_thread().name]
    gate.set()
    assert work.drain(timeout=5)


def test_drain_with_nothing_submitted_returns_at_once() -> None:
    assert BackgroundWork().drain(timeout=0.1)
