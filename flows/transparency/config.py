"""The city file's `[transparency]` section: how small a published count may be, how many
months are shown, when a district is folded into "other districts", and the names residents
read for each category."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

# Shown when the city file names a category in neither language.
DEFAULT_CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "use_of_force": "Use of force",
        "officer_misconduct": "Officer misconduct",
        "stop_search_arrest": "Stops, searches and arrests",
        "bias_discrimination": "Bias and discrimination",
        "mental_health": "Mental health",
        "domestic_violence": "Domestic violence",
        "neighborhood_safety": "Neighborhood safety",
        "social_services": "Social services",
        "funding_priorities": "Funding priorities",
        "praise": "Praise",
        "other": "Other",
    },
    "es": {
        "use_of_force": "Uso de la fuerza",
        "officer_misconduct": "Mala conducta policial",
        "stop_search_arrest": "Paradas, registros y arrestos",
        "bias_discrimination": "Prejuicio y discriminación",
        "mental_health": "Salud mental",
        "domestic_violence": "Violencia doméstica",
        "neighborhood_safety": "Seguridad del barrio",
        "social_services": "Servicios sociales",
        "funding_priorities": "Prioridades de gasto",
        "praise": "Reconocimiento",
        "other": "Otro",
    },
}


class Transparency(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # k: every published count from 1 to k - 1 reads "fewer than k" (see
    # flows/transparency/suppression.py for the complementary cells withheld with it).
    min_count: int = Field(default=5, ge=2, le=100)
    # Complete calendar months (city time) shown; the month in progress never is.
    months: int = Field(default=12, ge=1, le=36)
    # A month is published this many days after it ends, as it stood then (spam marked,
    # reports taken up and resolved, check-ins answered by then), and never changes after.
    settle_days: int = Field(default=14, ge=0, le=90)
    # A district with fewer reports than this in a month is counted in "other districts" that
    # month (with reports whose district is not known). 0 (never fold) or k, k when left out:
    # any other value lets counts be solved (`_fold_at_k`).
    district_min_reports: int = Field(default=5, ge=0)
    # category id → language → the name on the page (defaults: DEFAULT_CATEGORY_NAMES).
    category_names: dict[str, dict[str, str]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _fold_follows_k(cls, data: Any) -> Any:
        if isinstance(data, dict) and "district_min_reports" not in data:
            return {**data, "district_min_reports": data.get("min_count", 5)}
        return data

    @field_validator("district_min_reports")
    @classmethod
    def _fold_at_k(cls, value: int, info: ValidationInfo) -> int:
        """A district shown unfolded is known to hold 0 or at least `district_min_reports`
        reports. Below k, an unfolded "fewer than k" district is then known to hold at least
        that many; above k, a withheld district is known to hold more than the k its "withheld"
        says: either tighter bound can pin a suppressed count. Equal to k, the bound is the
        one the cell's own reading gives."""
        k = info.data.get("min_count")
        if k is not None and value not in (0, k):
            raise ValueError(
                f"must be 0 (never fold) or equal to min_count ({k}), not {value}: another"
                " threshold lets a withheld count be worked out"
            )
        return value

    def category_name(self, category: str, language: str) -> str:
        names = self.category_names.get(category, {})
        return (
            names.get(language)
            or DEFAULT_CATEGORY_NAMES.get(language, {}).get(category)
            or names.get("en")
            or DEFAULT_CATEGORY_NAMES["en"].get(category)
            or category.replace("_", " ").capitalize()
        )
