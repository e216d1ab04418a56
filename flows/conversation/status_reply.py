"""The answer to STATUS (pure): the reporter's own reports and where they stand, and the latest
published decision on one of them.

Only the sender's reports reach here (`StatusFound`, prepared by flows/handling/effect_prep.py):
another person's reference looks like no report at all.

A decision is said in a short form, "Decision on R-7KQ2 (2026-03-12): …", which also makes the
one text sent when a decision is published (flows/reports/decisions.py). Moderators write the
summary in one language; only the label is translated. Its accents outside GSM 03.38 are folded
(as for destination names) and it is cut, ending in "...", so that the text fits the two
segments every reply of the conversation keeps to.
"""

from __future__ import annotations

from datetime import date

from flows.conversation.catalog import Catalog
from flows.conversation.events import StatusFound
from flows.conversation.state import ConversationState
from flows.conversation.turn import Turn
from flows.handling.segments import fit_segments, gsm7_friendly
from flows.statuses import ReportState

# Enough to stay within two SMS segments with long destination names.
MAX_STATUS_ITEMS = 3
MAX_SEGMENTS = 2


def on_status(state: ConversationState, event: StatusFound, turn: Turn) -> ConversationState:
    lang = turn.language(state)
    catalog = turn.catalog

    def status_name(status: str) -> str:
        # Spam is shown as closed: a resident is never told their report was judged spam.
        key = "status_closed" if status == ReportState.SPAM else f"status_{status}"
        return catalog.render(key if key in catalog.messages[lang] else "status_unknown", lang)

    if event.asked_ref is not None:
        # Only the sender's own reports are given to us: another's reference looks like no report.
        found = next((r for r in event.reports if r.ref == event.asked_ref), None)
        if found is None:
            turn.say(state, "status_not_found", ref=event.asked_ref)
        else:
            names = [catalog.render("destination_item", lang, name=n) for n in found.destinations]
            if not names:
                names = [catalog.render("destination_pending", lang)]
            turn.say(
                state,
                "status_one",
                ref=found.ref,
                status=status_name(found.status),
                destinations=catalog.join(names, lang),
            )
    elif not event.reports:
        turn.say(state, "status_none")
    else:
        items = [
            catalog.render("status_item", lang, ref=r.ref, status=status_name(r.status))
            for r in event.reports[:MAX_STATUS_ITEMS]
        ]
        turn.say(state, "status_list", reports="; ".join(items))
    _say_decision(state, event, turn)
    turn.reask(state)
    return state


def _say_decision(state: ConversationState, event: StatusFound, turn: Turn) -> None:
    """The latest published decision, as a text of its own: on the report asked about, or on
    the newest report listed that has one (one decision per STATUS keeps it to one more text)."""
    listed = [r for r in event.reports if event.asked_ref in (None, r.ref)]
    shown = listed[:1] if event.asked_ref is not None else listed[:MAX_STATUS_ITEMS]
    decided = next((r for r in shown if r.decision is not None), None)
    if decided is None or decided.decision is None:
        return
    turn.say_text(
        render_decision(
            turn.catalog,
            turn.language(state),
            ref=decided.ref,
            on=decided.decision.on,
            summary=decided.decision.summary,
        )
    )


def render_decision(catalog: Catalog, language: str, *, ref: str, on: date, summary: str) -> str:
    """The decision on report `ref`, published on `on` (the city's date), in `language`."""
    words = " ".join(gsm7_friendly(summary).split())

    def render(text: str) -> str:
        return catalog.render("decision", language, ref=ref, date=on.isoformat(), summary=text)

    return fit_segments(render, words, max_segments=MAX_SEGMENTS)
