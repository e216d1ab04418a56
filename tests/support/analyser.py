"""The one small deterministic analyser of the tests (the `Analyser` protocol of
flows.handling.effect_prep).

Keyword categories, gazetteer districts, phone numbers and "my name is …" redacted, badge numbers
as officer references: enough to route and redact predictably without loading models. A test may
also dictate what screening finds for a given text (`dictate`): its analysis then agrees on the
language, urgency and district. End-to-end tests use the real `nlp` analyser instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from flows.city import CityConfig
from nlp.types import Analysis, CategoryScore, Entity, OfficerRef, Screening, Urgency

_PHONE = re.compile(r"\+?\d[\d\s().-]{8,}\d")
_NAME = re.compile(r"(?i)\bmy name is ([A-Z][a-z]+(?: [A-Z][a-z]+)?)")
_BADGE = re.compile(r"(?i)\bbadge (?:#|number )?(\d{3,6})")
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("pushed", "use_of_force"),
    ("rude", "officer_misconduct"),
    ("searched", "stop_search_arrest"),
    ("racist", "bias_discrimination"),
    ("mental health", "mental_health"),
    ("husband", "domestic_violence"),
    ("streetlight", "neighborhood_safety"),
    ("shelter", "social_services"),
    ("budget", "funding_priorities"),
    ("thank", "praise"),
    ("weird", "other"),
)


class KeywordAnalyser:
    def __init__(self, *, city: CityConfig) -> None:
        self._places = [
            (name.lower(), district_id)
            for district_id, names in city.gazetteer_entries()
            for name in names
        ]
        self._dictated: dict[str, Screening] = {}

    def dictate(self, text: str, screening: Screening) -> None:
        """From now on, `text` screens as `screening` (and its analysis agrees)."""
        self._dictated[text] = screening

    def screen(self, text: str) -> Screening:
        if text in self._dictated:
            return self._dictated[text]
        analysis = self.analyse(text)
        return Screening(
            language=analysis.language, urgency=analysis.urgency, district=analysis.district
        )

    def screen_batch(
        self, texts: Sequence[str], *, categorise: Sequence[bool] | None = None
    ) -> list[Screening]:
        wanted = [True] * len(texts) if categorise is None else categorise
        return [
            self.screen(text) if want else replace(self.screen(text), category=None)
            for text, want in zip(texts, wanted, strict=True)
        ]

    def analyse_batch(self, texts: Sequence[str], *, categorise: bool = True) -> list[Analysis]:
        analyses = [self.analyse(text) for text in texts]
        if categorise:
            return analyses
        return [replace(a, categories=(), triage=True) for a in analyses]

    def analyse(self, text: str) -> Analysis:
        entities: list[Entity] = []
        redacted = text
        for match in list(_NAME.finditer(redacted))[::-1]:
            entities.append(Entity("NAME", match.start(1), match.end(1)))
            redacted = redacted[: match.start(1)] + "[NAME]" + redacted[match.end(1) :]
        for match in list(_PHONE.finditer(redacted))[::-1]:
            entities.append(Entity("PHONE", match.start(), match.end()))
            redacted = redacted[: match.start()] + "[PHONE]" + redacted[match.end() :]
        lower = text.lower()
        found = [category for word, category in KEYWORDS if word in lower]
        categories = tuple(
            CategoryScore(label, score)
            for label, score in zip(found[:2], (0.8, 0.15), strict=False)
        )
        district = next((d for name, d in self._places if name in lower), None)
        officers = tuple(
            OfficerRef(text=m.group(0), start=m.start(), end=m.end(), key=f"badge:{m.group(1)}")
            for m in _BADGE.finditer(redacted)
        )
        urgency: Urgency = "crisis" if "hurt myself" in lower else "none"
        analysis = Analysis(
            language="es" if " policía " in f" {lower} " else "en",
            redacted=redacted,
            entities=tuple(entities),
            officers=officers,
            district=district,
            categories=categories,
            triage=not categories,
            urgency=urgency,
        )
        dictated = self._dictated.get(text)
        if dictated is None:
            return analysis
        language = dictated.language if dictated.language != "other" else analysis.language
        return replace(
            analysis, language=language, urgency=dictated.urgency, district=dictated.district
        )
