"""Score analyses of span-annotated texts (the SMS dev format): what is redacted, what is kept.

Records are dicts {"id", "lang", "text", "spans": [{"start", "end", "type"}]}; analyses are the
`Analysis` of each record's text, in the same order. Three figures, each also per language:
- personal-data recall: a PERSON, PHONE, EMAIL or ADDRESS span is found when redacted spans
  cover at least `COVERAGE` of its non-space characters (whatever type the redactor gave them);
  the figure is given per type and overall;
- KEEP spans kept: the share of KEEP spans (protected characteristics, public places) with no
  redacted character at all;
- officers kept and extracted: the share of OFFICER spans with no redacted character AND an
  `OfficerRef` overlapping them; both halves are also given separately.
Pure functions: no model, no file; the caller loads the data and runs the analyser.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nlp.types import Analysis

PERSONAL_TYPES: tuple[str, ...] = ("PERSON", "PHONE", "EMAIL", "ADDRESS")
KEEP_TYPE = "KEEP"
OFFICER_TYPE = "OFFICER"
# A personal-data span counts as found when this share of its non-space characters is redacted:
# "Rosa Elena [NAME]" (two words of three shown) is a miss, "[ADDRESS] 5" (unit number left) is not.
COVERAGE = 0.8


@dataclass
class Ratio:
    """`hits` of `total` spans; `rate` is 1.0 when there is nothing to count."""

    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += int(hit)
        self.total += 1

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.rate:.3f} ({self.hits}/{self.total})"


@dataclass
class Figures:
    """The three figures for one group of records (all, or one language)."""

    texts: int = 0
    personal: dict[str, Ratio] = field(
        default_factory=lambda: {t: Ratio() for t in (*PERSONAL_TYPES, "ALL")}
    )
    keep: Ratio = field(default_factory=Ratio)
    officers_kept: Ratio = field(default_factory=Ratio)
    officers_extracted: Ratio = field(default_factory=Ratio)
    officers: Ratio = field(default_factory=Ratio)


@dataclass
class SpanFigures:
    overall: Figures = field(default_factory=Figures)
    by_language: dict[str, Figures] = field(default_factory=dict)


@dataclass(frozen=True)
class SpanMiss:
    """One gold span the analysis got wrong: `kind` is "leaked", "redacted" or "not extracted"."""

    record_id: str
    type: str
    start: int
    end: int
    kind: str


def _redacted_mask(text: str, analysis: Analysis) -> list[bool]:
    mask = [False] * len(text)
    for entity in analysis.entities:
        for i in range(max(0, entity.start), min(entity.end, len(text))):
            mask[i] = True
    return mask


def _coverage(text: str, mask: Sequence[bool], start: int, end: int) -> float:
    chars = [i for i in range(start, min(end, len(text))) if not text[i].isspace()]
    return sum(mask[i] for i in chars) / len(chars) if chars else 1.0


def _judge(
    record: Mapping[str, Any], analysis: Analysis
) -> Iterable[tuple[str, str, bool, bool, Mapping[str, Any]]]:
    """(type, figure, hit, extracted, span) for each gold span of a record."""
    text: str = record["text"]
    mask = _redacted_mask(text, analysis)
    for span in record.get("spans", ()):
        start, end, kind = span["start"], span["end"], span["type"]
        if kind in PERSONAL_TYPES:
            yield kind, "personal", _coverage(text, mask, start, end) >= COVERAGE, True, span
        elif kind == KEEP_TYPE:
            yield kind, "keep", not any(mask[start:end]), True, span
        elif kind == OFFICER_TYPE:
            extracted = any(o.start < end and start < o.end for o in analysis.officers)
            yield kind, "officer", not any(mask[start:end]), extracted, span


def _count(figures: Figures, kind: str, figure: str, hit: bool, extracted: bool) -> None:
    if figure == "personal":
        figures.personal[kind].add(hit)
        figures.personal["ALL"].add(hit)
    elif figure == "keep":
        figures.keep.add(hit)
    else:
        figures.officers_kept.add(hit)
        figures.officers_extracted.add(extracted)
        figures.officers.add(hit and extracted)


def span_figures(records: Sequence[Mapping[str, Any]], analyses: Sequence[Analysis]) -> SpanFigures:
    """The three figures over `records`, overall and per `lang`, given each record's analysis."""
    if len(records) != len(analyses):
        raise ValueError(f"{len(records)} records but {len(analyses)} analyses")
    result = SpanFigures()
    for record, analysis in zip(records, analyses, strict=True):
        language = str(record.get("lang") or "?")
        groups = (result.overall, result.by_language.setdefault(language, Figures()))
        for group in groups:
            group.texts += 1
        for kind, figure, hit, extracted, _span in _judge(record, analysis):
            for group in groups:
                _count(group, kind, figure, hit, extracted)
    return result


def span_misses(
    records: Sequence[Mapping[str, Any]], analyses: Sequence[Analysis]
) -> list[SpanMiss]:
    """Every gold span scored as a failure, for looking at failure forms."""
    misses = []
    for record, analysis in zip(records, analyses, strict=True):
        for kind, figure, hit, extracted, span in _judge(record, analysis):
            if hit and extracted:
                continue
            how = {"personal": "leaked", "keep": "redacted"}.get(figure, "")
            if figure == "officer":
                how = "redacted" if not hit else "not extracted"
            misses.append(SpanMiss(str(record.get("id")), kind, span["start"], span["end"], how))
    return misses


def _rows(name: str, figures: Figures) -> list[str]:
    personal = "  ".join(f"{t} {figures.personal[t]}" for t in (*PERSONAL_TYPES, "ALL"))
    return [
        f"{name}: {figures.texts} texts",
        f"  personal-data recall  {personal}",
        f"  KEEP spans kept       {figures.keep}",
        f"  officers kept+found   {figures.officers}  (kept {figures.officers_kept}, "
        f"extracted {figures.officers_extracted})",
    ]


def format_span_figures(figures: SpanFigures, title: str = "sms spans") -> str:
    """The figures as text: overall first, then one block per language."""
    lines = _rows(title, figures.overall)
    for language in sorted(figures.by_language):
        lines += _rows(f"{title} [{language}]", figures.by_language[language])
    return "\n".join(lines)
