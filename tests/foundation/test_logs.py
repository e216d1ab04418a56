"""The console keeps to what an operator reads: scheduler and HTTP-client chatter below INFO."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging

CHATTY = ("apscheduler.executors.default", "httpx")


@pytest.fixture(autouse=True)
def _restore_levels() -> Iterator[None]:
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in ("apscheduler", "httpx"))]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_job_runs_and_requests_are_not_logged_at_info() -> None:
    configure_logging("INFO")
    for name in CHATTY:
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
        assert logging.getLogger(name).isEnabledFor(logging.WARNING)
    assert logging.getLogger("bot.outbox").isEnabledFor(logging.INFO)


def test_debug_shows_everything() -> None:
    configure_logging("debug")
    for name in CHATTY:
        assert logging.getLogger(name).isEnabledFor(logging.DEBUG)
