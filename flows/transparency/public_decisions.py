"""What a published decision may say about the report it is on, for the page and the open data
alike (they render only what this returns).

A decision row is one report's district and category: printed as stored, it would undo the
suppression of the figures (Southfield's one February report reads "other districts" in the
counts, and would read "Southfield" beside its decision). So a decision names:

- its district only if that district's cell, in the report's month (city time), is a count
  shown as a number in the published figures; "other districts" if the report is counted in
  that bucket (its district is not known, or was folded into it that month) and that bucket is
  shown as a number; otherwise nothing ("not published");
- its category only if the category's cell in the report's month is shown as a number;
- neither while the report's month is not published (not settled yet, or older than the
  months shown).

Every cell a decision names is therefore one already published as a number, and a decision
only says "at least one report here": a lower bound on a number everyone can read, which
pins nothing (see flows/transparency/suppression.py).

The date is the *month* the decision was published (city time), not the day: a resident who
saw a report made on a given day could otherwise match it to a decision published days after.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flows.store import PublishedDecision
from flows.transparency.aggregate import OTHER, Figures, MonthFigures
from flows.transparency.suppression import Cell, Shown


@dataclass(frozen=True)
class PublicDecision:
    published_in: str  # YYYY-MM, city time
    district: str | None  # a district id or OTHER when shown; None: not published
    category: str | None  # a category id when shown; None: not published
    summary: str
    parties: tuple[str, ...]  # party keys of the city file
    corrected: bool


def city_month(at: datetime, tz: ZoneInfo) -> str:
    """The month (YYYY-MM) `at` falls in, in the city's time."""
    return at.astimezone(tz).strftime("%Y-%m")


def public_decisions(
    decisions: Sequence[PublishedDecision], figures: Figures, *, tz: ZoneInfo
) -> tuple[PublicDecision, ...]:
    """The decisions, newest first, each naming only what the published figures show."""
    months = {m.month: m for m in figures.by_month}
    ordered = sorted(decisions, key=lambda d: d.published_at, reverse=True)
    return tuple(
        _public(d, months.get(city_month(d.reported_at, tz)), figures, tz) for d in ordered
    )


def _public(
    decision: PublishedDecision, month: MonthFigures | None, figures: Figures, tz: ZoneInfo
) -> PublicDecision:
    district = category = None
    if month is not None:
        district = _district(decision.district, month, figures.districts)
        category = _category(decision.category, month, figures.categories)
    return PublicDecision(
        published_in=city_month(decision.published_at, tz),
        district=district,
        category=category,
        summary=decision.summary,
        parties=decision.parties,
        corrected=decision.corrected,
    )


def _district(district: str | None, month: MonthFigures, districts: tuple[str, ...]) -> str | None:
    line = month.reports.lines["district"]
    bucket = district if district in districts else OTHER
    if line[districts.index(bucket)].shown == Shown.FOLDED:
        bucket = OTHER
    return bucket if _shown(line[districts.index(bucket)]) else None


def _category(category: str | None, month: MonthFigures, categories: tuple[str, ...]) -> str | None:
    bucket = category if category in categories else OTHER
    cell = month.reports.lines["category"][categories.index(bucket)]
    return bucket if _shown(cell) else None


def _shown(cell: Cell) -> bool:
    # A shown zero cannot hold this report: it is another month's count or a later reroute.
    return cell.shown == Shown.VALUE and bool(cell.value)
