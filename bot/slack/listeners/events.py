"""Events API: residents' direct messages, each delivery taken once.

Messages typed in a channel, a card's thread included, are internal: they are ignored here and
never reach a reporter (only the modals and `/cpps reply` relay). Bolt acknowledges an event
itself and runs the listener afterwards; a delivery id the listener has already taken is one of
Slack's retries (`X-Slack-Retry-Num`): it is acknowledged and dropped.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.slack.residents import resident_message
from flows.handling.direct_messages import DirectMessages


def register(app: App, *, direct_messages: DirectMessages) -> None:
    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        message = resident_message(event, event_id=body.get("event_id"))
        # The delivery is marked as taken here, by the listener that takes it: an event no
        # listener handles is refused by Bolt (404) and must leave nothing stored.
        if message is not None and direct_messages.first_delivery(str(body["event_id"])):
            direct_messages.receive(message)
