"""The moderator modals (Reroute, Ask the reporter, Resolve) as Block Kit views (pure).

Each view carries the report and the card it was opened from in `private_metadata`
("report_id:destination"), so the submission knows what to change without any lookup by text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.slack.cards import escape, label

View = dict[str, Any]

VIEW_REROUTE = "cpps_reroute_submit"
VIEW_ASK = "cpps_ask_submit"
VIEW_RESOLVE = "cpps_resolve_submit"

BLOCK_DESTINATION = "destination"
BLOCK_CATEGORY = "category"
BLOCK_TEXT = "text"
INPUT = "value"
MAX_INPUT_CHARS = 600


# What `metadata` writes (a destination id is a city-file key); bot/slack/wire.py refuses others.
METADATA = re.compile(r"\A[0-9]{1,18}:[A-Za-z0-9_-]{0,64}\Z")


def metadata(report_id: int, destination: str) -> str:
    return f"{report_id}:{destination}"


def parse_metadata(value: str) -> tuple[int, str]:
    """(report id, destination) from a button value or a view's private_metadata."""
    report_part, _, destination = value.partition(":")
    return int(report_part), destination


def reroute_modal(
    *,
    ref: str,
    report_id: int,
    from_destination: str,
    destinations: Sequence[tuple[str, str]],
    categories: Sequence[str],
    current_category: str | None,
) -> View:
    """Choose where the report should go, and the category it really is (a training label)."""
    destination_options = [_option(name, dest_id) for dest_id, name in destinations]
    category_options = [_option(label(c), c) for c in categories]
    category_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": INPUT,
        "options": category_options,
    }
    if current_category is not None and current_category in categories:
        category_select["initial_option"] = _option(label(current_category), current_category)
    return modal_view(
        VIEW_REROUTE,
        title="Reroute",
        submit="Reroute",
        private_metadata=metadata(report_id, from_destination),
        blocks=[
            _intro(f"Send report *{escape(ref)}* to another council or agency."),
            {
                "type": "input",
                "block_id": BLOCK_DESTINATION,
                "label": {"type": "plain_text", "text": "Destination"},
                "element": {
                    "type": "static_select",
                    "action_id": INPUT,
                    "options": destination_options,
                },
            },
            {
                "type": "input",
                "block_id": BLOCK_CATEGORY,
                "label": {"type": "plain_text", "text": "What the report is about"},
                "hint": {
                    "type": "plain_text",
                    "text": "Your choice teaches the classifier (only the redacted text is kept).",
                },
                "element": category_select,
            },
        ],
    )


def ask_modal(*, ref: str, report_id: int, destination: str, anonymous: bool) -> View:
    note = (
        "The reporter chose to stay anonymous: the question is relayed by text without revealing "
        "who they are, and they need not answer."
        if anonymous
        else "The reporter agreed to be contacted through this line; their number stays hidden."
    )
    return _text_modal(
        VIEW_ASK,
        title="Ask the reporter",
        submit="Send question",
        private_metadata=metadata(report_id, destination),
        intro=f"Question about report *{escape(ref)}*. {note} Their answer appears in the "
        "card's thread.",
        label_text="Question",
    )


def resolve_modal(*, ref: str, report_id: int, destination: str, reachable: bool) -> View:
    note = (
        "The note is sent to the reporter by text."
        if reachable
        else "The reporter cannot be reached: the note stays in the audit trail."
    )
    return _text_modal(
        VIEW_RESOLVE,
        title="Resolve",
        submit="Resolve",
        private_metadata=metadata(report_id, destination),
        intro=f"Resolve report *{escape(ref)}*. {note}",
        label_text="Note for the reporter",
    )


def _text_modal(
    callback_id: str,
    *,
    title: str,
    submit: str,
    private_metadata: str,
    intro: str,
    label_text: str,
) -> View:
    return modal_view(
        callback_id,
        title=title,
        submit=submit,
        private_metadata=private_metadata,
        blocks=[
            _intro(intro),
            {
                "type": "input",
                "block_id": BLOCK_TEXT,
                "label": {"type": "plain_text", "text": label_text},
                "element": {
                    "type": "plain_text_input",
                    "action_id": INPUT,
                    "multiline": True,
                    "max_length": MAX_INPUT_CHARS,
                },
            },
        ],
    )


def modal_view(
    callback_id: str,
    *,
    title: str,
    submit: str,
    private_metadata: str,
    blocks: list[Any],
    close: str = "Cancel",
) -> View:
    """A Slack modal view; titles and button labels cut to Slack's 24 characters."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": submit[:24]},
        "close": {"type": "plain_text", "text": close},
        "blocks": blocks,
    }


def _intro(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}


def submitted_value(view: dict[str, Any], block_id: str) -> str | None:
    """The value a moderator entered or selected in one input of a submitted view."""
    state = view.get("state", {}).get("values", {}).get(block_id, {}).get(INPUT, {})
    if state.get("type") == "static_select":
        selected = state.get("selected_option") or {}
        value = selected.get("value")
        return str(value) if value is not None else None
    value = state.get("value")
    return str(value) if value is not None else None
