"""Events API: residents' direct messages, each delivery taken once.

Messages typed in a channel, a card's thread included, are internal: they are ignored here and
never reach a reporter (only the modals and `/cpps reply` relay). Bolt acknowledges an event
itself and runs the listener afterwards; a delivery id already seen is one of Slack's retries
(`X-Slack-Retry-Num`): it is acknowledged and dropped before any listener runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.slack.residents import resident_message
from flows.handling.direct_messages import DirectMessages


def register(app: App, *, direct_messages: DirectMessages) -> None:
    @app.middleware
    def take_each_event_once(body: dict[str, Any], next: Callable[[], BoltResponse]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not direct_messages.first_delivery(str(event_id)):
            return BoltResponse(status=200, body="")
        return next()

    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        message = resident_message(event, event_id=body.get("event_id"))
        if message is not None:
            direct_messages.receive(message)
