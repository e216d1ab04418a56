"""Logging for every process: one format, and the console kept for what an operator reads.

The scheduler logs each job run at INFO (every few seconds) and the HTTP clients log each
request: at INFO they would bury the cards and warnings a person watches the console for, so
they log at WARNING unless the operator asks for DEBUG.
"""

from __future__ import annotations

import logging

_CHATTY_LOGGERS = ("apscheduler", "httpx", "httpcore", "urllib3", "slack_sdk.web.base_client")


def configure_logging(level: str) -> None:
    numeric = logging.getLevelName(level.upper())
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(numeric)  # also when a host (uvicorn, pytest) set up handlers
    quiet = logging.DEBUG if numeric == logging.DEBUG else logging.WARNING
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
