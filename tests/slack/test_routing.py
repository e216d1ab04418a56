"""Routing over the demo city: every rule, unit-tested on flows/reports/routing.py, then end to
end to the right Slack channel; and a bad routing file stopping start-up with its line named."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.city import DEMO_CITY, CityConfig, CityConfigError, load_city_config
from flows.reports.routing import RoutingInput, route
from tests.support.slack_bench import Harness


def _route(
    city: CityConfig,
    category: str | None,
    district: str | None = None,
    urgency: str = "none",
    triage: bool = False,
) -> list[str]:
    decision = route(
        RoutingInput(category=category, district=district, urgency=urgency, triage=triage),
        city=city,
    )
    return [d.id for d in decision.destinations]


@pytest.mark.parametrize("category", ["use_of_force", "officer_misconduct", "stop_search_arrest"])
def test_police_conduct_goes_to_oversight(city: CityConfig, category: str) -> None:
    assert _route(city, category, "d2") == ["oversight"]


def test_bias_goes_to_oversight_and_the_district_council(city: CityConfig) -> None:
    assert _route(city, "bias_discrimination", "d3") == ["oversight", "council-d3"]


@pytest.mark.parametrize("category", ["neighborhood_safety", "praise"])
def test_district_matters_go_to_the_district_council(city: CityConfig, category: str) -> None:
    assert _route(city, category, "d4") == ["council-d4"]
    assert _route(city, category, "d1") == ["council-d1"]


def test_a_district_rule_without_a_district_goes_to_triage(city: CityConfig) -> None:
    assert _route(city, "neighborhood_safety", None) == ["triage"]
    decision = route(
        RoutingInput(category="bias_discrimination", district=None, urgency="none", triage=False),
        city=city,
    )
    assert [d.id for d in decision.destinations] == ["oversight", "triage"]
    assert decision.reasons[1] == "rule 2: no district known"


@pytest.mark.parametrize(
    ("category", "destination"),
    [
        ("mental_health", "crisis-team"),
        ("domestic_violence", "family-violence"),
        ("social_services", "social-services"),
        ("funding_priorities", "budget"),
        ("other", "triage"),
    ],
)
def test_single_destination_rules(city: CityConfig, category: str, destination: str) -> None:
    assert _route(city, category, "d1") == [destination]


def test_a_crisis_reaches_the_crisis_team_whatever_the_category(city: CityConfig) -> None:
    assert _route(city, "use_of_force", "d2", urgency="crisis") == ["oversight", "crisis-team"]
    # Even when the classifier is unsure: the crisis team and triage.
    assert _route(city, "praise", "d2", urgency="crisis", triage=True) == ["crisis-team", "triage"]


def test_an_unsure_classification_goes_to_triage_only(city: CityConfig) -> None:
    assert _route(city, "use_of_force", "d2", triage=True) == ["triage"]
    assert route(
        RoutingInput(category="use_of_force", district="d2", urgency="none", triage=True),
        city=city,
    ).reasons == ("classifier unsure",)


def test_no_category_goes_to_triage(city: CityConfig) -> None:
    assert _route(city, None, "d2") == ["triage"]


@pytest.mark.parametrize(
    ("text", "channels"),
    [
        ("An officer pushed me down near City Hall", ["cpps-oversight"]),
        ("The officer was rude at the Brickyard Rec Center", ["cpps-oversight"]),
        ("They searched me at Union Station", ["cpps-oversight"]),
        ("A racist cop at Eastgate Plaza", ["cpps-oversight", "cpps-council-eastgate"]),
        ("The streetlight on Oak Street is out, it's unsafe", ["cpps-council-southfield"]),
        ("I want to thank the officers at Millbrook Park", ["cpps-council-northside"]),
        ("My brother needs mental health help", ["cpps-crisis-team"]),
        ("My husband hits me", ["cpps-family-violence"]),
        ("We need a shelter for families", ["cpps-social-services"]),
        ("Put the budget into schools", ["cpps-budget"]),
        ("Something weird happened", ["cpps-triage"]),
        ("I do not know what to say", ["cpps-triage"]),
    ],
)
def test_each_rule_posts_the_card_in_the_right_channel(
    bench: Harness, text: str, channels: list[str]
) -> None:
    report = bench.file(text)
    every_channel = {d.slack_channel for d in bench.city.destinations}
    got = sorted(c for c in every_channel if bench.api.cards(c))
    assert got == sorted(channels)
    for channel in channels:
        [card] = bench.api.cards(channel)
        assert report.ref in card["text"]


def test_a_bad_routing_file_fails_start_up_naming_the_line(
    tmp_path: Path, database_url: str, master_key: str
) -> None:
    from bot.wiring import build_services
    from tests.service_harness import make_settings

    text = DEMO_CITY.read_text(encoding="utf-8")
    bad = text.replace('destinations = ["budget"]', 'destinations = ["budget-office"]')
    assert bad != text
    path = tmp_path / "city.toml"
    path.write_text(bad, encoding="utf-8")
    line = 1 + bad.splitlines().index('destinations = ["budget-office"]')
    settings = make_settings(
        database_url=database_url,
        data_dir=tmp_path,
        master_key=master_key,
        cpps_city_config=path,
    )
    with pytest.raises(CityConfigError) as failure:
        build_services(settings=settings, analyser=object())  # type: ignore[arg-type]
    message = str(failure.value)
    assert f"{path}:{line}:" in message  # the very line with the unknown destination
    assert "budget-office" in message
    with pytest.raises(CityConfigError):
        load_city_config(path)
