"""`nlp.evaluation.sms` on a tiny hand-made file, figures computed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.evaluation.sms import evaluate_sms, format_sms_report
from nlp.evaluation.sms_spans import span_figures
from nlp.types import Analysis, CategoryScore, Entity, OfficerRef

LABELS = ("fruit", "bikes", "other")

# text: "Ofc Lee took my bike. Call Ana 555-201-7788" (officer 0-7, PERSON 27-30, PHONE 31-43)
TEXT = "Ofc Lee took my bike. Call Ana 555-201-7788"
RECORDS = [
    {
        "id": "sms-1",
        "lang": "en",
        "text": TEXT,
        "category": "bikes",
        "urgency": "none",
        "spans": [
            {"start": 0, "end": 7, "type": "OFFICER"},
            {"start": 27, "end": 30, "type": "PERSON"},
            {"start": 31, "end": 43, "type": "PHONE"},
        ],
    },
    {
        "id": "sms-2",
        "lang": "en",
        "text": "apples at the Black church",
        "category": "fruit",
        "urgency": "crisis",
        "spans": [{"start": 14, "end": 26, "type": "KEEP"}],
    },
    {
        "id": "sms-hneg-3",
        "lang": "en",
        "text": "this bike ride killed me",
        "category": "bikes",
        "urgency": "none",
        "spans": [],
    },
    {"id": "sms-4", "lang": "es", "text": "manzanas", "category": "fruit", "urgency": "emergency"},
]


def _analysis(top: str | None, urgency: str = "none", **kwargs: object) -> Analysis:
    categories = (CategoryScore(top, 0.9),) if top else ()
    return Analysis(
        language="en",
        redacted="",
        categories=categories,
        urgency=urgency,
        **kwargs,  # type: ignore[arg-type]
    )


ANALYSES = [
    _analysis(
        "bikes",
        entities=(Entity("PHONE", 31, 43),),  # the name is missed
        officers=(OfficerRef(text="Ofc Lee", start=0, end=7, key="name:lee"),),
    ),
    # Predicted bikes for fruit; an emergency for a crisis; redacts half the KEEP span.
    _analysis("bikes", urgency="emergency", entities=(Entity("NAME", 20, 26),)),
    _analysis("bikes", urgency="crisis"),  # a hard negative alarmed
    _analysis(None, urgency="emergency"),  # no category at all
]


def test_category_figures_by_language() -> None:
    report = evaluate_sms(RECORDS, ANALYSES, labels=LABELS)
    english = report.category["en"]
    # en gold: bikes, fruit, bikes; predicted bikes x3. bikes P=2/3 R=1 F1=0.8; fruit F1=0.
    assert english.f1("bikes") == pytest.approx(0.8)
    assert english.f1("fruit") == 0.0
    assert english.macro_f1 == pytest.approx(0.4)
    # es: one fruit row with no category -> F1 0.
    assert report.category["es"].macro_f1 == 0.0


def test_a_text_with_no_story_counts_as_the_catch_all_only_when_asked() -> None:
    records = [dict(RECORDS[3], category="other")]
    silent = [_analysis(None, no_story=True)]
    uncategorised = [_analysis(None, no_story=False)]
    assert evaluate_sms(records, silent, labels=LABELS).category["es"].macro_f1 == 0.0
    counted = evaluate_sms(records, silent, labels=LABELS, no_story_as="other")
    assert counted.category["es"].macro_f1 == 1.0
    # A story the classifier did not categorise (categorise=False) is never counted as right.
    missed = evaluate_sms(records, uncategorised, labels=LABELS, no_story_as="other")
    assert missed.category["es"].macro_f1 == 0.0


def test_urgency_figures() -> None:
    urgency = evaluate_sms(RECORDS, ANALYSES, labels=LABELS).urgency
    assert (urgency.recall["crisis"].hits, urgency.recall["crisis"].total) == (0, 1)
    assert (urgency.any_alarm_recall["crisis"].hits, urgency.any_alarm_recall["crisis"].total) == (
        1,
        1,
    )
    assert (urgency.recall["emergency"].hits, urgency.recall["emergency"].total) == (1, 1)
    # Two rows with urgency none, one of them alarmed (the hard negative).
    assert (urgency.false_alarms.hits, urgency.false_alarms.total) == (1, 2)
    assert (urgency.hard_negative_alarms.hits, urgency.hard_negative_alarms.total) == (1, 1)


def test_span_figures() -> None:
    spans = span_figures(RECORDS, ANALYSES).overall
    assert (spans.personal["PHONE"].hits, spans.personal["PHONE"].total) == (1, 1)
    assert (spans.personal["PERSON"].hits, spans.personal["PERSON"].total) == (0, 1)
    assert spans.personal["ALL"].rate == pytest.approx(0.5)
    assert (spans.officers_kept.hits, spans.officers_extracted.hits) == (1, 1)
    assert (spans.keep.hits, spans.keep.total) == (0, 1)


def test_report_prints_every_figure() -> None:
    text = format_sms_report(evaluate_sms(RECORDS, ANALYSES, labels=LABELS), title="tiny")
    for needle in ("macro-F1", "crisis recall", "false alarms", "hard negatives", "KEEP spans"):
        assert needle in text


def test_mismatched_lengths_raise() -> None:
    with pytest.raises(ValueError):
        evaluate_sms(RECORDS, ANALYSES[:2], labels=LABELS)


def test_records_round_trip_through_a_jsonl_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS), encoding="utf-8")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert evaluate_sms(records, ANALYSES, labels=LABELS).n == 4
