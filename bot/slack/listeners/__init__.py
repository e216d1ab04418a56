"""The Slack app's listeners, one module per kind of request, as Bolt's starter app lays them out:
`events` (residents' direct messages), `actions` (card buttons), `views` (modal submissions),
`commands` (`/cpps`) and `decisions` (the "Record decision" button and its two-step modal).

Each listener translates a Slack payload into one call on a flows service (`Moderation`,
`Decisions`, `ModeratorDesk`, `DirectMessages`) and the answer back into Slack; none queries the
database.
What a relay leaves in a card's thread goes through the card poster, the dispatcher of Slack
posts (`bot/slack/poster.py`).
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.gateway import SlackGateway
from bot.slack.listeners import actions, commands, events, views
from bot.slack.listeners import decisions as decision_listeners
from bot.slack.listeners.commands import SlashCommands
from bot.slack.poster import CardPoster
from flows.city import CityConfig
from flows.handling.direct_messages import DirectMessages
from flows.reports.decisions import Decisions
from flows.reports.desk import ModeratorDesk
from flows.reports.moderation import Moderation


def register(
    app: App,
    *,
    moderation: Moderation,
    decisions: Decisions,
    desk: ModeratorDesk,
    direct_messages: DirectMessages,
    slash_commands: SlashCommands,
    poster: CardPoster,
    gateway: SlackGateway,
    city: CityConfig,
) -> None:
    events.register(app, direct_messages=direct_messages)
    actions.register(app, moderation=moderation, desk=desk, gateway=gateway, city=city)
    views.register(app, moderation=moderation, poster=poster, gateway=gateway)
    commands.register(app, slash_commands=slash_commands)
    decision_listeners.register(app, decisions=decisions, desk=desk, poster=poster, gateway=gateway)


__all__ = ["SlashCommands", "register"]
