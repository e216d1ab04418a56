"""Where a city file is wrong: the checks across its sections (ids unique, every destination,
category and district a rule, the routing or the page's names refer to exists, a party named
the same by every destination), and the line of the file an error points at, so
`load_city_config` names the line an operator has to fix."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from flows.parties import party_clash

if TYPE_CHECKING:
    from flows.city import CityConfig, Destination

# In a rule's destination: one destination per district (e.g. "council-{district}").
DISTRICT_PLACEHOLDER = "{district}"


def check_references(config: CityConfig) -> None:
    """Raise `LocatedError` at the first id that is repeated or refers to nothing."""
    _unique("districts", [d.id for d in config.districts])
    _unique("destinations", [d.id for d in config.destinations])
    _same_party_everywhere(config.destinations)
    known = {d.id for d in config.destinations}
    district_ids = {d.id for d in config.districts}
    if config.routing is not None and config.routing.triage not in known:
        raise LocatedError(("routing", "triage"), f"unknown destination {config.routing.triage!r}")
    for index, rule in enumerate(config.rules):
        for dest in rule.destinations:
            expanded = (
                [dest.replace(DISTRICT_PLACEHOLDER, d) for d in district_ids]
                if DISTRICT_PLACEHOLDER in dest
                else [dest]
            )
            unknown = [d for d in expanded if d not in known]
            if unknown:
                raise LocatedError(
                    ("rules", index, "destinations"), f"unknown destination(s) {unknown}"
                )
        bad_categories = sorted(set(rule.categories) - set(config.city.categories))
        if bad_categories:
            raise LocatedError(
                ("rules", index, "categories"), f"unknown categories {bad_categories}"
            )
        bad_districts = sorted(set(rule.districts) - district_ids)
        if bad_districts:
            raise LocatedError(("rules", index, "districts"), f"unknown districts {bad_districts}")
        bad_urgency = sorted(set(rule.urgency) - {"emergency", "crisis", "none"})
        if bad_urgency:
            raise LocatedError(("rules", index, "urgency"), f"unknown urgency {bad_urgency}")
    named = sorted(set(config.transparency.category_names) - set(config.city.categories))
    if named:
        raise LocatedError(("transparency", "category_names"), f"unknown categories {named}")


class LocatedError(ValueError):
    """A check that failed, with where in the file it points (a validation location)."""

    def __init__(self, loc: Sequence[str | int], message: str) -> None:
        super().__init__(message)
        self.loc = tuple(loc)
        self.message = message


def _unique(section: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for index, value in enumerate(ids):
        if value in seen:
            raise LocatedError((section, index, "id"), f"duplicate id {value!r}")
        seen.add(value)


def _same_party_everywhere(destinations: Sequence[Destination]) -> None:
    clash = party_clash([d.parties for d in destinations])
    if clash is not None:
        index, party_id = clash
        raise LocatedError(
            ("destinations", index, "parties"),
            f"party {party_id!r} is named differently by another destination",
        )


def line_of(text: str, loc: Sequence[Any]) -> int:
    """Best line number for a validation location like ('rules', 3, 'destinations')."""
    lines = text.splitlines()
    line = 0
    section: str | None = None
    for part in loc:
        if isinstance(part, str) and section is None:
            section = part
            found = _find(lines, rf"^\s*\[\[?\s*{re.escape(part)}\s*\]\]?\s*(#.*)?$", start=line)
            if found is None:
                found = _find(lines, rf"^\s*{re.escape(part)}\s*=", start=line)
            line = found if found is not None else line
        elif isinstance(part, int) and section is not None:
            header = rf"^\s*\[\[\s*{re.escape(section)}\s*\]\]"
            hits = [i for i, text_line in enumerate(lines) if re.match(header, text_line)]
            if part < len(hits):
                line = hits[part]
        elif isinstance(part, str):
            found = _find(lines, rf"^\s*{re.escape(part)}\s*=", start=line)
            line = found if found is not None else line
    return line + 1


def _find(lines: list[str], pattern: str, *, start: int) -> int | None:
    for index in range(start, len(lines)):
        if re.match(pattern, lines[index]):
            return index
    return None
