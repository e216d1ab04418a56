"""The values `analyse()` returns: plain, frozen, JSON-ready.

Nothing here holds the original text of a personal-data span: an `Entity` is only its type and
offsets, so an `Analysis` can be stored and shown to moderators without carrying what was redacted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import TypeAdapter

Language = Literal["en", "es", "other"]
Urgency = Literal["emergency", "crisis", "none"]
EntityType = Literal["NAME", "PHONE", "EMAIL", "ADDRESS"]

# The default taxonomy; a city may replace it in its configuration.
DEFAULT_CATEGORIES: tuple[str, ...] = (
    "use_of_force",
    "officer_misconduct",
    "stop_search_arrest",
    "bias_discrimination",
    "mental_health",
    "domestic_violence",
    "neighborhood_safety",
    "social_services",
    "funding_priorities",
    "praise",
    "other",
)


@dataclass(frozen=True)
class Entity:
    """A span of personal data found in the original text (replaced in `Analysis.redacted`)."""

    type: EntityType
    start: int
    end: int


@dataclass(frozen=True)
class OfficerRef:
    """A reference to a police officer or unit: kept in the redacted text, not redacted.

    `key` is the normalised form used to match two reports naming the same officer:
    `badge:4471`, `unit:car-12`, or `name:ramirez` (rank words dropped, lower case, accents folded).
    """

    text: str
    start: int
    end: int
    key: str
    rank: str | None = None
    name: str | None = None
    badge: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class PlaceMention:
    """A place named in the text and the district of the city's gazetteer it matched, if any."""

    text: str
    start: int
    end: int
    district: str | None = None


@dataclass(frozen=True)
class CategoryScore:
    label: str
    score: float


@dataclass(frozen=True)
class Analysis:
    language: Language
    redacted: str
    entities: tuple[Entity, ...] = ()
    officers: tuple[OfficerRef, ...] = ()
    places: tuple[PlaceMention, ...] = ()
    district: str | None = None
    # Ranked best first; scores are calibrated probabilities that sum to about 1.
    categories: tuple[CategoryScore, ...] = ()
    # True when the top score is too low to route without a human.
    triage: bool = True
    urgency: Urgency = "none"
    # True when the text has no word of substance (a bare link, "aaaa", emoji, "ok"): it gets
    # no categories and triage, and the conversation may ask for the story (nlp.substance).
    no_story: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def top_category(self) -> str | None:
        return self.categories[0].label if self.categories else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra", None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        """Read `to_dict()` back, as stored in `Report.analysis` (lists for tuples, keys that a
        newer version added are ignored, missing ones take their defaults)."""
        return _analysis_adapter().validate_python(data)


@dataclass(frozen=True)
class Screening:
    """The cheap part of the analysis, done on every inbound text before the first reply."""

    language: Language
    urgency: Urgency = "none"
    district: str | None = None
    # The cheap reading of `Analysis.no_story`, on the raw text (before redaction).
    no_story: bool = False
    # The category the classifier is sure of (None when unsure, or no story): the flow may skip
    # questions that do not fit it.
    category: str | None = None


@cache
def _analysis_adapter() -> TypeAdapter[Analysis]:
    # Built on first use: a pydantic schema costs a few milliseconds that most imports never need.
    return TypeAdapter(Analysis)
