"""The Slack app (slack-bolt, sync) that `POST /slack/events` dispatches to.

Every request is verified by Bolt with the signing secret (401 when the signature is wrong or the
timestamp more than 5 minutes off). Listeners run on Bolt's executor after the acknowledgement
(`process_before_response=False`), so a slow database or Slack call never delays the answer
Slack waits for; what each listener does is in `bot.slack.listeners`.
"""

from __future__ import annotations

import logging
import traceback
from concurrent.futures import Executor

from slack_bolt import App
from slack_sdk import WebClient


def quiet_slack_loggers() -> logging.Logger:
    """Bolt logs a rejected request's whole body at INFO and the SDK logs requests at DEBUG: a
    resident's words or Slack ID must not reach a log line, so both stay at WARNING and above."""
    for name in ("slack_bolt", "slack_sdk"):
        logging.getLogger(name).setLevel(logging.WARNING)
    base = logging.getLogger("bot.slack.bolt")
    base.setLevel(logging.WARNING)
    return base


def build_slack_app(
    *, signing_secret: str, client: WebClient, listener_executor: Executor | None = None
) -> App:
    """The app without listeners (`bot.slack.listeners.register` adds them)."""
    app = App(
        signing_secret=signing_secret,
        client=client,
        token_verification_enabled=False,  # checked on the first request, not at import time
        process_before_response=False,
        logger=quiet_slack_loggers(),
        listener_executor=listener_executor,
    )
    app.error(log_failure)
    return app


def log_failure(error: Exception) -> None:
    """Bolt's own handler logs `str(error)` and its traceback, and an error's message can repeat
    what the request held (`unknown url type: "['', 'U…']"`): log its type and where it was
    raised, which is enough to find it and holds no value."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "unknown"
    logging.getLogger("bot.slack.bolt").error(
        "a Slack listener failed: %s at %s", type(error).__name__, where
    )
