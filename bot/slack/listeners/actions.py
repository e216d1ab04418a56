"""Card buttons: Acknowledge and Spam act at once; Reroute, Ask and Resolve open their modal.

A button's value is "report_id:destination" (the card it sits on). Each listener acknowledges
first: Slack shows an error to the moderator if a button is not acknowledged within 3 seconds.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.slack.cards import ACTION_ACK, ACTION_ASK, ACTION_REROUTE, ACTION_RESOLVE, ACTION_SPAM
from bot.slack.gateway import SlackGateway
from bot.slack.modals import View, ask_modal, parse_metadata, reroute_modal, resolve_modal
from flows.city import CityConfig
from flows.models import Report
from flows.reports.desk import ModeratorDesk
from flows.reports.moderation import Moderation, ModerationError

MODAL_ACTIONS = (ACTION_REROUTE, ACTION_ASK, ACTION_RESOLVE)


def register(
    app: App,
    *,
    moderation: Moderation,
    desk: ModeratorDesk,
    gateway: SlackGateway,
    city: CityConfig,
) -> None:
    immediate = {ACTION_ACK: moderation.acknowledge, ACTION_SPAM: moderation.mark_spam}

    def on_immediate(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        action_id, report_id, _ = _pressed(body)
        try:
            immediate[action_id](report_id, actor=str(body["user"]["id"]))
        except ModerationError as exc:
            # Slack always sends a response_url with a button press; a body without one was
            # not sent by Slack and gets no answer (Bolt's respond() would raise).
            if body.get("response_url"):
                respond(text=str(exc), response_type="ephemeral", replace_original=False)

    def on_open_modal(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        action_id, report_id, destination = _pressed(body)
        report = desk.report(report_id)
        if report is None:
            return
        view = _modal(action_id, report, destination, desk=desk, city=city)
        gateway.open_view(trigger_id=body["trigger_id"], view=view)

    for action_id in immediate:
        app.action(action_id)(on_immediate)
    for action_id in MODAL_ACTIONS:
        app.action(action_id)(on_open_modal)


def _pressed(body: dict[str, Any]) -> tuple[str, int, str]:
    """(action id, report id, the card's destination) of the button pressed."""
    action = body["actions"][0]
    report_id, destination = parse_metadata(str(action["value"]))
    return str(action["action_id"]), report_id, destination


def _modal(
    action_id: str, report: Report, destination: str, *, desk: ModeratorDesk, city: CityConfig
) -> View:
    assert report.id is not None
    if action_id == ACTION_REROUTE:
        return reroute_modal(
            ref=report.ref,
            report_id=report.id,
            from_destination=destination,
            destinations=[(d.id, d.name) for d in city.destinations if d.id != destination],
            categories=city.city.categories,
            current_category=report.top_category,
        )
    if action_id == ACTION_ASK:
        return ask_modal(
            ref=report.ref, report_id=report.id, destination=destination, anonymous=report.anonymous
        )
    return resolve_modal(
        ref=report.ref,
        report_id=report.id,
        destination=destination,
        reachable=desk.reach(report).reachable,
    )
