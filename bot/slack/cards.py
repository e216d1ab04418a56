"""The moderator card: a report as Block Kit, built from plain values (pure; no Slack, no DB).

What a card may show is decided here, in one place: the redacted text, the analysis, the
reporter's choices and the report's state. It never receives a phone number, a Slack user ID of
a reporter, a pseudonym or provider metadata, so it cannot show them. Everything a resident wrote
is escaped, so a report cannot ping a channel or fake a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flows.store.checkins import CLOSED_REPORT_STATUSES

Block = dict[str, Any]

ACTION_ACK = "cpps_ack"
ACTION_REROUTE = "cpps_reroute"
ACTION_ASK = "cpps_ask"
ACTION_RESOLVE = "cpps_resolve"
ACTION_SPAM = "cpps_spam"
ACTION_DECISION = "cpps_decision"

# Slack's limit for a section's text is 3,000 characters.
MAX_SECTION_CHARS = 2900
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")

STATUS_LABELS = {
    "new": "New",
    "routed": "Routed",
    "acknowledged": "Acknowledged",
    "in_progress": "In progress",
    "resolved": "Resolved",
    "closed": "Closed",
    "spam": "Marked as spam",
}
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


@dataclass(frozen=True)
class CheckinLine:
    """One follow-up check-in, as the check-in scheduler reports it (kind, state, due time)."""

    kind: str
    state: str
    due: datetime


@dataclass(frozen=True)
class DecisionLine:
    """The report's latest decision (redacted summary) and whether it is published."""

    summary: str
    published: bool
    corrected: bool  # it corrects an earlier version
    actor: str
    at: datetime


@dataclass(frozen=True)
class CardData:
    report_id: int
    ref: str
    destination_id: str
    destination_name: str
    categories: tuple[tuple[str, float], ...]
    category: str | None  # the current one (a moderator's correction wins over the classifier)
    triage: bool
    urgency: str
    district_name: str | None
    language: str
    anonymous: bool
    contact_ok: bool
    # "ok", "erased" or "opted_out": whether a relay can reach the reporter (never who they are).
    reach: str
    redacted_text: str
    received_at: datetime
    status: str
    status_actor: str | None = None
    status_at: datetime | None = None
    place_text: str | None = None
    when_text: str | None = None
    officers: tuple[str, ...] = ()
    # Set when a moderator moved the report away from this card's destination.
    rerouted_to: str | None = None
    notice: str | None = None
    checkins: tuple[CheckinLine, ...] = field(default_factory=tuple)
    decision: DecisionLine | None = None


def escape(text: str) -> str:
    """Slack mrkdwn escaping: a resident's words can never mention, link or format."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def label(category: str | None) -> str:
    return (category or "unsure").replace("_", " ")


def actor_mention(actor: str | None) -> str:
    """A moderator as a mention; anything else (system, reporter) as a plain word."""
    if actor is None:
        return "—"
    return f"<@{actor}>" if _SLACK_ID.match(actor) else escape(actor)


def local_time(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%a %d %b %Y, %H:%M %Z")


def fallback_text(data: CardData) -> str:
    """The notification text: no words of the report in it, only what it is about."""
    urgent = " URGENT" if data.urgency != "none" else ""
    return f"Report {data.ref}{urgent}: {label(data.category)} → {data.destination_name}"


def build_card(data: CardData, *, tz: ZoneInfo) -> list[Block]:
    blocks: list[Block] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _header(data)[:150], "emoji": True},
        },
        {"type": "section", "fields": _fields(data, tz)},
        _section(_quoted(data.redacted_text)),
    ]
    extra = _details(data)
    if extra:
        blocks.append(_section(extra))
    blocks.append(_context(_state_line(data, tz)))
    for line in _checkin_lines(data, tz):
        blocks.append(_context(line))
    if data.decision is not None:
        blocks.append(_section(_decision_text(data.decision, tz)))
    if data.notice:
        blocks.append(_context(":warning: " + escape(data.notice)))
    actions = _buttons(data)
    if actions:
        blocks.append(
            {"type": "actions", "block_id": f"cpps_card_{data.report_id}", "elements": actions}
        )
    return blocks


def _header(data: CardData) -> str:
    urgent = "URGENT · " if data.urgency != "none" else ""
    return f"{urgent}Report {data.ref} · {label(data.category)}"


def _fields(data: CardData, tz: ZoneInfo) -> list[Block]:
    scores = ", ".join(f"{label(name)} {score:.0%}" for name, score in data.categories[:3])
    if data.triage:
        scores = (scores + " — classifier unsure") if scores else "classifier unsure"
    if data.anonymous:
        who = "Anonymous — questions are relayed; they need not answer"
    elif data.contact_ok:
        who = "Agreed to be contacted (through this line only)"
    else:
        who = "Not anonymous; did not ask to be contacted"
    pairs = [
        ("Categories", scores or "—"),
        ("Urgency", data.urgency),
        ("District", data.district_name or "unknown"),
        ("Language", LANGUAGE_NAMES.get(data.language, data.language)),
        ("Reporter", who),
        ("Received", local_time(data.received_at, tz)),
    ]
    return [{"type": "mrkdwn", "text": f"*{name}*\n{escape(value)}"} for name, value in pairs]


def _quoted(text: str) -> str:
    body = escape(text.strip() or "(no text)")
    if len(body) > MAX_SECTION_CHARS:
        body = body[:MAX_SECTION_CHARS] + "… (shortened)"
    return "\n".join("> " + line for line in body.splitlines() or [""])


def _details(data: CardData) -> str:
    lines = []
    if data.officers:
        lines.append("*Officers named:* " + escape(", ".join(data.officers)))
    if data.place_text:
        lines.append("*Where:* " + escape(data.place_text))
    if data.when_text:
        lines.append("*When:* " + escape(data.when_text))
    return "\n".join(lines)


def _state_line(data: CardData, tz: ZoneInfo) -> str:
    state = STATUS_LABELS.get(data.status, data.status)
    if data.rerouted_to:
        state = f"Rerouted to {escape(data.rerouted_to)}"
    line = f"*{state}*"
    if data.status_actor and data.status_actor != "system":
        line += f" by {actor_mention(data.status_actor)}"
    if data.status_at is not None:
        line += f" · {local_time(data.status_at, tz)}"
    if data.reach == "erased":
        line += " · the reporter erased their data: they cannot be reached"
    elif data.reach == "opted_out":
        line += " · the reporter opted out of messages: they cannot be reached"
    return line + " · thread replies stay internal"


def _checkin_lines(data: CardData, tz: ZoneInfo) -> list[str]:
    return [
        f"Check-in *{escape(label(c.kind))}*: {escape(c.state)} · due {local_time(c.due, tz)}"
        for c in data.checkins
    ]


def _decision_text(decision: DecisionLine, tz: ZoneInfo) -> str:
    state = "published" if decision.published else "recorded, not published"
    if decision.corrected:
        state += " · corrected"
    return (
        f"*Decision* ({state}) by {actor_mention(decision.actor)} · "
        f"{local_time(decision.at, tz)}\n{quote(decision.summary)}"
    )


def _buttons(data: CardData) -> list[Block]:
    if data.status == "spam" or data.rerouted_to:
        return []
    value = f"{data.report_id}:{data.destination_id}"
    # Decisions often come after a report is resolved: recording one stays open then.
    decision = _button(
        "Correct decision" if data.decision else "Record decision", ACTION_DECISION, value
    )
    if data.status in CLOSED_REPORT_STATUSES:
        return [decision]
    buttons: list[Block] = []
    if data.status in ("new", "routed"):
        buttons.append(_button("Acknowledge", ACTION_ACK, value, style="primary"))
    buttons.append(_button("Reroute", ACTION_REROUTE, value))
    if data.reach == "ok":
        buttons.append(_button("Ask the reporter", ACTION_ASK, value))
    buttons.append(_button("Resolve", ACTION_RESOLVE, value))
    buttons.append(decision)
    spam = _button("Spam", ACTION_SPAM, value, style="danger")
    spam["confirm"] = {
        "title": {"type": "plain_text", "text": "Mark as spam?"},
        "text": {"type": "plain_text", "text": f"Report {data.ref} will be closed as spam."},
        "confirm": {"type": "plain_text", "text": "Spam"},
        "deny": {"type": "plain_text", "text": "Cancel"},
    }
    buttons.append(spam)
    return buttons


def _button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def quote(text: str) -> str:
    """Someone's words as a Slack quote, escaped and within a section's limit."""
    body = escape(text.strip())[:MAX_SECTION_CHARS]
    return "\n".join("> " + line for line in body.splitlines() or [""])


def summary_lines(cards: Sequence[CardData], *, tz: ZoneInfo) -> list[str]:
    """One line per report (for /cpps queue): reference, category, age, state."""
    return [
        f"• *{c.ref}* {escape(label(c.category))} · {escape(c.destination_name)} · "
        f"received {local_time(c.received_at, tz)} · {STATUS_LABELS.get(c.status, c.status)}"
        for c in cards
    ]
