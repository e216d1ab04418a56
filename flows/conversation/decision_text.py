"""A published decision as a resident reads it by SMS: "Decision on R-7KQ2 (2026-03-12): …".

The same short form answers STATUS and makes the one text sent when a decision is published
(flows/reports/decisions.py). Moderators write the summary in one language; only the label is
translated. Its accents outside GSM 03.38 are folded (as for destination names) and it is cut,
ending in "...", so that the text fits the two segments every reply of the conversation keeps to.
"""

from __future__ import annotations

from datetime import date

from flows.conversation.catalog import Catalog
from flows.handling.segments import fit_segments, gsm7_friendly

MAX_SEGMENTS = 2


def render_decision(catalog: Catalog, language: str, *, ref: str, on: date, summary: str) -> str:
    """The decision on report `ref`, published on `on` (the city's date), in `language`."""
    words = " ".join(gsm7_friendly(summary).split())

    def render(text: str) -> str:
        return catalog.render("decision", language, ref=ref, date=on.isoformat(), summary=text)

    return fit_segments(render, words, max_segments=MAX_SEGMENTS)
