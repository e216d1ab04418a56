"""The redactor against the real PII dev set (skipped when the evaluation data is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.language import Language

from nlp.analyse import Analyser
from nlp.classify import get_default_classifier
from nlp.evaluation.redaction import evaluate_redaction
from nlp.evaluation.sms_spans import format_span_figures, span_figures
from nlp.officers import find_officers
from nlp.places import Gazetteer
from nlp.redaction.redact import Redactor
from nlp.types import Entity, EntityType

RECALL_BARS: dict[EntityType, float] = {"NAME": 0.90, "PHONE": 0.95, "EMAIL": 0.95, "ADDRESS": 0.80}
PRECISION_BAR = 0.80


@pytest.mark.slow
def test_quality_bars_on_dev_data(eval_data_dir: Path, nlp: Language, redactor: Redactor) -> None:
    path = eval_data_dir / "pii_dev.jsonl"
    if not path.exists():
        pytest.skip(f"no evaluation data at {path}")
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]

    def redact(text: str) -> list[Entity]:
        keep = [(o.start, o.end) for o in find_officers(text)]
        return redactor.find(text, doc=nlp(text), keep=keep)

    report = evaluate_redaction(records, redact=redact)
    for entity_type, bar in RECALL_BARS.items():
        assert report.by_type[entity_type].recall >= bar, report.format()
    assert report.overall.precision >= PRECISION_BAR, report.format()


@pytest.mark.slow
def test_sms_spans_on_dev_data(eval_data_dir: Path, nlp: Language, riverton: Gazetteer) -> None:
    """Resident-style SMS: personal data found, protected facts and places kept, officers kept."""
    path = eval_data_dir / "sms_dev.jsonl"
    if not path.exists():
        pytest.skip(f"no evaluation data at {path}")
    with path.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    analyser = Analyser(
        nlp=nlp,
        redactor=Redactor(default_region="US", gazetteer=riverton),
        classifier=get_default_classifier(),  # not used: categorise=False
        gazetteer=riverton,
    )
    analyses = analyser.analyse_batch([r["text"] for r in records], categorise=False)
    figures = span_figures(records, analyses).overall
    report = format_span_figures(span_figures(records, analyses))
    assert figures.personal["ALL"].rate >= 0.95, report
    assert figures.keep.rate >= 0.98, report
    assert figures.officers.rate >= 0.95, report
