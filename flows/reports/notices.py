"""Telling moderators: the narrow interface check-ins and digests use to reach Slack.

The Slack moderation code provides the real implementation (posting in a report card's thread and
to a destination's channel). `LoggingNotifier` stands in when Slack is not configured. Callers
only ever pass redacted text and choices, never a reporter's address or raw words.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)


class ModeratorNotifier(Protocol):
    def post_to_report_thread(self, report_id: int, text: str) -> None:
        """Post `text` in the thread of the report's moderator card(s)."""
        ...

    def post_digest(self, destination_id: str, text: str) -> None:
        """Post the weekly digest (Slack mrkdwn) to the destination's channel."""
        ...

    def post_notice(self, destination_id: str, text: str) -> None:
        """Post a one-line notice about the service (no report's words) to the channel."""
        ...


class LoggingNotifier:
    """No Slack: the notices go to the log. Thread notes can quote a reporter's (redacted)
    words, and report text never goes to a log, so only their size is logged."""

    def post_to_report_thread(self, report_id: int, text: str) -> None:
        log.info("report #%s thread: a note of %d characters", report_id, len(text))

    def post_digest(self, destination_id: str, text: str) -> None:
        log.info("digest for %s:\n%s", destination_id, text)

    def post_notice(self, destination_id: str, text: str) -> None:
        log.info("notice for %s: %s", destination_id, text)
