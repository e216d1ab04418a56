"""The decision modal in two steps, as Block Kit views (pure).

1. "Record decision" (`VIEW_DECISION`): what was decided and done, for residents, and who took
   part (the card's destination's parties, from the city file). Submitting it records the
   decision, redacted, unpublished, and the modal turns into step 2 (`response_action: update`).
2. "Publish decision" (`VIEW_DECISION_PUBLISH`): the summary as the redactor left it, which is
   what residents and the reporter will read. Publish, or close it: the decision stays recorded,
   unpublished, in the audit trail.

Slack keeps a view's id when a submission updates it, so the second step names the decision the
first recorded by that id (the action key); a replay of either step does nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack.cards import escape
from bot.slack.modals import BLOCK_TEXT, INPUT, MAX_INPUT_CHARS, View, metadata, modal_view

VIEW_DECISION = "cpps_decision_submit"
VIEW_DECISION_PUBLISH = "cpps_decision_publish"
BLOCK_PARTIES = "parties"


def decision_modal(
    *,
    ref: str,
    report_id: int,
    destination: str,
    parties: Sequence[tuple[str, str]],
    current_summary: str | None = None,
    current_parties: Sequence[str] = (),
) -> View:
    """Step 1. With a decision already recorded, the modal corrects it (prefilled with it)."""
    correcting = current_summary is not None
    intro = (
        f"Correct the decision on report *{escape(ref)}*. The earlier version is kept; readers "
        "see this one, marked as corrected."
        if correcting
        else f"Record what was decided and done about report *{escape(ref)}*."
    )
    text_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": INPUT,
        "multiline": True,
        "max_length": MAX_INPUT_CHARS,
    }
    if current_summary:
        text_input["initial_value"] = current_summary[:MAX_INPUT_CHARS]
    blocks: list[dict[str, Any]] = [
        _section(
            intro + " Write it for residents: it is redacted like a resident's text, and you "
            "review the redacted version before publishing."
        ),
        {
            "type": "input",
            "block_id": BLOCK_TEXT,
            "label": {"type": "plain_text", "text": "What was decided and done"},
            "element": text_input,
        },
    ]
    if parties:
        options = [_option(name, party_id) for party_id, name in parties]
        checkboxes: dict[str, Any] = {
            "type": "checkboxes",
            "action_id": INPUT,
            "options": options,
        }
        chosen = [o for o in options if o["value"] in set(current_parties)]
        if chosen:
            checkboxes["initial_options"] = chosen
        blocks.append(
            {
                "type": "input",
                "block_id": BLOCK_PARTIES,
                "optional": True,
                "label": {"type": "plain_text", "text": "Who took part"},
                "element": checkboxes,
            }
        )
    return modal_view(
        VIEW_DECISION,
        close="Close",
        title="Correct decision" if correcting else "Record decision",
        submit="Review",
        private_metadata=metadata(report_id, destination),
        blocks=blocks,
    )


def review_view(
    *,
    ref: str,
    report_id: int,
    destination: str,
    summary: str,
    party_names: Sequence[str],
    published: bool,
) -> View:
    """Step 2: the redacted summary, as residents will read it."""
    quoted = "\n".join("> " + line for line in escape(summary).splitlines() or [""])
    who = ", ".join(party_names) if party_names else "nobody named"
    state = (
        "This version is already published."
        if published
        else "Recorded, *not published*. Publish it, or close this to keep it internal."
    )
    return modal_view(
        VIEW_DECISION_PUBLISH,
        close="Close",
        title="Publish decision",
        submit="Publish",
        private_metadata=metadata(report_id, destination),
        blocks=[
            _section(f"Decision on report *{escape(ref)}*, as residents will read it:"),
            _section(quoted),
            _section(f"*Who took part:* {escape(who)}"),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": state}]},
        ],
    )


def submitted_options(view: dict[str, Any], block_id: str) -> list[str]:
    """The values of the options a moderator ticked in one checkboxes input."""
    state = view.get("state", {}).get("values", {}).get(block_id, {}).get(INPUT, {})
    selected = state.get("selected_options") or []
    return [str(o["value"]) for o in selected if isinstance(o, dict) and "value" in o]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}
