"""`aggregate._month` itself attacked (tests/transparency/attack.py): the suppression rules, the
fold rule and the decisions published beside the figures together, on generated months, small
ones included. The examples first show the attacker sees each way a count could leak."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from flows.store import PublishedDecision
from flows.store.transparency import MonthMedians, ReportCount
from flows.transparency.aggregate import OTHER, Figures, MonthFigures, _month
from flows.transparency.public_decisions import public_decisions
from flows.transparency.suppression import FOLDED, Group, Shown
from tests.support.fuzz import FUZZ
from tests.transparency.attack import Published, System, recovered

K = 5
CATEGORIES = ("a", "b", "c", OTHER)
DISTRICTS = ("d1", "d2", "d3", OTHER)
MONTH = "2026-02"
AT = datetime(2026, 2, 10, 18, 0, tzinfo=UTC)
TZ = UTC
# One report: its category and district (None: not known).
Report = tuple[str, str | None]


def month_of(reports: Sequence[Report], *, min_district: int = K) -> MonthFigures:
    counts = Counter(reports)
    rows = [ReportCount(0, c, d, False, False, n) for (c, d), n in counts.items()]
    return _month(
        MONTH,
        rows,
        MonthMedians(None, None),
        [],
        categories=CATEGORIES,
        districts=DISTRICTS,
        k=K,
        min_district=min_district,
    )


def attack(
    month: MonthFigures,
    *,
    min_district: int = K,
    decided: Sequence[Report] = (),
    name_everything: bool = False,
) -> tuple[System, dict[tuple[str, int], int]]:
    """The attacker's programme for the month's reports group, the fold rule and decisions on
    `decided` (as `public_decisions` names them, or naming every cell as stored before)."""
    group = month.reports
    system = System(k=K)
    index = system.add_group(
        Published(
            "m",
            (str(group.total.shown), group.total.value),
            {n: [(str(c.shown), c.value) for c in cells] for n, cells in group.lines.items()},
        )
    )
    district_line = group.lines["district"]
    total = group.total
    large = total.shown == Shown.WITHHELD or (total.value or 0) >= K
    if min_district and (large or any(c.shown == Shown.FOLDED for c in district_line)):
        for i, d in enumerate(DISTRICTS):
            if d != OTHER and ("district", i) in index:
                system.zero_or_at_least(index[("district", i)], min_district)
    named: Counter[tuple[str, int]] = Counter()
    for category, district in decided:
        if name_everything:
            named[("category", CATEGORIES.index(category))] += 1
            named[("district", DISTRICTS.index(district or OTHER))] += 1
            continue
        stored = PublishedDecision(AT, AT, district, category, "s", (), corrected=False)
        figures = Figures(K, (MONTH,), CATEGORIES, DISTRICTS, (month,), AT)
        [public] = public_decisions([stored], figures, tz=TZ)
        if public.category is not None:
            named[("category", CATEGORIES.index(public.category))] += 1
        if public.district is not None:
            named[("district", DISTRICTS.index(public.district))] += 1
    for cell, count in named.items():
        if cell in index:
            system.at_least(index[cell], count)
    return system, index


def test_the_attacker_sees_a_fold_in_a_month_of_fewer_than_k() -> None:
    """Three reports in d1: folding d1 (and d2 with it) would leave d3 readable as 0."""
    reports: list[Report] = [("a", "d1")] * 3
    month = month_of(reports)
    assert recovered(attack(month)[0]) == {}
    # As the fold ran before (whatever the month's total), the attacker solves d3 = 0.
    folded_line = list(month.reports.lines["district"])
    folded_line[0] = folded_line[1] = FOLDED
    leaky = MonthFigures(
        MONTH,
        Group(month.reports.total, {**month.reports.lines, "district": tuple(folded_line)}),
        None,
        None,
        month.contacted,
        month.satisfaction,
    )
    assert recovered(attack(leaky)[0]) == {"m/district/2": 0}


def test_the_attacker_sees_a_fold_threshold_other_than_k() -> None:
    """With districts folded below 4 (k = 5), d1's 4 reads "fewer than 5" but can only be 4."""
    reports: list[Report] = [("a", "d1")] * 4 + [("b", "d2")] * 10
    month = month_of(reports, min_district=4)
    assert recovered(attack(month, min_district=4)[0])["m/district/0"] == 4
    assert recovered(attack(month_of(reports))[0]) == {}


def test_the_attacker_sees_decisions_naming_a_suppressed_cell() -> None:
    """Four decisions in a category of 4 ("fewer than 5") would pin it at 4."""
    reports: list[Report] = [("a", "d1")] * 4 + [("b", "d1")] * 10
    month = month_of(reports)
    decided = [("a", "d1")] * 4
    leaked = recovered(attack(month, decided=decided, name_everything=True)[0])
    assert leaked["m/category/0"] == 4
    assert recovered(attack(month, decided=decided)[0]) == {}


@st.composite
def months(draw: st.DrawFn) -> tuple[list[Report], list[Report]]:
    """Reports of one month, small totals often, and the ones with a published decision."""
    n = draw(st.integers(min_value=0, max_value=30))
    report = st.tuples(st.sampled_from(CATEGORIES), st.sampled_from(("d1", "d2", "d3", None)))
    reports = draw(st.lists(report, min_size=n, max_size=n))
    decided = [r for r in reports if draw(st.booleans())]
    return reports, decided


@FUZZ
@given(months(), st.sampled_from((0, K)))
def test_no_count_of_a_month_can_be_worked_out(
    case: tuple[list[Report], list[Report]], min_district: int
) -> None:
    reports, decided = case
    month = month_of(reports, min_district=min_district)
    system, index = attack(month, min_district=min_district, decided=decided)
    assert recovered(system) == {}
    # The attacker's model is true of the real counts (else the test proves nothing).
    by_category = Counter(c for c, _ in reports)
    line = month.reports.lines["district"]
    folded = {d for d, c in zip(DISTRICTS, line, strict=True) if c == FOLDED}
    by_district = Counter(OTHER if d is None or d in folded else d for _, d in reports)
    ranges = system.ranges()
    for (line, i), var in index.items():
        real = {
            "total": len(reports),
            "category": by_category[CATEGORIES[i]],
            "district": by_district[DISTRICTS[i]],
        }.get(line)
        name = system.names[var]
        if real is not None and name in ranges:
            low, high = ranges[name]
            assert low <= real <= high, (name, real, low, high)
