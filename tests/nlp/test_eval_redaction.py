from __future__ import annotations

from typing import Any

from nlp.evaluation.redaction import evaluate_redaction
from nlp.types import Entity

RECORDS: list[dict[str, Any]] = [
    {
        "text": "My name is Ana Ruiz, call 555-123-4567 from Chicago",
        "spans": [
            {"start": 11, "end": 19, "type": "PERSON"},
            {"start": 26, "end": 38, "type": "PHONE_NUMBER"},
            {"start": 44, "end": 51, "type": "GPE"},
        ],
    },
    {"text": "no data here", "spans": []},
]


def test_scoring_rules() -> None:
    def redact(text: str) -> list[Entity]:
        if not text.startswith("My"):
            return []
        # Half of "Ana Ruiz" (4 of 8 chars: found), a third of the phone (not found), and the GPE.
        return [Entity("NAME", 11, 15), Entity("PHONE", 26, 30), Entity("NAME", 44, 51)]

    report = evaluate_redaction(RECORDS, redact=redact)
    assert report.texts == 2
    assert report.by_type["NAME"].gold_spans == 1 and report.by_type["NAME"].recall == 1.0
    assert report.by_type["PHONE"].gold_spans == 1 and report.by_type["PHONE"].recall == 0.0
    # 8 of 15 redacted characters lie in gold spans of the redactable types (GPE does not count).
    assert abs(report.overall.precision - 8 / 15) < 1e-9
    assert abs(report.by_type["NAME"].precision - 4 / 11) < 1e-9
    assert report.overall.recall == 0.5
    text = report.format()
    assert "NAME" in text and "ALL" in text


def test_perfect_redactor_scores_one() -> None:
    def redact(text: str) -> list[Entity]:
        return [Entity("NAME", 11, 19), Entity("PHONE", 26, 38)] if text.startswith("My") else []

    report = evaluate_redaction(RECORDS, redact=redact)
    assert report.overall.recall == report.overall.precision == report.overall.f2 == 1.0
