"""The decision on a report: the card's "Record decision" button, then the modal's two steps.

Step 1's submission is answered with step 2 (`response_action: update`): the decision is recorded
(redacted) before the acknowledgement, so the moderator reads what the redactor left. Step 2
publishes it. Both steps name the decision by the view's id, which Slack keeps when it updates a
view, so a replayed submission records and publishes once. Cards are refreshed after the
acknowledgement (Slack waits 3 seconds for it).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.slack.cards import ACTION_DECISION
from bot.slack.decision_modals import (
    BLOCK_PARTIES,
    VIEW_DECISION,
    VIEW_DECISION_PUBLISH,
    decision_modal,
    review_view,
    submitted_options,
)
from bot.slack.gateway import SlackGateway
from bot.slack.modals import BLOCK_TEXT, parse_metadata, submitted_value
from bot.slack.poster import CardPoster
from flows.reports.decisions import Decisions, DecisionView
from flows.reports.desk import ModeratorDesk
from flows.reports.moderation import ModerationError

log = logging.getLogger(__name__)


def register(
    app: App,
    *,
    decisions: Decisions,
    desk: ModeratorDesk,
    poster: CardPoster,
    gateway: SlackGateway,
) -> None:
    def tell(user: str, text: str) -> None:
        try:
            gateway.post(channel=user, text=text)
        except Exception:
            log.warning("could not tell a moderator why a decision failed")

    @app.action(ACTION_DECISION)
    def on_open(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        action = body["actions"][0]
        report_id, destination = parse_metadata(str(action["value"]))
        report = desk.report(report_id)
        refusal = decisions.why_not(report_id)
        if report is None or report.id is None or refusal is not None:
            if body.get("response_url"):  # Slack always sends one; see listeners/actions.py
                respond(text=refusal or "No such report.", response_type="ephemeral")
            return
        latest = decisions.latest(report.id)
        view = decision_modal(
            ref=report.ref,
            report_id=report.id,
            destination=destination,
            parties=[(p.id, p.name) for p in decisions.parties_for(destination)],
            current_summary=latest.summary if latest is not None else None,
            current_parties=latest.parties if latest is not None else (),
        )
        gateway.open_view(trigger_id=body["trigger_id"], view=view)

    @app.view(VIEW_DECISION)
    def on_record(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        report_id, destination = parse_metadata(str(view.get("private_metadata", "")))
        text = (submitted_value(view, BLOCK_TEXT) or "").strip()
        try:
            recorded = decisions.record(
                report_id,
                summary=text,
                parties=submitted_options(view, BLOCK_PARTIES),
                destination=destination,
                actor=str(body["user"]["id"]),
                action_key="view:" + str(view["id"]),
            )
        except ModerationError as exc:
            ack(response_action="errors", errors={BLOCK_TEXT: str(exc)})
            return
        ack(response_action="update", view=_review(recorded, destination, decisions))
        decisions.refresh(report_id)

    @app.view(VIEW_DECISION_PUBLISH)
    def on_publish(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()
        report_id, _ = parse_metadata(str(view.get("private_metadata", "")))
        actor = str(body["user"]["id"])
        try:
            published = decisions.publish(
                report_id, action_key="view:" + str(view["id"]), actor=actor
            )
        except ModerationError as exc:
            tell(actor, str(exc))
            return
        poster.relay_line(
            report_id,
            kind="decision",
            actor=actor,
            text=published.summary,
            origin=str(view["id"]),
        )


def _review(recorded: DecisionView, destination: str, decisions: Decisions) -> dict[str, Any]:
    names = {p.id: p.name for p in decisions.parties_for(destination)}
    return review_view(
        ref=recorded.ref,
        report_id=recorded.report_id,
        destination=destination,
        summary=recorded.summary,
        party_names=[names.get(p, p) for p in recorded.parties],
        published=recorded.published,
    )
