"""Score a redactor against annotated texts: per-type span recall, character precision, F2.

Rules (chosen for what matters to anonymity):
- a gold span of a redactable type counts as found when at least half of its characters lie inside
  redacted spans, whatever type the redactor gave them;
- precision is the share of redacted characters that lie inside gold spans of the redactable
  types; other annotated types (places, dates, organisations, ...) are context a redactor may keep,
  so redacting them costs precision;
- F2 weighs recall four times as much as precision: a leak is worse than an over-redaction.
Gold type names differ between data sets; `GOLD_TYPES` maps them onto ours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from nlp.types import Entity, EntityType

GOLD_TYPES: dict[str, EntityType] = {
    "PERSON": "NAME",
    "PER": "NAME",
    "NAME": "NAME",
    "PHONE": "PHONE",
    "PHONE_NUMBER": "PHONE",
    "EMAIL": "EMAIL",
    "EMAIL_ADDRESS": "EMAIL",
    "ADDRESS": "ADDRESS",
    "STREET_ADDRESS": "ADDRESS",
    "LOCATION_ADDRESS": "ADDRESS",
}
TYPES: tuple[EntityType, ...] = ("NAME", "PHONE", "EMAIL", "ADDRESS")


@dataclass
class TypeScore:
    gold_spans: int = 0
    found_spans: int = 0
    redacted_chars: int = 0
    redacted_chars_in_gold: int = 0

    @property
    def recall(self) -> float:
        return self.found_spans / self.gold_spans if self.gold_spans else 1.0

    @property
    def precision(self) -> float:
        return self.redacted_chars_in_gold / self.redacted_chars if self.redacted_chars else 1.0

    @property
    def f2(self) -> float:
        p, r = self.precision, self.recall
        return 5 * p * r / (4 * p + r) if p + r else 0.0


@dataclass
class RedactionReport:
    by_type: dict[EntityType, TypeScore] = field(
        default_factory=lambda: {t: TypeScore() for t in TYPES}
    )
    overall: TypeScore = field(default_factory=TypeScore)
    texts: int = 0

    def format(self, title: str = "redaction") -> str:
        lines = [
            f"{title}: {self.texts} texts",
            f"{'type':<8} {'gold':>5} {'recall':>7} {'precision':>9} {'F2':>6}",
        ]
        for name, score in [*self.by_type.items(), ("ALL", self.overall)]:
            lines.append(
                f"{name:<8} {score.gold_spans:>5} {score.recall:>7.3f} {score.precision:>9.3f} "
                f"{score.f2:>6.3f}"
            )
        return "\n".join(lines)


def _covered(mask: list[bool], start: int, end: int) -> int:
    return sum(mask[start:end])


def evaluate_redaction(
    records: Iterable[dict], *, redact: Callable[[str], list[Entity]]
) -> RedactionReport:
    """Score `redact` over records {"text", "spans": [{"start", "end", "type"}]}."""
    report = RedactionReport()
    for record in records:
        text: str = record["text"]
        report.texts += 1
        entities = redact(text)
        redacted = [False] * len(text)
        for entity in entities:
            for i in range(entity.start, min(entity.end, len(text))):
                redacted[i] = True
        gold_mask = [False] * len(text)
        gold = [
            (GOLD_TYPES[s["type"]], s["start"], s["end"])
            for s in record["spans"]
            if s["type"] in GOLD_TYPES
        ]
        for _type, start, end in gold:
            for i in range(start, end):
                gold_mask[i] = True
        for gold_type, start, end in gold:
            found = 2 * _covered(redacted, start, end) >= end - start
            for score in (report.by_type[gold_type], report.overall):
                score.gold_spans += 1
                score.found_spans += found
        for entity in entities:
            chars = entity.end - entity.start
            in_gold = _covered(gold_mask, entity.start, entity.end)
            for score in (report.by_type[entity.type], report.overall):
                score.redacted_chars += chars
                score.redacted_chars_in_gold += in_gold
    return report
