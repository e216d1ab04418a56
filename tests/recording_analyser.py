"""An analyser wrapper for tests: records which texts were analysed, and on which thread."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from flows.conversation.events import Screening
from flows.handling.model_worker import Models
from nlp.types import Analysis


class RecordingAnalyser:
    """Delegates to `inner`; can hold a text (or every text) until `gate` is set, or fail."""

    def __init__(
        self,
        inner: Models,
        *,
        gate: threading.Event | None = None,
        hold: str | None = None,
        fail: bool = False,
    ) -> None:
        self._inner = inner
        self.calls: list[tuple[str, str]] = []  # (text, thread name), in order
        self.uncategorised: list[str] = []  # texts analysed with categorise=False
        self._gate = gate
        self._hold = hold  # only this text waits for the gate (None: every text)
        self._fail = fail
        self._lock = threading.Lock()

    def thread_of(self, text: str) -> str:
        """The thread that last analysed `text`."""
        return next(name for t, name in reversed(self.calls) if t == text)

    def screen(self, text: str) -> Screening:
        return self._inner.screen(text)

    def screen_batch(
        self, texts: Sequence[str], *, categorise: Sequence[bool] | None = None
    ) -> list[Screening]:
        return self._inner.screen_batch(texts, categorise=categorise)

    def analyse(self, text: str) -> Analysis:
        return self.analyse_batch([text])[0]

    def analyse_batch(self, texts: Sequence[str], *, categorise: bool = True) -> list[Analysis]:
        if self._gate is not None and (self._hold is None or self._hold in texts):
            self._gate.wait(timeout=10)
        with self._lock:
            self.calls.extend((t, threading.current_thread().name) for t in texts)
            if not categorise:
                self.uncategorised.extend(texts)
        if self._fail:
            raise RuntimeError("model failed")
        return self._inner.analyse_batch(texts, categorise=categorise)
