"""The city configuration: one TOML file with the city, its districts, destinations and rules.

Loaded and validated once at start-up. A bad file fails with `CityConfigError` naming the file,
the line and what is wrong, so an operator can fix it without reading code (the checks across
sections and the line an error is on: `flows/city_checks.py`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import time
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from flows.city_checks import DISTRICT_PLACEHOLDER as DISTRICT_PLACEHOLDER
from flows.city_checks import LocatedError, check_references, line_of
from flows.handling.segments import gsm7_friendly
from flows.parties import Party, unique_parties
from flows.transparency.config import Transparency
from nlp.types import DEFAULT_CATEGORIES

DEMO_CITY = Path(__file__).resolve().parent.parent / "config" / "riverton.toml"


class CityConfigError(ValueError):
    """A city configuration that cannot be used; the message names the file and line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class City(_Strict):
    name: str
    timezone: str = "UTC"
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    default_region: str = "US"
    service_name: str
    help_text: dict[str, str]
    retention_days: int = Field(default=180, ge=1)
    categories: list[str] = Field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    # The category a text the urgency screen calls a crisis belongs with (e.g. mental health);
    # empty: urgency never changes a report's category.
    crisis_category: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("languages")
    @classmethod
    def _supported_languages(cls, value: list[str]) -> list[str]:
        unsupported = sorted(set(value) - {"en", "es"})
        if unsupported:
            raise ValueError(f"unsupported languages {unsupported}; supported: en, es")
        return value

    @model_validator(mode="after")
    def _help_in_every_language(self) -> City:
        missing = [lang for lang in self.languages if lang not in self.help_text]
        if missing:
            raise ValueError(f"help_text lacks languages {missing}")
        return self

    @model_validator(mode="after")
    def _crisis_category_is_a_category(self) -> City:
        if self.crisis_category and self.crisis_category not in self.categories:
            raise ValueError(
                f"crisis_category {self.crisis_category!r} is not one of the categories"
            )
        return self


class District(_Strict):
    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    neighbourhoods: list[str] = Field(default_factory=list)
    streets: list[str] = Field(default_factory=list)
    landmarks: list[str] = Field(default_factory=list)
    # The name on the public page in other languages, e.g. display.es = "El Norte".
    display: dict[str, str] = Field(default_factory=dict)

    def names(self) -> list[str]:
        return [self.name, *self.aliases, *self.neighbourhoods, *self.streets, *self.landmarks]

    def display_name(self, language: str) -> str:
        return self.display.get(language, self.name)


class Destination(_Strict):
    id: str
    name: str
    slack_channel: str
    languages: list[str] = Field(default_factory=lambda: ["en"])
    # The name residents read in other languages, e.g. names.es = "Consejo …".
    names: dict[str, str] = Field(default_factory=dict)
    # Added to the filing confirmation of a report sent here, per language: what a resident can
    # do now, e.g. a family violence center's 24-hour hotline.
    confirmation_note: dict[str, str] = Field(default_factory=dict)
    # Who may take part in a decision on a report sent here (issue 14).
    parties: list[Party] = Field(default_factory=list)

    @field_validator("parties")
    @classmethod
    def _unique_parties(cls, value: list[Party]) -> list[Party]:
        return unique_parties(value)

    def party_ids(self) -> list[str]:
        return [party.id for party in self.parties]

    def name_in(self, language: str) -> str:
        """The name as texted to residents in `language`: the city file writes it properly
        (accents and all); á, í, ó and ú are folded so a name never makes an SMS UCS-2."""
        return gsm7_friendly(self.names.get(language, self.name))

    def note_in(self, language: str) -> str | None:
        """The confirmation note in `language`, else in English, else none (as texted, like
        `name_in`)."""
        note = self.confirmation_note.get(language) or self.confirmation_note.get("en")
        return gsm7_friendly(note) if note else None


class Rule(_Strict):
    categories: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)
    urgency: list[str] = Field(default_factory=list)
    destinations: list[str] = Field(min_length=1)


class Routing(_Strict):
    triage: str
    # When the classifier is unsure of the top category but categories that go to the same
    # destination together reach this share, the report goes there too (triage still sees it).
    agreement: float = Field(default=0.6, gt=0, le=1)


# Check-in kinds a city may schedule at an offset; "resolution" is sent when a report is resolved.
SCHEDULED_CHECKIN_KINDS = ("contacted", "satisfaction")


class CheckinStep(_Strict):
    kind: str
    after_days: float = Field(gt=0)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in SCHEDULED_CHECKIN_KINDS:
            raise ValueError(
                f"unknown check-in kind {value!r}; known: {list(SCHEDULED_CHECKIN_KINDS)}"
            )
        return value


class Checkins(_Strict):
    # Local (city time zone) [start, end): no check-in is texted in between. start == end: none.
    quiet_hours: tuple[time, time] = (time(21, 0), time(8, 0))
    no_answer_after_hours: float = Field(default=48, gt=0)
    schedule: list[CheckinStep] = Field(default_factory=list)
    # The weekly digest to each destination's channel: ISO weekday (1 = Monday) and local time.
    digest_weekday: int = Field(default=1, ge=1, le=7)
    digest_time: time = time(9, 0)
    # An open report with no moderator action for this long is flagged in the digest.
    stale_after_days: float = Field(default=3, gt=0)

    @field_validator("schedule")
    @classmethod
    def _one_per_kind(cls, value: list[CheckinStep]) -> list[CheckinStep]:
        kinds = [step.kind for step in value]
        duplicated = sorted({k for k in kinds if kinds.count(k) > 1})
        if duplicated:
            raise ValueError(f"check-in kinds scheduled twice: {duplicated}")
        return value


class SenderLimits(_Strict):
    """How much one number can send before its texts are kept but no longer acted on (a flood,
    a loop, a script): beyond either limit nothing new is filed, the sender is told once, and
    moderators see one line."""

    texts_per_minute: int = Field(default=12, ge=1)
    reports_per_hour: int = Field(default=4, ge=1)


class CityConfig(_Strict):
    city: City
    districts: list[District] = Field(default_factory=list)
    destinations: list[Destination] = Field(default_factory=list)
    routing: Routing | None = None
    rules: list[Rule] = Field(default_factory=list)
    checkins: Checkins = Field(default_factory=Checkins)
    limits: SenderLimits = Field(default_factory=SenderLimits)
    transparency: Transparency = Field(default_factory=Transparency)

    @model_validator(mode="after")
    def _references_resolve(self) -> CityConfig:
        check_references(self)
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.city.timezone)

    def destination(self, destination_id: str) -> Destination:
        for dest in self.destinations:
            if dest.id == destination_id:
                return dest
        raise KeyError(destination_id)

    def district(self, district_id: str) -> District:
        for district in self.districts:
            if district.id == district_id:
                return district
        raise KeyError(district_id)

    def party(self, party_id: str) -> Party:
        """A party by key (a key names the same party in every destination that lists it)."""
        for dest in self.destinations:
            for party in dest.parties:
                if party.id == party_id:
                    return party
        raise KeyError(party_id)

    def gazetteer_entries(self) -> Iterator[tuple[str, list[str]]]:
        """(district id, every name residents use for it): what the place matcher is built from."""
        for district in self.districts:
            yield district.id, district.names()


def load_city_config(path: Path | str | None = None) -> CityConfig:
    """Read and validate a city file (the demo city when `path` is None)."""
    file = Path(path) if path is not None else DEMO_CITY
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise CityConfigError(f"{file}: cannot read: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CityConfigError(f"{file}: {exc}") from exc
    try:
        return CityConfig.model_validate(data)
    except ValidationError as exc:
        # A misspelt key also makes the real one "missing": name the misspelling first.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        first = errors[0]
        loc = tuple(first["loc"])
        ctx_error = (first.get("ctx") or {}).get("error")
        if isinstance(ctx_error, LocatedError):
            loc, message = ctx_error.loc, ctx_error.message
        else:
            message = first["msg"]
        where = ".".join(str(part) for part in loc)
        raise CityConfigError(f"{file}:{line_of(text, loc)}: {where}: {message}") from None
