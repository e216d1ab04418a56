"""The figures are computed once per set of published months (a published month never changes):
not again while the decisions are read anew each minute, again once another month settles, and
ahead of the first visitor in the web process. The store's queries are counted as they run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flows.city import CityConfig
from flows.clocks import FixedClock
from flows.store import Store
from flows.transparency.service import TransparencyReport
from tests.support.transparency import first_report, publish_decision

# March 2026 settles 14 days after it ends: local midnight, CDT.
MARCH_CUTOFF = datetime(2026, 4, 15, 5, 0, tzinfo=UTC)


@pytest.fixture
def queries(seeded: Store, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times the store's figure query ran (the real query, counted)."""
    calls: Counter[str] = Counter()
    real: Callable[..., Any] = seeded.transparency.month_counts

    def counted(*args: Any) -> Any:
        calls["month_counts"] += 1
        return real(*args)

    monkeypatch.setattr(seeded.transparency, "month_counts", counted)
    return calls


def _service(store: Store, city: CityConfig, *, background: bool = False) -> TransparencyReport:
    return TransparencyReport(
        store=store,
        city=city,
        decisions=store.decisions.published_decisions,
        refresh_in_background=background,
    )


def test_a_new_decision_is_listed_without_counting_the_months_again(
    seeded: Store, city: CityConfig, clock: FixedClock, queries: Counter[str]
) -> None:
    report = _service(seeded, city)
    first = report.snapshot()
    assert queries == {"month_counts": 1}
    filed = first_report(seeded, "praise", "d2")
    publish_decision(seeded, filed, summary="Budget review", parties=["council-members"])
    clock.advance(timedelta(minutes=1))
    later = report.snapshot()
    assert later.decisions[0].summary == "Budget review"
    assert later.figures.by_month == first.figures.by_month
    assert later.figures.generated_at == clock.now()  # "updated": when decisions were read
    clock.set(MARCH_CUTOFF - timedelta(minutes=1))  # weeks later, March not yet settled
    assert report.snapshot().figures.months[-1] == "2026-02"
    assert queries == {"month_counts": 1}


def test_the_figures_are_counted_again_when_a_month_settles(
    seeded: Store, city: CityConfig, clock: FixedClock, queries: Counter[str]
) -> None:
    report = _service(seeded, city)
    assert report.snapshot().figures.months[-1] == "2026-02"
    clock.set(MARCH_CUTOFF)
    figures = report.snapshot().figures
    assert queries == {"month_counts": 2}
    assert figures.months[-1] == "2026-03"
    assert "2026-02" in figures.months


def test_the_web_process_counts_the_months_before_the_first_visitor(
    seeded: Store, city: CityConfig, clock: FixedClock, queries: Counter[str]
) -> None:
    report = _service(seeded, city, background=True)
    report.warm()
    report.wait_for_refresh()
    assert queries == {"month_counts": 1}
    clock.advance(timedelta(minutes=5))  # idle: the decisions are read before answering
    assert report.snapshot().figures.months[-1] == "2026-02"
    assert queries == {"month_counts": 1}
