"""Routing quality: accuracy, macro-F1, per-class F1 and a confusion matrix, in plain Python.

Macro-F1 averages only over labels that occur in the gold data: a label nobody wrote about
(e.g. `praise` in a police-complaint corpus) has no defined recall, and counting it as 0 or 1
would make the figure depend on which taxonomy the evaluation happens to lack. Predictions of
absent labels still count as errors, through the precision of nothing and the recall of the
true label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ClassScores:
    label: str
    support: int  # gold rows with this label
    predicted: int  # rows predicted as this label
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class RoutingReport:
    n: int
    accuracy: float
    macro_f1: float  # over labels present in gold
    per_class: tuple[ClassScores, ...]  # in `labels` order, then any extra gold/pred labels
    labels: tuple[str, ...]  # row/column order of `confusion`
    confusion: tuple[tuple[int, ...], ...]  # confusion[gold_index][predicted_index]

    def f1(self, label: str) -> float:
        for scores in self.per_class:
            if scores.label == label:
                return scores.f1
        raise KeyError(label)


def _safe_div(num: float, den: float) -> float:
    return num / den if den else 0.0


def evaluate_routing(
    gold: Sequence[str], predicted: Sequence[str], *, labels: Sequence[str]
) -> RoutingReport:
    """Compare predicted labels with gold labels, row by row."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} rows but predicted has {len(predicted)}")
    ordered = list(dict.fromkeys(labels))
    for label in [*gold, *predicted]:
        if label not in ordered:
            ordered.append(label)
    index = {label: i for i, label in enumerate(ordered)}
    matrix = [[0] * len(ordered) for _ in ordered]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1

    per_class: list[ClassScores] = []
    for i, label in enumerate(ordered):
        true_positive = matrix[i][i]
        support = sum(matrix[i])
        n_predicted = sum(row[i] for row in matrix)
        precision = _safe_div(true_positive, n_predicted)
        recall = _safe_div(true_positive, support)
        f1 = _safe_div(2 * precision * recall, precision + recall)
        per_class.append(ClassScores(label, support, n_predicted, precision, recall, f1))

    present = [c for c in per_class if c.support > 0]
    n = len(gold)
    return RoutingReport(
        n=n,
        accuracy=_safe_div(sum(matrix[i][i] for i in range(len(ordered))), n),
        macro_f1=_safe_div(sum(c.f1 for c in present), len(present)),
        per_class=tuple(per_class),
        labels=tuple(ordered),
        confusion=tuple(tuple(row) for row in matrix),
    )


def format_report(report: RoutingReport, *, title: str = "") -> str:
    """A fixed-width text table: summary line, per-class scores, then the confusion matrix."""
    lines = []
    if title:
        lines.append(title)
    lines.append(f"n={report.n}  accuracy={report.accuracy:.3f}  macro-F1={report.macro_f1:.3f}")
    width = max([len(label) for label in report.labels] + [5])
    lines.append(f"{'label':<{width}}  support  pred   prec  recall     F1")
    for c in report.per_class:
        if c.support == 0 and c.predicted == 0:
            continue
        lines.append(
            f"{c.label:<{width}}  {c.support:>7}  {c.predicted:>4}  {c.precision:5.3f}"
            f"  {c.recall:6.3f}  {c.f1:5.3f}"
        )
    used = [i for i, c in enumerate(report.per_class) if c.support > 0 or c.predicted > 0]
    short = [report.labels[i][:6] for i in used]
    lines.append("confusion (rows gold, columns predicted):")
    lines.append(" " * (width + 2) + " ".join(f"{s:>6}" for s in short))
    for i in used:
        cells = " ".join(f"{report.confusion[i][j]:>6}" for j in used)
        lines.append(f"{report.labels[i]:<{width}}  {cells}")
    return "\n".join(lines)
