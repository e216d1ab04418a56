"""Urgency quality: recall per urgency class and false alarms on `none` rows, overall and by group.

- recall of a class: the share of its gold rows predicted as exactly that class (a crisis
  flagged as an emergency is a miss for crisis: the reply would be the wrong one);
- flagged: the share of urgent gold rows (crisis or emergency) given any urgency at all;
- false alarms: the share of `none` rows given any urgency.

Groups are any row attributes (e.g. `source`, `lang` of `crisis_dev.csv`); rows are
`UrgencyRow`s, so the figures are pure functions of gold and predicted labels.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

URGENCY_LABELS: tuple[str, ...] = ("crisis", "emergency", "none")
GROUP_COLUMNS: tuple[str, ...] = ("source", "lang")


@dataclass(frozen=True)
class UrgencyRow:
    text: str
    label: str
    groups: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UrgencyFigures:
    name: str
    n: int
    support: Mapping[str, int]  # gold rows per label
    recall: Mapping[str, float | None]  # per urgent label; None without gold rows
    flagged: float | None  # urgent rows given any urgency
    false_alarms: float | None  # none rows given any urgency


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def figures(name: str, gold: Sequence[str], predicted: Sequence[str]) -> UrgencyFigures:
    """Recall per urgent class, flagged share and false-alarm rate of one set of rows."""
    if len(gold) != len(predicted):
        raise ValueError(f"gold has {len(gold)} rows but predicted has {len(predicted)}")
    unknown = sorted(set(gold) - set(URGENCY_LABELS))
    if unknown:
        raise ValueError(f"unknown gold label(s) {unknown}")
    pairs = list(zip(gold, predicted, strict=True))
    support = {label: sum(g == label for g, _ in pairs) for label in URGENCY_LABELS}
    recall = {
        label: _share(sum(g == p == label for g, p in pairs), support[label])
        for label in ("crisis", "emergency")
    }
    urgent = [p for g, p in pairs if g != "none"]
    quiet = [p for g, p in pairs if g == "none"]
    return UrgencyFigures(
        name=name,
        n=len(pairs),
        support=support,
        recall=recall,
        flagged=_share(sum(p != "none" for p in urgent), len(urgent)),
        false_alarms=_share(sum(p != "none" for p in quiet), len(quiet)),
    )


def evaluate_urgency(
    rows: Sequence[UrgencyRow], predicted: Sequence[str], *, group_by: Iterable[str] = ()
) -> list[UrgencyFigures]:
    """Figures for all rows, then for each value of each grouping attribute (sorted)."""
    gold = [r.label for r in rows]
    out = [figures("all", gold, predicted)]
    for column in group_by:
        values = sorted({r.groups[column] for r in rows if column in r.groups})
        for value in values:
            chosen = [i for i, r in enumerate(rows) if r.groups.get(column) == value]
            out.append(
                figures(
                    f"{column}={value}", [gold[i] for i in chosen], [predicted[i] for i in chosen]
                )
            )
    return out


def read_urgency_rows(path: Path) -> tuple[list[UrgencyRow], list[str]]:
    """Rows of a CSV (text, label[, source, lang…]) or JSON lines (text, urgency or label),
    and the grouping columns present."""
    if path.suffix == ".jsonl":
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        rows = [
            UrgencyRow(str(r["text"]), str(r.get("urgency", r.get("label"))), {"lang": r["lang"]})
            if "lang" in r
            else UrgencyRow(str(r["text"]), str(r.get("urgency", r.get("label"))))
            for r in records
            if r
        ]
        return rows, ["lang"] if any(r.groups for r in rows) else []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = [c for c in GROUP_COLUMNS if c in (reader.fieldnames or ())]
        rows = [
            UrgencyRow(r["text"], r["label"].strip(), {c: r[c] for c in columns}) for r in reader
        ]
    return rows, columns


def _cell(value: float | None) -> str:
    return "    -" if value is None else f"{value:5.3f}"


def format_figures(table: Sequence[UrgencyFigures], *, title: str = "") -> str:
    """A fixed-width table, one line per group."""
    width = max([len(f.name) for f in table] + [5])
    lines = [title] if title else []
    lines.append(
        f"{'rows':<{width}}  {'n':>5}  {'crisis':>6} {'recall':>6}  {'emerg.':>6} {'recall':>6}"
        f"  {'flagged':>7}  {'none':>5} {'false alarms':>12}"
    )
    for f in table:
        lines.append(
            f"{f.name:<{width}}  {f.n:>5}  {f.support['crisis']:>6} {_cell(f.recall['crisis']):>6}"
            f"  {f.support['emergency']:>6} {_cell(f.recall['emergency']):>6}"
            f"  {_cell(f.flagged):>7}  {f.support['none']:>5} {_cell(f.false_alarms):>12}"
        )
    return "\n".join(lines)


def run_evaluation(
    rows: Sequence[UrgencyRow],
    detect: Callable[[Sequence[str]], Sequence[str]],
    *,
    group_by: Iterable[str] = (),
    batch_size: int = 64,
) -> list[UrgencyFigures]:
    """Predict in batches with `detect` (texts -> labels) and evaluate."""
    predicted: list[str] = []
    for start in range(0, len(rows), batch_size):
        predicted.extend(detect([r.text for r in rows[start : start + batch_size]]))
    return evaluate_urgency(rows, predicted, group_by=group_by)
