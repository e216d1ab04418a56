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
    # The classifier's ranked (label, score) pairs, for agreement when it is unsure.
    scores: tuple[tuple[str, float], ...] = ()


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
        # Unsure between categories that all go to one body ("misconduct" or "stop and search"
        # → oversight): send it there as well as to triage.
        agreement = city.routing.agreement if city.routing else 1.0
        for destination_id, share in _destination_shares(report, city=city).items():
            if share >= agreement and destination_id != triage_id:
                add(destination_id, f"categories agree ({share:.0%})")
    if triage_id is not None and (report.triage or not chosen):
        add(triage_id, "classifier unsure" if report.triage else "no rule matched")
    return RoutingDecision(
        destinations=tuple(city.destination(d) for d in chosen), reasons=tuple(reasons)
    )


def _destination_shares(report: RoutingInput, *, city: CityConfig) -> dict[str, float]:
    """For each destination, the summed score of the categories whose rules send reports there."""
    shares: dict[str, float] = {}
    for label, score in report.scores:
        confident = RoutingInput(
            category=label, district=report.district, urgency=report.urgency, triage=False
        )
        triage_id = city.routing.triage if city.routing else None
        for destination in route(confident, city=city).destinations:
            if destination.id != triage_id:
                shares[destination.id] = shares.get(destination.id, 0.0) + score
    return shares
