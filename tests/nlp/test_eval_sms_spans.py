from __future__ import annotations

import pytest

from nlp.evaluation.sms_spans import format_span_figures, span_figures, span_misses
from nlp.types import Analysis, Entity, OfficerRef

TEXT = "I'm Black. Officer Diaz hit Maria Lopez at 12 Oak St, call 555-123-4567"
#       0123456789012345678901234567890123456789012345678901234567890123456789012


def _span(fragment: str, kind: str) -> dict[str, object]:
    start = TEXT.index(fragment)
    return {"start": start, "end": start + len(fragment), "type": kind}


RECORD = {
    "id": "r1",
    "lang": "en",
    "text": TEXT,
    "spans": [
        _span("Black", "KEEP"),
        _span("Officer Diaz", "OFFICER"),
        _span("Maria Lopez", "PERSON"),
        _span("12 Oak St", "ADDRESS"),
        _span("555-123-4567", "PHONE"),
    ],
}


def _entity(fragment: str, kind: str, *, cut: int = 0) -> Entity:
    start = TEXT.index(fragment)
    return Entity(kind, start, start + len(fragment) - cut)  # type: ignore[arg-type]


def _officer() -> OfficerRef:
    start = TEXT.index("Officer Diaz")
    return OfficerRef("Officer Diaz", start, start + 12, "name:diaz")


def test_perfect_analysis_scores_one() -> None:
    entities = (
        _entity("Maria Lopez", "NAME"),
        _entity("12 Oak St", "ADDRESS"),
        _entity("555-123-4567", "PHONE"),
    )
    figures = span_figures([RECORD], [Analysis("en", "", entities, (_officer(),))])
    assert figures.overall.personal["ALL"].rate == 1.0
    assert figures.overall.keep.rate == 1.0
    assert figures.overall.officers.rate == 1.0
    assert figures.by_language["en"].texts == 1
    assert span_misses([RECORD], [Analysis("en", "", entities, (_officer(),))]) == []


def test_failures_are_counted_per_figure() -> None:
    entities = (
        _entity("Black", "NAME"),  # a KEEP span redacted
        _entity("Maria Lopez", "NAME", cut=6),  # "Maria" only: under the coverage bar
        _entity("12 Oak St", "ADDRESS", cut=1),  # most of it: found
        _entity("Diaz", "NAME"),  # the officer's name redacted
    )
    figures = span_figures([RECORD], [Analysis("en", "", entities)]).overall
    assert figures.keep.rate == 0.0
    assert figures.personal["PERSON"].rate == 0.0
    assert figures.personal["ADDRESS"].rate == 1.0
    assert figures.personal["PHONE"].rate == 0.0
    assert figures.personal["ALL"].hits == 1 and figures.personal["ALL"].total == 3
    assert figures.officers_kept.rate == 0.0 and figures.officers_extracted.rate == 0.0
    kinds = {(m.type, m.kind) for m in span_misses([RECORD], [Analysis("en", "", entities)])}
    assert kinds == {
        ("KEEP", "redacted"),
        ("PERSON", "leaked"),
        ("PHONE", "leaked"),
        ("OFFICER", "redacted"),
    }


def test_an_officer_kept_but_not_extracted_fails() -> None:
    figures = span_figures([RECORD], [Analysis("en", "")]).overall
    assert figures.officers_kept.rate == 1.0
    assert figures.officers_extracted.rate == 0.0
    assert figures.officers.rate == 0.0


def test_languages_are_reported_separately() -> None:
    spanish = {**RECORD, "id": "r2", "lang": "es"}
    figures = span_figures([RECORD, spanish], [Analysis("en", ""), Analysis("es", "")])
    assert set(figures.by_language) == {"en", "es"}
    assert figures.overall.texts == 2
    text = format_span_figures(figures)
    assert "[es]" in text and "KEEP spans kept" in text


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        span_figures([RECORD], [])
