"""Slack: moderator cards, buttons, modals, `/cpps`, and residents writing to the bot.

`build_slack_core` (gateway, card poster) and `build_slack_app_parts` (`/cpps`, the DM sender, the
Bolt app and its listeners) assemble the parts from their dependencies; with no bot token the
cards go to the console (`ConsoleGateway`) and `/slack/events` answers 503, so the embedded
default still runs.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack import listeners
from bot.slack.bolt_app import build_slack_app
from bot.slack.content import CardContent
from bot.slack.gateway import ConsoleGateway, SlackGateway, WebApiGateway, web_client
from bot.slack.listeners import SlashCommands
from bot.slack.notifier import SlackNotifier
from bot.slack.poster import CardPoster
from bot.slack.residents import SlackSender
from bot.slack.route import build_slack_router
from flows.city import CityConfig
from flows.handling.direct_messages import DirectMessages
from flows.reports.decisions import Decisions
from flows.reports.desk import ModeratorDesk
from flows.reports.moderation import Moderation
from flows.store import Store

log = logging.getLogger(__name__)


@dataclass
class SlackCore:
    """The parts the runner's hooks and the check-ins' notifier need (built before them)."""

    gateway: SlackGateway
    content: CardContent
    poster: CardPoster
    client: WebClient | None  # None without a bot token


@dataclass
class SlackParts:
    gateway: SlackGateway
    content: CardContent
    poster: CardPoster
    commands: SlashCommands
    sender: SlackSender
    app: App | None  # None without a bot token


def build_slack_core(
    *,
    bot_token: str,
    api_url: str,
    store: Store,
    desk: ModeratorDesk,
    city: CityConfig,
) -> SlackCore:
    """The gateway and the card poster; the poster, like `bot.outbox`, claims durable rows from
    the store and calls Slack."""
    gateway: SlackGateway
    client = web_client(token=bot_token, api_url=api_url) if bot_token else None
    if client is not None:
        gateway = WebApiGateway(client=client)
    else:
        log.warning("no SLACK_BOT_TOKEN: moderator cards are printed to the console")
        gateway = ConsoleGateway()
    content = CardContent(desk=desk, city=city)
    poster = CardPoster(store=store, city=city, gateway=gateway, content=content)
    return SlackCore(gateway=gateway, content=content, poster=poster, client=client)


def build_slack_app_parts(
    *,
    core: SlackCore,
    signing_secret: str,
    city: CityConfig,
    moderation: Moderation,
    decisions: Decisions,
    desk: ModeratorDesk,
    direct_messages: DirectMessages,
    listener_executor: Executor | None = None,
) -> SlackParts:
    gateway, content, poster = core.gateway, core.content, core.poster
    commands = SlashCommands(
        desk=desk,
        city=city,
        moderation=moderation,
        content=content,
        gateway=gateway,
        poster=poster,
    )
    app = None
    if core.client is not None:
        app = build_slack_app(
            signing_secret=signing_secret,
            client=core.client,
            listener_executor=listener_executor,
        )
        listeners.register(
            app,
            moderation=moderation,
            decisions=decisions,
            desk=desk,
            direct_messages=direct_messages,
            slash_commands=commands,
            poster=poster,
            gateway=gateway,
            city=city,
        )
    return SlackParts(
        gateway=gateway,
        content=content,
        poster=poster,
        commands=commands,
        sender=SlackSender(gateway=gateway),
        app=app,
    )


__all__ = [
    "SlackCore",
    "SlackNotifier",
    "SlackParts",
    "build_slack_app_parts",
    "build_slack_core",
    "build_slack_router",
]
