"""A decision names only what the figures of its report's month show as a number
(flows/transparency/public_decisions.py): a small month, a month not yet published."""

from __future__ import annotations

from flows.city import CityConfig
from flows.store import Store
from flows.transparency.service import TransparencyReport
from tests.support.transparency import first_report, publish_decision


def _decision(seeded: Store, city: CityConfig, category: str, district: str) -> dict[str, object]:
    report = first_report(seeded, category, district)
    publish_decision(seeded, report, summary="Reviewed.", parties=["council-members"])
    service = TransparencyReport(
        store=seeded, city=city, decisions=seeded.decisions.published_decisions
    )
    [decision] = [d for d in service.snapshot().decisions if d.summary == "Reviewed."]
    return {"district": decision.district, "category": decision.category}


def test_a_decision_in_a_month_with_fewer_than_k_reports_names_neither(
    seeded: Store, city: CityConfig
) -> None:
    # December 2025: three mental-health reports in Northside, every cell "fewer than 5".
    assert _decision(seeded, city, "mental_health", "d1") == {"district": None, "category": None}


def test_a_decision_on_a_report_of_a_month_not_yet_published_names_neither(
    seeded: Store, city: CityConfig
) -> None:
    # March 2026 is in progress: no figures yet, so no cell to name.
    assert _decision(seeded, city, "praise", "d1") == {"district": None, "category": None}


def test_a_decision_in_a_withheld_month_names_neither(seeded: Store, city: CityConfig) -> None:
    # January 2026 is withheld whole (praise 1 beside use of force exactly 5).
    assert _decision(seeded, city, "officer_misconduct", "d2") == {
        "district": None,
        "category": None,
    }


def test_a_decision_names_shown_cells(seeded: Store, city: CityConfig) -> None:
    # February: Riverside 9 and neighbourhood safety 9 are shown.
    assert _decision(seeded, city, "neighborhood_safety", "d2") == {
        "district": "d2",
        "category": "neighborhood_safety",
    }
