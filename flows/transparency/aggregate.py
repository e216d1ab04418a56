"""The one aggregation behind the page, the CSV and the JSON: counts per complete month, every
one of them passed through `suppression.protect` before anything can show it.

Only complete calendar months in the city's time zone are published, each `settle_days` after
it ends and as it stood then (`flows/store/transparency.py`): a published month never changes,
so no two publications differ by a report or two. Spam marked by then is not counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flows.city import CityConfig
from flows.store import Store
from flows.store.transparency import AnswerCount, MonthMedians, ReportCount, Window
from flows.transparency.suppression import FOLDED, Group, Shown, protect

OTHER = "other"  # the category of reports with none, and the district bucket "other districts"
YES_NO = ("yes", "no")
SCORES = ("1", "2", "3", "4", "5")
# The lines of a month's reports group, in the order they are published.
REPORT_LINES = ("category", "district", "acknowledged", "resolved")


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM, city time
    reports: Group  # lines REPORT_LINES; acknowledged and resolved split as YES_NO
    # Medians, only beside a shown count of what they are the median of (else None).
    days_to_acknowledge: float | None
    days_to_resolve: float | None
    contacted: Group  # line "answer": YES_NO ("has anyone contacted you?")
    satisfaction: Group  # line "score": SCORES (1 poorly … 5 very well)


@dataclass(frozen=True)
class Figures:
    min_count: int  # k
    months: tuple[str, ...]
    categories: tuple[str, ...]  # category ids, the order of the "category" line
    districts: tuple[str, ...]  # every district id, then OTHER: the "district" line
    by_month: tuple[MonthFigures, ...]
    generated_at: datetime


def window(now: datetime, *, city: CityConfig) -> tuple[Window, tuple[str, ...]]:
    """The months published at `now`, oldest first, and their labels (YYYY-MM, city time).

    Month i runs from `starts[i]` to `starts[i + 1]` (local midnights, as UTC instants) and is
    counted as it stood at `cutoffs[i]`, `settle_days` after its end; the last month shown is
    the latest whose cut-off has passed.
    """
    tz = city.tz
    settle = timedelta(days=city.transparency.settle_days)
    local = now.astimezone(tz)
    year, month = local.year, local.month
    while _local_start(year, month, tz, settle) > now:
        year, month = _previous(year, month)
    starts, cutoffs = [], []
    for _ in range(city.transparency.months + 1):
        starts.append(_local_start(year, month, tz))
        cutoffs.append(_local_start(year, month, tz, settle))
        year, month = _previous(year, month)
    starts.reverse()
    cutoffs.reverse()
    labels = tuple(s.astimezone(tz).strftime("%Y-%m") for s in starts[:-1])
    return Window(starts=starts, cutoffs=cutoffs[1:]), labels


def _local_start(year: int, month: int, tz: ZoneInfo, after: timedelta = timedelta(0)) -> datetime:
    """Local midnight `after` days after the 1st of the month, as a UTC instant."""
    local = datetime(year, month, 1) + after
    return local.replace(tzinfo=tz).astimezone(UTC)


def _previous(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def aggregate(*, store: Store, city: CityConfig, now: datetime) -> Figures:
    months, labels = window(now, city=city)
    found = store.transparency.month_counts(months)
    counts, medians, answers = found.reports, found.medians, found.answers
    k = city.transparency.min_count
    categories = tuple(city.city.categories) + (() if OTHER in city.city.categories else (OTHER,))
    districts = (*(d.id for d in city.districts), OTHER)
    by_month = tuple(
        _month(
            label,
            [c for c in counts if c.month == index],
            medians.get(index, MonthMedians(None, None)),
            [a for a in answers if a.month == index],
            categories=categories,
            districts=districts,
            k=k,
            min_district=city.transparency.district_min_reports,
        )
        for index, label in enumerate(labels)
    )
    return Figures(k, labels, categories, districts, by_month, now)


def folded(counts: Counter[str], districts: Sequence[str], *, below: int) -> set[str]:
    """The districts of one month counted in "other districts" (a month of at least k reports;
    `_month` folds none in a smaller one): those with some reports but fewer than `below` that
    month, and never only one of them (it would be that district under
    another name): the smallest of the rest joins a lone one. Decided per month from that
    month's own (settled) counts, so a published month's lines never change."""
    ids = [d for d in districts if d != OTHER]
    fold = {d for d in ids if 0 < counts[d] < below}
    if len(fold) == 1 and len(ids) > 1:
        fold.add(min((d for d in ids if d not in fold), key=lambda d: (counts[d], d)))
    return fold


def _month(
    label: str,
    counts: Sequence[ReportCount],
    medians: MonthMedians,
    answers: Sequence[AnswerCount],
    *,
    categories: tuple[str, ...],
    districts: tuple[str, ...],
    k: int,
    min_district: int,
) -> MonthFigures:
    lines: dict[str, list[int]] = {name: [] for name in REPORT_LINES}
    by_category: Counter[str] = Counter()
    by_district: Counter[str] = Counter()
    acknowledged = resolved = total = 0
    for c in counts:
        by_category[c.category if c.category in categories else OTHER] += c.count
        by_district[c.district if c.district in districts else OTHER] += c.count
        acknowledged += c.count if c.acknowledged else 0
        resolved += c.count if c.resolved else 0
        total += c.count
    lines["category"] = [by_category[c] for c in categories]
    # A month of fewer than k reports shows every cell as "fewer than k", zeros too: folding
    # some districts there would mark exactly the ones that have reports.
    fold = folded(by_district, districts, below=min_district) if total >= k else set()
    for district in fold:
        by_district[OTHER] += by_district.pop(district, 0)
    kept = [d for d in districts if d not in fold]
    lines["district"] = [by_district[d] for d in kept]
    lines["acknowledged"] = [acknowledged, total - acknowledged]
    lines["resolved"] = [resolved, total - resolved]
    protected = protect(total, lines, k=k)
    # The folded districts' cells say where they are counted; the others are as protected.
    shown = dict(zip(kept, protected.lines["district"], strict=True))
    district_line = tuple(shown.get(d, FOLDED) for d in districts)
    reports = Group(protected.total, {**protected.lines, "district": district_line})
    given: dict[str, Counter[str]] = defaultdict(Counter)
    for a in answers:
        given[a.kind][a.answer] += a.count
    contacted = [given["contacted"]["1"], given["contacted"]["2"]]
    scores = [given["satisfaction"][s] for s in SCORES]
    return MonthFigures(
        month=label,
        reports=reports,
        days_to_acknowledge=_beside(reports, "acknowledged", medians.days_to_acknowledge),
        days_to_resolve=_beside(reports, "resolved", medians.days_to_resolve),
        contacted=protect(sum(contacted), {"answer": contacted}, k=k),
        satisfaction=protect(sum(scores), {"score": scores}, k=k),
    )


def _beside(reports: Group, line: str, median: float | None) -> float | None:
    """A median is published only beside the count of reports it summarises, shown as such."""
    if median is None or reports.shown(line, 0).shown != Shown.VALUE:
        return None
    return round(median, 1)
