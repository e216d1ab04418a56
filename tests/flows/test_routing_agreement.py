"""An unsure classification whose likely categories all go to one body still reaches it."""

from __future__ import annotations

from flows.city import load_city_config
from flows.reports.routing import RoutingInput, route

CITY = load_city_config()


def _ids(report: RoutingInput) -> list[str]:
    return [d.id for d in route(report, city=CITY).destinations]


def test_agreeing_categories_reach_their_body_and_triage() -> None:
    report = RoutingInput(
        category="officer_misconduct",
        district=None,
        urgency="none",
        triage=True,
        scores=(("officer_misconduct", 0.4), ("stop_search_arrest", 0.3), ("praise", 0.3)),
    )
    assert _ids(report) == ["oversight", "triage"]


def test_disagreeing_categories_go_to_triage_only() -> None:
    report = RoutingInput(
        category="officer_misconduct",
        district="d2",
        urgency="none",
        triage=True,
        scores=(("officer_misconduct", 0.4), ("mental_health", 0.35), ("praise", 0.25)),
    )
    assert _ids(report) == ["triage"]


def test_district_councils_gather_their_categories() -> None:
    report = RoutingInput(
        category="neighborhood_safety",
        district="d4",
        urgency="none",
        triage=True,
        scores=(("neighborhood_safety", 0.45), ("praise", 0.2), ("other", 0.35)),
    )
    assert _ids(report) == ["council-d4", "triage"]


def test_a_confident_classification_is_unchanged() -> None:
    report = RoutingInput(
        category="domestic_violence",
        district=None,
        urgency="emergency",
        triage=False,
        scores=(("domestic_violence", 0.9), ("use_of_force", 0.1)),
    )
    assert _ids(report) == ["family-violence"]
