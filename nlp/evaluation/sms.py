"""Score the whole analysis on labelled resident-style SMS: category, urgency and spans.

Records are JSON objects {id, lang, text, category, urgency, spans:[{start,end,type}]}; each is
paired with the `Analysis` of its text. Figures:
- category: per-category F1 and macro-F1 by language (macro over the categories present in that
  language's gold rows, as in `nlp.evaluation.routing`); the prediction is the top category;
- urgency, read straight from `Analysis.urgency`: recall of each alarm level (exact level, and
  "any alarm" so a crisis read as an emergency is still seen), false alarms on rows whose gold
  urgency is none, and alarms on hard negatives (ids containing `hneg`: deadly words used
  figuratively or about the past);
- spans (`nlp.evaluation.sms_spans`): personal-data recall per type, officers kept (not
  redacted) and extracted (an `OfficerRef` overlaps them), and KEEP spans (protected traits,
  public places) left unredacted, overall and by language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlp.evaluation.routing import RoutingReport, evaluate_routing
from nlp.evaluation.sms_spans import Ratio, SpanFigures, format_span_figures, span_figures
from nlp.types import Analysis

ALARMS: tuple[str, ...] = ("crisis", "emergency")
NO_URGENCY = "none"
HARD_NEGATIVE_MARK = "hneg"
# What a row without any category (categorise=False) counts as: never a real label.
NO_CATEGORY = "(none)"


@dataclass(frozen=True)
class UrgencyFigures:
    recall: Mapping[str, Ratio]  # gold level -> predicted exactly that level
    any_alarm_recall: Mapping[str, Ratio]  # gold level -> predicted any alarm
    false_alarms: Ratio  # gold none -> predicted an alarm
    hard_negative_alarms: Ratio  # hard negatives -> predicted an alarm


@dataclass(frozen=True)
class SmsReport:
    n: int
    category: Mapping[str, RoutingReport]  # language -> report
    urgency: UrgencyFigures
    spans: SpanFigures


# --- category and urgency ----------------------------------------------------------------------


def urgency_figures(
    records: Sequence[Mapping[str, Any]], analyses: Sequence[Analysis]
) -> UrgencyFigures:
    exact = {level: [0, 0] for level in ALARMS}
    any_alarm = {level: [0, 0] for level in ALARMS}
    false_alarms, hard_negatives = [0, 0], [0, 0]
    for record, analysis in zip(records, analyses, strict=True):
        gold, predicted = str(record.get("urgency", NO_URGENCY)), analysis.urgency
        alarmed = predicted != NO_URGENCY
        if gold in exact:
            exact[gold][0] += predicted == gold
            exact[gold][1] += 1
            any_alarm[gold][0] += alarmed
            any_alarm[gold][1] += 1
        elif gold == NO_URGENCY:
            false_alarms[0] += alarmed
            false_alarms[1] += 1
        if HARD_NEGATIVE_MARK in str(record.get("id", "")):
            hard_negatives[0] += alarmed
            hard_negatives[1] += 1
    return UrgencyFigures(
        recall={level: Ratio(*counts) for level, counts in exact.items()},
        any_alarm_recall={level: Ratio(*counts) for level, counts in any_alarm.items()},
        false_alarms=Ratio(*false_alarms),
        hard_negative_alarms=Ratio(*hard_negatives),
    )


def category_reports(
    records: Sequence[Mapping[str, Any]],
    analyses: Sequence[Analysis],
    *,
    labels: Sequence[str],
    no_story_as: str = NO_CATEGORY,
) -> dict[str, RoutingReport]:
    """One routing report per gold language (in first-seen order). A text with no story at all
    ("hello?", "lol what") has no category; it counts as `no_story_as`, the taxonomy's
    catch-all for the routing evaluation's convention, since the service answers it as one."""
    by_language: dict[str, tuple[list[str], list[str]]] = {}
    for record, analysis in zip(records, analyses, strict=True):
        gold, predicted = by_language.setdefault(str(record.get("lang", "?")), ([], []))
        gold.append(str(record["category"]))
        fallback = no_story_as if analysis.no_story else NO_CATEGORY
        predicted.append(analysis.top_category or fallback)
    return {
        language: evaluate_routing(gold, predicted, labels=labels)
        for language, (gold, predicted) in by_language.items()
    }


def evaluate_sms(
    records: Sequence[Mapping[str, Any]],
    analyses: Sequence[Analysis],
    *,
    labels: Sequence[str],
    no_story_as: str = NO_CATEGORY,
) -> SmsReport:
    """All figures for `records`, each paired with the analysis of its text (`no_story_as`: see
    `category_reports`)."""
    if len(records) != len(analyses):
        raise ValueError(f"{len(records)} records but {len(analyses)} analyses")
    return SmsReport(
        n=len(records),
        category=category_reports(records, analyses, labels=labels, no_story_as=no_story_as),
        urgency=urgency_figures(records, analyses),
        spans=span_figures(records, analyses),
    )


def format_sms_report(report: SmsReport, *, title: str = "") -> str:
    lines = [f"{title}: {report.n} texts" if title else f"{report.n} texts", "", "category F1"]
    languages = list(report.category)
    labels = list(
        dict.fromkeys(
            c.label for r in report.category.values() for c in r.per_class if c.support > 0
        )
    )
    width = max([len(label) for label in labels] + [10])
    lines.append(f"{'':<{width}}  " + "  ".join(f"{lang:>12}" for lang in languages))
    for label in labels:
        cells = []
        for language in languages:
            r = report.category[language]
            support = _support(r, label)
            cells.append(f"{r.f1(label):5.3f} (n={support:>3})" if support else f"{'-':>12}")
        lines.append(f"{label:<{width}}  " + "  ".join(cells))
    lines.append(
        f"{'macro-F1':<{width}}  "
        + "  ".join(f"{report.category[lang].macro_f1:>12.3f}" for lang in languages)
    )
    lines.append(
        f"{'accuracy':<{width}}  "
        + "  ".join(f"{report.category[lang].accuracy:>12.3f}" for lang in languages)
    )
    u = report.urgency
    lines += ["", "urgency (from Analysis.urgency)"]
    for level in ALARMS:
        lines.append(f"  {level} recall: {u.recall[level]}  any alarm: {u.any_alarm_recall[level]}")
    lines.append(f"  false alarms on urgency none: {u.false_alarms}")
    lines.append(f"  alarms on hard negatives ({HARD_NEGATIVE_MARK}): {u.hard_negative_alarms}")
    lines += ["", format_span_figures(report.spans, title="spans")]
    return "\n".join(lines)


def _support(report: RoutingReport, label: str) -> int:
    return next((c.support for c in report.per_class if c.label == label), 0)
