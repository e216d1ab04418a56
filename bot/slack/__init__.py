"""Slack: moderator cards, buttons, modals, `/cpps`, and residents writing to the bot.

`build_slack` assembles the parts from their dependencies; with no bot token the cards go to the
console (`ConsoleGateway`) and `/slack/events` answers 503, so the embedded default still runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.bolt_app import build_slack_app
from bot.slack.commands import SlashCommands
from bot.slack.content import CardContent
from bot.slack.gateway import ConsoleGateway, SlackGateway, WebApiGateway, web_client
from bot.slack.notifier import SlackNotifier
from bot.slack.poster import CardPoster
from bot.slack.residents import SlackResidents, SlackSender
from bot.slack.route import build_slack_router
from flows.city import CityConfig
from flows.handling.incoming import IncomingMessage
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
    city: CityConfig,
) -> SlackCore:
    gateway: SlackGateway
    client = web_client(token=bot_token, api_url=api_url) if bot_token else None
    if client is not None:
        gateway = WebApiGateway(client=client)
    else:
        log.warning("no SLACK_BOT_TOKEN: moderator cards are printed to the console")
        gateway = ConsoleGateway()
    content = CardContent(store=store, city=city)
    poster = CardPoster(store=store, city=city, gateway=gateway, content=content)
    return SlackCore(gateway=gateway, content=content, poster=poster, client=client)


def build_slack_app_parts(
    *,
    core: SlackCore,
    signing_secret: str,
    store: Store,
    city: CityConfig,
    moderation: Moderation,
    handle: Callable[[IncomingMessage], Sequence[str]],
    dispatch: Callable[[], object],
    listener_executor: Executor | None = None,
) -> SlackParts:
    gateway, content, poster = core.gateway, core.content, core.poster
    commands = SlashCommands(
        store=store,
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
            store=store,
            city=city,
            moderation=moderation,
            poster=poster,
            gateway=gateway,
            commands=commands,
            on_resident_message=SlackResidents(handle=handle, store=store, dispatch=dispatch),
            listener_executor=listener_executor,
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
