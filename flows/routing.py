"""Routing: from a report's analysis to the councils and agencies that should receive it.

Pure: the city's rules (categories × district × urgency → destinations) and an `Analysis` in, a
list of destinations out. Unsure classifications, unmatched reports and district placeholders that
cannot be filled all reach the triage destination, so no report is ever routed nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.city import DISTRICT_PLACEHOLDER, CityConfig, Destination


@dataclass(frozen=True)
class RoutingInput:
    category: str | None
    district: str | None
    urgency: str
    triage: bool


@dataclass(frozen=True)
class RoutingDecision:
    destinations: tuple[Destination, ...]
    reasons: tuple[str, ...]


def route(report: RoutingInput, *, city: CityConfig) -> RoutingDecision:
    chosen: list[str] = []
    reasons: list[str] = []

    def add(destination_id: str, reason: str) -> None:
        if destination_id not in chosen:
            chosen.append(destination_id)
            reasons.append(reason)

    triage_id = city.routing.triage if city.routing else None
    if not report.triage:
        for index, rule in enumerate(city.rules, start=1):
            if rule.categories and report.category not in rule.categories:
                continue
            if rule.districts and report.district not in rule.districts:
                continue
            if rule.urgency and report.urgency not in rule.urgency:
                continue
            for target in rule.destinations:
                if DISTRICT_PLACEHOLDER not in target:
                    add(target, f"rule {index}")
                elif report.district is not None:
                    add(target.replace(DISTRICT_PLACEHOLDER, report.district), f"rule {index}")
                elif triage_id is not None:
                    add(triage_id, f"rule {index}: no district known")
    else:
        # Urgency rules still apply when the category is unsure: a crisis reaches the crisis team.
        for index, rule in enumerate(city.rules, start=1):
            if rule.urgency and not rule.categories and report.urgency in rule.urgency:
                for target in rule.destinations:
                    if DISTRICT_PLACEHOLDER not in target:
                        add(target, f"rule {index}")
    if triage_id is not None and (report.triage or not chosen):
        add(triage_id, "classifier unsure" if report.triage else "no rule matched")
    return RoutingDecision(
        destinations=tuple(city.destination(d) for d in chosen), reasons=tuple(reasons)
    )
