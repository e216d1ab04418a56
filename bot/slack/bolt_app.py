"""The Slack app (slack-bolt, sync): card buttons, modals, `/cpps`, and residents' direct messages.

Every request is verified by Bolt with the signing secret (401 when the signature is wrong or the
timestamp more than 5 minutes off) and acknowledged before slow work: Bolt acknowledges events
itself and runs the listener on its executor; buttons and modals call `ack()` first (a modal's
input is checked before, so mistakes show in the modal).

Threads are internal: messages typed in a channel, a card's thread included, are ignored here
and never reach a reporter. Only the modals and `/cpps reply` relay.

An Events API delivery is taken once: its `event_id` is recorded before the listener runs, so
Slack's retries (`X-Slack-Retry-Num`) are acknowledged and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App, BoltResponse, Respond
from slack_sdk import WebClient

from bot.slack.cards import (
    ACTION_ACK,
    ACTION_ASK,
    ACTION_REROUTE,
    ACTION_RESOLVE,
    ACTION_SPAM,
    moderator_line,
)
from bot.slack.commands import SlashCommands
from bot.slack.gateway import SlackGateway
from bot.slack.modals import (
    BLOCK_CATEGORY,
    BLOCK_DESTINATION,
    BLOCK_TEXT,
    VIEW_ASK,
    VIEW_REROUTE,
    VIEW_RESOLVE,
    ask_modal,
    parse_metadata,
    reroute_modal,
    resolve_modal,
    submitted_value,
)
from bot.slack.poster import CardPoster
from flows.city import CityConfig
from flows.handling.incoming import IncomingMessage
from flows.reports.moderation import CLOSED_STATUSES, Moderation, ModerationError
from flows.store import Store

log = logging.getLogger(__name__)

COMMAND = "/cpps"
MAX_DM_CHARS = 4000

ResidentHandler = Callable[[IncomingMessage], None]


def quiet_slack_loggers() -> logging.Logger:
    """Bolt logs a rejected request's whole body at INFO and the SDK logs requests at DEBUG: a
    resident's words or Slack ID must not reach a log line, so both stay at WARNING and above."""
    for name in ("slack_bolt", "slack_sdk"):
        logging.getLogger(name).setLevel(logging.WARNING)
    base = logging.getLogger("bot.slack.bolt")
    base.setLevel(logging.WARNING)
    return base


def build_slack_app(
    *,
    signing_secret: str,
    client: WebClient,
    store: Store,
    city: CityConfig,
    moderation: Moderation,
    poster: CardPoster,
    gateway: SlackGateway,
    commands: SlashCommands,
    on_resident_message: ResidentHandler,
    listener_executor: Executor | None = None,
) -> App:
    app = App(
        signing_secret=signing_secret,
        client=client,
        token_verification_enabled=False,  # checked on the first request, not at import time
        process_before_response=False,
        logger=quiet_slack_loggers(),
        listener_executor=listener_executor,
    )

    @app.middleware
    def take_each_event_once(body: dict[str, Any], next: Callable[[], BoltResponse]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not store.slack_posts.first_sighting(str(event_id)):
            return BoltResponse(status=200, body="")
        return next()

    # -- residents' direct messages; everything else typed in Slack stays there ----------------

    @app.event("message")
    def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # channel chatter and card threads are internal: never relayed
        user, text = event.get("user"), event.get("text")
        event_id = body.get("event_id")
        if not user or not event_id or text is None:
            return
        on_resident_message(
            IncomingMessage(
                channel="slack",
                provider_id=str(event_id)[:64],
                sender=str(user),
                body=str(text)[:MAX_DM_CHARS],
            )
        )

    # -- card buttons ---------------------------------------------------------------------------

    def card_target(body: dict[str, Any]) -> tuple[int, str, str]:
        action = body["actions"][0]
        report_id, destination = parse_metadata(str(action["value"]))
        return report_id, destination, str(body["user"]["id"])

    def tell(respond: Respond, text: str) -> None:
        respond(text=text, response_type="ephemeral", replace_original=False)

    @app.action(ACTION_ACK)
    def on_acknowledge(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        report_id, _, actor = card_target(body)
        try:
            moderation.acknowledge(report_id, actor=actor)
        except ModerationError as exc:
            tell(respond, str(exc))

    @app.action(ACTION_SPAM)
    def on_spam(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        report_id, _, actor = card_target(body)
        try:
            moderation.mark_spam(report_id, actor=actor)
        except ModerationError as exc:
            tell(respond, str(exc))

    @app.action(ACTION_REROUTE)
    def on_reroute(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        report_id, destination, _ = card_target(body)
        report = store.reports.get(report_id)
        if report is None:
            return
        gateway.open_view(
            trigger_id=body["trigger_id"],
            view=reroute_modal(
                ref=report.ref,
                report_id=report_id,
                from_destination=destination,
                destinations=[(d.id, d.name) for d in city.destinations if d.id != destination],
                categories=city.city.categories,
                current_category=report.top_category,
            ),
        )

    @app.action(ACTION_ASK)
    def on_ask(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        report_id, destination, _ = card_target(body)
        report = store.reports.get(report_id)
        if report is None:
            return
        gateway.open_view(
            trigger_id=body["trigger_id"],
            view=ask_modal(
                ref=report.ref,
                report_id=report_id,
                destination=destination,
                anonymous=report.anonymous,
            ),
        )

    @app.action(ACTION_RESOLVE)
    def on_resolve(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        report_id, destination, _ = card_target(body)
        report = store.reports.get(report_id)
        if report is None:
            return
        gateway.open_view(
            trigger_id=body["trigger_id"],
            view=resolve_modal(
                ref=report.ref,
                report_id=report_id,
                destination=destination,
                reachable=moderation.reach(report).reachable,
            ),
        )

    # -- modal submissions ----------------------------------------------------------------------

    def refuse(ack: Ack, block_id: str, message: str) -> None:
        ack(response_action="errors", errors={block_id: message})

    def open_report(view: dict[str, Any]) -> tuple[int, str] | str:
        """(report id, destination) of a submitted modal, or why it cannot be acted on."""
        report_id, destination = parse_metadata(str(view.get("private_metadata", "")))
        report = store.reports.get(report_id)
        if report is None:
            return "This report no longer exists."
        if report.status in CLOSED_STATUSES:
            return f"Report {report.ref} is already {report.status}."
        return report_id, destination

    def notify_moderator(user: str, text: str) -> None:
        try:
            gateway.post(channel=user, text=text)
        except Exception:
            log.warning("could not tell a moderator why an action failed")

    @app.view(VIEW_REROUTE)
    def on_reroute_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        target = open_report(view)
        if isinstance(target, str):
            refuse(ack, BLOCK_DESTINATION, target)
            return
        destination = submitted_value(view, BLOCK_DESTINATION)
        if destination is None:
            refuse(ack, BLOCK_DESTINATION, "Choose a destination.")
            return
        ack()
        actor = str(body["user"]["id"])
        try:
            moderation.reroute(
                target[0],
                from_destination=target[1],
                to_destination=destination,
                category=submitted_value(view, BLOCK_CATEGORY),
                actor=actor,
            )
        except ModerationError as exc:
            notify_moderator(actor, str(exc))

    @app.view(VIEW_ASK)
    def on_ask_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        relay_submission(ack, body, view, kind="asked")

    @app.view(VIEW_RESOLVE)
    def on_resolve_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        relay_submission(ack, body, view, kind="resolved")

    def relay_submission(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], *, kind: str
    ) -> None:
        target = open_report(view)
        if isinstance(target, str):
            refuse(ack, BLOCK_TEXT, target)
            return
        text = (submitted_value(view, BLOCK_TEXT) or "").strip()
        if not text:
            refuse(ack, BLOCK_TEXT, "Write something first.")
            return
        ack()
        report_id = target[0]
        actor = str(body["user"]["id"])
        try:
            if kind == "asked":
                moderation.ask(report_id, question=text, actor=actor)
            else:
                moderation.resolve(report_id, note=text, actor=actor)
        except ModerationError as exc:
            notify_moderator(actor, str(exc))
            return
        poster.thread_line(
            report_id, origin=f"{kind}:{view.get('id', '')}", text=moderator_line(kind, actor, text)
        )

    # -- /cpps --------------------------------------------------------------------------------

    @app.command(COMMAND)
    def on_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        text = str(command.get("text", ""))
        actor = str(command.get("user_id", ""))
        answer = commands.run(
            text,
            user_id=actor,
            channel_id=str(command.get("channel_id", "")),
            channel_name=str(command.get("channel_name", "")),
            origin=str(command.get("trigger_id", "")),
        )
        respond(text=answer.text, blocks=answer.blocks, response_type="ephemeral")

    return app
