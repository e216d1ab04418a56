"""Work that follows a committed change but must not hold up the reply: posting moderator cards.

A resident's SMS is answered from the webhook, and Twilio waits for that answer. Posting the
report's card to Slack takes one or more HTTPS calls, slow or failing when Slack is, so it runs
on one worker thread here rather than before the answer. Nothing is lost if the process
dies with work queued: each hook works from durable rows (the report, the card queue) and the
clock's `slack-posts` job finishes whatever is left (`CardPoster.queue_missing_cards`).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

# Beyond this many waiting tasks a new one runs in the caller's thread: under a burst the replies
# slow down a little rather than memory growing without bound.
MAX_QUEUED = 1000


class BackgroundWork:
    """One daemon thread running submitted callables in order; `drain()` waits for them."""

    def __init__(self, *, name: str = "after-commit", max_queued: int = MAX_QUEUED) -> None:
        self._name = name
        self._tasks: queue.Queue[Callable[[], None]] = queue.Queue(maxsize=max_queued)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, task: Callable[[], None]) -> None:
        self._ensure_started()
        try:
            self._tasks.put_nowait(task)
        except queue.Full:
            _run(task)

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every submitted task has run; False if `timeout` passed first."""
        if self._thread is None:
            return True
        done = threading.Event()
        try:
            # Behind everything queued so far (blocking if the queue is full, unlike `submit`).
            self._tasks.put(done.set, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                thread = threading.Thread(target=self._work, name=self._name, daemon=True)
                thread.start()
                self._thread = thread

    def _work(self) -> None:
        while True:
            _run(self._tasks.get())


def _run(task: Callable[[], None]) -> None:
    try:
        task()
    except Exception:
        # The durable rows stay queued; the clock's retry job picks them up.
        log.exception("background task failed")
