"""Modal submissions: Reroute, Ask the reporter, Resolve.

The input is checked before the acknowledgement, so a mistake (or a report closed meanwhile)
shows in the modal itself; once acknowledged the modal is gone, so a later failure reaches the
moderator as a direct message from the bot.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.slack.gateway import SlackGateway
from bot.slack.modals import (
    BLOCK_CATEGORY,
    BLOCK_DESTINATION,
    BLOCK_TEXT,
    VIEW_ASK,
    VIEW_REROUTE,
    VIEW_RESOLVE,
    parse_metadata,
    submitted_value,
)
from bot.slack.poster import CardPoster
from flows.reports.moderation import Moderation, ModerationError

log = logging.getLogger(__name__)

# The relaying modals and the thread line each one leaves on the report's cards.
RELAY_KINDS = {VIEW_ASK: "asked", VIEW_RESOLVE: "resolved"}


def register(
    app: App, *, moderation: Moderation, poster: CardPoster, gateway: SlackGateway
) -> None:
    def tell(user: str, text: str) -> None:
        try:
            gateway.post(channel=user, text=text)
        except Exception:
            log.warning("could not tell a moderator why an action failed")

    def on_reroute(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        report_id, from_destination = parse_metadata(str(view.get("private_metadata", "")))
        destination = submitted_value(view, BLOCK_DESTINATION)
        refusal = moderation.why_not(report_id)
        if refusal is not None or destination is None:
            ack(
                response_action="errors",
                errors={BLOCK_DESTINATION: refusal or "Choose a destination."},
            )
            return
        ack()
        actor = str(body["user"]["id"])
        try:
            moderation.reroute(
                report_id,
                from_destination=from_destination,
                to_destination=destination,
                category=submitted_value(view, BLOCK_CATEGORY),
                actor=actor,
            )
        except ModerationError as exc:
            tell(actor, str(exc))

    def on_relay(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        report_id, _ = parse_metadata(str(view.get("private_metadata", "")))
        text = (submitted_value(view, BLOCK_TEXT) or "").strip()
        refusal = moderation.why_not(report_id) or (None if text else "Write something first.")
        if refusal is not None:
            ack(response_action="errors", errors={BLOCK_TEXT: refusal})
            return
        ack()
        kind = RELAY_KINDS[str(view["callback_id"])]
        actor = str(body["user"]["id"])
        # A view is submitted once (it closes on the acknowledgement): a second delivery of the
        # same view is a redelivery or a replay, and relays nothing.
        action_key = "view:" + str(view["id"])
        try:
            if kind == "asked":
                moderation.ask(report_id, question=text, actor=actor, action_key=action_key)
            else:
                moderation.resolve(report_id, note=text, actor=actor, action_key=action_key)
        except ModerationError as exc:
            tell(actor, str(exc))
            return
        poster.relay_line(
            report_id, kind=kind, actor=actor, text=text, origin=str(view.get("id", ""))
        )

    app.view(VIEW_REROUTE)(on_reroute)
    for callback_id in RELAY_KINDS:
        app.view(callback_id)(on_relay)
