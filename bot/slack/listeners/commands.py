"""`/cpps status REF`, `/cpps queue`, `/cpps stats [days]` and `/cpps reply REF text`.

The command is acknowledged at once and answered through its response URL (Slack allows 3 seconds
for the acknowledgement, and a queue or a relay can take longer). The answers are ephemeral (only
the moderator who typed the command sees them).

`/cpps queue` lists open reports for the channels the moderator is in: the bot asks Slack
(`users.conversations`, which sees public channels and the private ones the bot is in) and matches
them with the destinations' channels; the channel the command is typed in always counts, and is
all that counts when Slack cannot be asked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond

from bot.slack.cards import (
    STATUS_LABELS,
    actor_mention,
    build_card,
    escape,
    label,
    local_time,
    summary_lines,
)
from bot.slack.content import CardContent
from bot.slack.gateway import (
    SlackChannelError,
    SlackGateway,
    SlackPermanentError,
    SlackTransientError,
)
from bot.slack.poster import CardPoster
from flows.city import CityConfig
from flows.reports.desk import ModeratorDesk
from flows.reports.moderation import Moderation, ModerationError
from flows.reports.refs import find_ref

log = logging.getLogger(__name__)

COMMAND = "/cpps"

USAGE = (
    "Usage: `/cpps status REF` · `/cpps queue` · `/cpps stats [days]` · `/cpps reply REF text` "
    "(the text is sent to the reporter)"
)
MAX_QUEUE_LINES = 40
DEFAULT_STATS_DAYS = 30
MAX_TRAIL_EVENTS = 12


@dataclass(frozen=True)
class CommandAnswer:
    text: str
    blocks: list[dict[str, Any]] | None = None


class SlashCommands:
    def __init__(
        self,
        *,
        desk: ModeratorDesk,
        city: CityConfig,
        moderation: Moderation,
        content: CardContent,
        gateway: SlackGateway,
        poster: CardPoster,
    ) -> None:
        self._poster = poster
        self._desk = desk
        self._city = city
        self._moderation = moderation
        self._content = content
        self._gateway = gateway
        self._tz = ZoneInfo(city.city.timezone)

    def run(
        self, text: str, *, user_id: str, channel_id: str, channel_name: str, origin: str
    ) -> CommandAnswer:
        words = text.strip().split(maxsplit=1)
        if not words:
            return CommandAnswer(USAGE)
        name, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
        if name == "status":
            return self.status(rest)
        if name == "queue":
            return self.queue(user_id=user_id, channel_id=channel_id, channel_name=channel_name)
        if name == "stats":
            return self.stats(rest)
        if name == "reply":
            return self.reply(rest, user_id=user_id, origin=origin)
        return CommandAnswer(USAGE)

    def status(self, argument: str) -> CommandAnswer:
        report = self._desk.find(argument)
        if report is None:
            return CommandAnswer(f"No report {escape(argument.strip() or '(no reference)')}.")
        view = self._desk.view_of(report)
        destination = report.destinations[0] if report.destinations else ""
        card = self._content.card_from(view, destination)
        blocks = [b for b in build_card(card, tz=self._tz) if b.get("type") != "actions"]
        names = ", ".join(self._content.destination_name(d) for d in report.destinations)
        trail = [
            f"{local_time(e.at, self._tz)} · {actor_mention(e.actor)} · {escape(e.action)}"
            + (f" → {escape(str(e.detail.get('to')))}" if e.action == "status" else "")
            for e in view.trail[-MAX_TRAIL_EVENTS:]
        ]
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*Routed to:* {escape(names or 'nobody')}\n*Audit trail:*\n"
                    + "\n".join(trail),
                },
            }
        )
        return CommandAnswer(f"Report {report.ref}: {STATUS_LABELS.get(report.status)}", blocks)

    def queue(self, *, user_id: str, channel_id: str, channel_name: str) -> CommandAnswer:
        channels = {channel_id, channel_name}
        try:
            for found_id, found_name in self._gateway.channels_of(user=user_id):
                channels.update((found_id, found_name))
        except (SlackTransientError, SlackChannelError, SlackPermanentError) as exc:
            log.warning("users.conversations failed (%s): queue limited to this channel", exc)
        mine = [d.id for d in self._city.destinations if d.slack_channel.lstrip("#") in channels]
        if not mine:
            return CommandAnswer(
                "None of your channels receives reports. Run `/cpps queue` in a council's channel."
            )
        reports = self._desk.open_reports(destinations=mine)
        if not reports:
            return CommandAnswer("No open reports for your channels.")
        cards = [
            self._content.card_of(r, next(d for d in r.destinations if d in mine))
            for r in reports[:MAX_QUEUE_LINES]
        ]
        more = len(reports) - len(cards)
        lines = summary_lines(cards, tz=self._tz)
        if more > 0:
            lines.append(f"… and {more} more")
        header = f"*{len(reports)} open report(s), oldest first:*"
        return CommandAnswer(header + "\n" + "\n".join(lines))

    def stats(self, argument: str) -> CommandAnswer:
        try:
            days = int(argument.strip()) if argument.strip() else DEFAULT_STATS_DAYS
        except ValueError:
            return CommandAnswer("Usage: `/cpps stats [days]`, e.g. `/cpps stats 7`.")
        days = max(1, min(days, 3650))
        stats = self._desk.stats(days=days)

        def counts(counter: dict[str, int], name: Any = str) -> str:
            return ", ".join(f"{escape(name(k))} {v}" for k, v in sorted(counter.items()))

        def district_name(key: str) -> str:
            if key == "unknown":
                return key
            return self._content.district_name(key) or key

        text = (
            f"*Reports in the last {days} day(s): {stats.total}*\n"
            f"*By category:* {counts(stats.by_category, label) or '—'}\n"
            f"*By district:* {counts(stats.by_district, district_name) or '—'}\n"
            f"*By status:* {counts(stats.by_status, lambda s: STATUS_LABELS.get(s, s)) or '—'}"
        )
        return CommandAnswer(text)

    def reply(self, argument: str, *, user_id: str, origin: str) -> CommandAnswer:
        parts = argument.strip().split(maxsplit=1)
        ref = find_ref(parts[0]) if parts else None
        if ref is None or len(parts) < 2 or not parts[1].strip():
            return CommandAnswer(
                "Usage: `/cpps reply REF text` (the text is sent to the reporter)."
            )
        report = self._desk.find(ref)
        if report is None or report.id is None:
            return CommandAnswer(f"No report {escape(ref)}.")
        try:
            # Each invocation of a command has its own trigger id: a redelivery has the same.
            self._moderation.reply(
                report.id, text=parts[1], actor=user_id, action_key="command:" + origin
            )
        except ModerationError as exc:
            return CommandAnswer(str(exc))
        self._poster.relay_line(
            report.id, kind="replied", actor=user_id, text=parts[1].strip(), origin=origin
        )
        return CommandAnswer(
            f"Sent to the reporter of {report.ref}. (Thread messages are never sent; only "
            "`/cpps reply` and the card's buttons reach the reporter.)"
        )


def register(app: App, *, slash_commands: SlashCommands) -> None:
    @app.command(COMMAND)
    def on_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        answer = slash_commands.run(
            str(command.get("text", "")),
            user_id=str(command.get("user_id", "")),
            channel_id=str(command.get("channel_id", "")),
            channel_name=str(command.get("channel_name", "")),
            origin=str(command.get("trigger_id", "")),
        )
        respond(text=answer.text, blocks=answer.blocks, response_type="ephemeral")
