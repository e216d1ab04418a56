"""Check-ins and digests reaching moderators in Slack (flows.reports.notices.ModeratorNotifier).

Thread notices go through the durable poster (a row first, retried like every card line); the
weekly digest is posted at once and a failure raises, so the digest job retries it next pass.
"""

from __future__ import annotations

import secrets

from bot.slack.cards import escape
from bot.slack.gateway import SlackGateway
from bot.slack.poster import CardPoster
from flows.city import CityConfig


class SlackNotifier:
    def __init__(self, *, poster: CardPoster, gateway: SlackGateway, city: CityConfig) -> None:
        self._poster = poster
        self._gateway = gateway
        self._city = city

    def post_to_report_thread(self, report_id: int, text: str) -> None:
        """A notice (a check-in answer, "no answer") in the thread of every card of the report.

        The text may hold a reporter's redacted words, so it is escaped: it can never mention.
        """
        self._poster.thread_line(
            report_id, origin="notice-" + secrets.token_hex(8), text=escape(text)
        )

    def post_digest(self, destination_id: str, text: str) -> None:
        self.post_notice(destination_id, text)

    def post_notice(self, destination_id: str, text: str) -> None:
        channel = self._city.destination(destination_id).slack_channel
        self._gateway.post(channel=channel, text=text)
