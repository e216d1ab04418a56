"""A ModeratorNotifier that records what would be posted to Slack."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class RecordingNotifier:
    thread_posts: list[tuple[int, str]] = field(default_factory=list)
    digests: list[tuple[str, str]] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)
    fail_digests: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def post_to_report_thread(self, report_id: int, text: str) -> None:
        with self._lock:
            self.thread_posts.append((report_id, text))

    def post_digest(self, destination_id: str, text: str) -> None:
        if self.fail_digests:
            raise RuntimeError("slack is down")
        with self._lock:
            self.digests.append((destination_id, text))

    def post_notice(self, destination_id: str, text: str) -> None:
        with self._lock:
            self.notices.append((destination_id, text))
