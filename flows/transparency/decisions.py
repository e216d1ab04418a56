"""The published decisions the page lists, as the page needs them: no report reference, no
moderator, no reporter; a summary that was redacted before a moderator published it.

The page takes them from a `DecisionSource` passed in (the store's published decisions once
decisions are recorded; `no_decisions` until then), so it never builds a query of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class PublishedDecision:
    """The latest published decision on one report."""

    published_on: date
    district: str | None  # a district id of the city file; None when not known
    category: str  # a category id of the city file
    summary: str  # written for residents by a moderator, redacted before publication
    parties: list[str]  # who took part, as the city file names them
    corrected: bool  # this decision corrects an earlier published one


DecisionSource = Callable[[], list[PublishedDecision]]


def no_decisions() -> list[PublishedDecision]:
    """The source until decisions are recorded from Slack: none published."""
    return []
