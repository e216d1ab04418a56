"""Routing quality of the shipped category head on the real development data, next to baselines.

Usage: PYTHONPATH=. python benchmarks/routing_quality.py [--details]

Reads $CPPS_EVAL_DATA/routing_dev.csv and routing_dev_extra.csv (default ../shared/eval-data
from the repository root). Prints, for the shipped classifier and two baselines measured in the
same run (keyword rules; nearest label description with MiniLM):
- macro-F1 over the categories present, on rows of kind long + post + comment together
  (the headline figure; quality bar 0.70), then per source, then the easy `short` rows;
- the extra file (stop_search_arrest, neighborhood_safety 311 reports, funding letters);
- the project's own Spanish check set (tests/nlp/data/routing_check_es.csv);
- calibration (expected calibration error) and what the triage threshold does.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bot.wiring import load_analyser  # noqa: E402
from flows.city import load_city_config  # noqa: E402
from nlp.evaluation.routing import RoutingReport, evaluate_routing, format_report  # noqa: E402
from nlp.runtime.encoders import MINILM_ID, get_encoder  # noqa: E402

MAIN_KINDS = ("long", "post", "comment")
SPANISH_CHECK = REPO_ROOT / "tests" / "nlp" / "data" / "routing_check_es.csv"

# Baseline 1: the obvious keyword rules a city might write by hand (first match by count wins).
KEYWORDS: dict[str, tuple[str, ...]] = {
    "use_of_force": ("force", "beat", "punch", "hit", "tase", "choke", "kick", "slam", "physical"),
    "officer_misconduct": (
        "rude",
        "curse",
        "misconduct",
        "unprofessional",
        "lied",
        "ignored",
        "never came",
        "verbal",
        "harass",
        "service",
    ),
    "stop_search_arrest": ("search", "stop", "frisk", "arrest", "warrant", "detain", "pulled over"),
    "bias_discrimination": (
        "race",
        "racist",
        "racial",
        "discriminat",
        "profil",
        "slur",
        "gay",
        "muslim",
        "immigrant",
    ),
    "mental_health": ("anxiety", "panic", "ptsd", "depress", "therapy", "mental", "stress"),
    "domestic_violence": ("abuse", "abusive", "husband", "boyfriend", "domestic", "restraining"),
    "neighborhood_safety": (
        "speed",
        "traffic",
        "crosswalk",
        "light",
        "graffiti",
        "noise",
        "car",
        "bike",
        "street",
        "drug",
    ),
    "social_services": ("homeless", "shelter", "rent", "evict", "food", "housing", "bill"),
    "funding_priorities": ("budget", "fund", "defund", "taxpayer", "invest", "money"),
    "praise": ("thank", "grateful", "appreciate", "kudos", "great job"),
}

# Baseline 2: one plain description per label, nearest by MiniLM cosine.
DESCRIPTIONS: dict[str, str] = {
    "use_of_force": "Police used excessive physical force: hitting, tasing, choking, injuring.",
    "officer_misconduct": "A police officer was rude, abusive, dishonest, harassing or failed to "
    "provide service.",
    "stop_search_arrest": "Police stopped, searched or arrested someone without cause.",
    "bias_discrimination": "Discrimination or profiling because of race, religion, gender, "
    "sexuality, disability or language.",
    "mental_health": "Mental health problems: anxiety, depression, PTSD, panic, stress.",
    "domestic_violence": "Domestic violence or abuse by a partner or family member, child abuse.",
    "neighborhood_safety": "Neighborhood safety: traffic, speeding, crosswalks, streetlights, "
    "crime, drugs, noise, graffiti.",
    "social_services": "Need for social services: homelessness, food, housing, rent, bills.",
    "funding_priorities": "Opinion on police and public safety budgets and spending.",
    "praise": "Thanks and praise for police officers.",
    "other": "Something else: relationships, questions, general inquiries.",
}


def _eval_dir() -> Path:
    return Path(os.environ.get("CPPS_EVAL_DATA", REPO_ROOT.parent / "shared" / "eval-data"))


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def keyword_baseline(texts: Sequence[str]) -> list[str]:
    out = []
    for text in texts:
        lower = text.lower()
        counts = {label: sum(lower.count(k) for k in words) for label, words in KEYWORDS.items()}
        best = max(counts, key=lambda label: counts[label])
        out.append(best if counts[best] > 0 else "other")
    return out


def description_baseline(embeddings: np.ndarray) -> list[str]:
    labels = list(DESCRIPTIONS)
    anchors = get_encoder(MINILM_ID).encode([DESCRIPTIONS[label] for label in labels])
    return [labels[i] for i in (embeddings @ anchors.T).argmax(axis=1)]


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 10
) -> float:
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in itertools.pairwise(edges):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            total += in_bin.mean() * abs(confidence[in_bin].mean() - correct[in_bin].mean())
    return float(total)


def _line(name: str, reports: dict[str, RoutingReport], metric: str = "macro_f1") -> str:
    ours = getattr(reports["classifier"], metric)
    cells = [f"{name:<34} classifier {ours:.3f}"]
    for base in ("keywords", "label-description"):
        value = getattr(reports[base], metric)
        ratio = f"{ours / value:.2f}x" if value else "n/a"
        cells.append(f"{base} {value:.3f} ({ratio})")
    return " | ".join(cells)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--details", action="store_true", help="full per-class reports")
    args = parser.parse_args()
    data_dir = _eval_dir()
    if not (data_dir / "routing_dev.csv").exists():
        print(f"evaluation data not found in {data_dir}; set CPPS_EVAL_DATA")
        return 1
    rows = _read(data_dir / "routing_dev.csv") + _read(data_dir / "routing_dev_extra.csv")
    texts = [r["text"] for r in rows]
    gold = [r["category"] for r in rows]

    # The system as it runs: the demo city's analyse() (language detection, redaction, the
    # classifier on the text without contact details, the urgency screen's crisis reading),
    # not the classifier alone.
    analyzer = load_analyser(load_city_config())
    classifier = analyzer.classifier
    labels = list(classifier.head.labels)
    started = time.perf_counter()
    analyses = analyzer.analyse_batch(texts)
    elapsed = time.perf_counter() - started
    embeddings = get_encoder(MINILM_ID).encode(texts)
    ours = [a.top_category or "other" for a in analyses]
    # A text with no story has no categories (nlp.substance): confidence 0, routed to "other".
    confidence = np.array([a.categories[0].score if a.categories else 0.0 for a in analyses])
    triaged = np.array([a.triage for a in analyses])
    systems = {
        "classifier": ours,
        "keywords": keyword_baseline(texts),
        "label-description": description_baseline(embeddings),
    }
    print(f"{len(rows)} rows classified in {elapsed:.1f}s ({len(rows) / elapsed:.0f} rows/s)\n")

    def reports_for(selected: list[int]) -> dict[str, RoutingReport]:
        return {
            name: evaluate_routing(
                [gold[i] for i in selected], [pred[i] for i in selected], labels=labels
            )
            for name, pred in systems.items()
        }

    main_rows = [i for i, r in enumerate(rows) if r["kind"] in MAIN_KINDS]
    main_reports = reports_for(main_rows)
    print("macro-F1 over categories present (ratio = classifier / baseline)")
    print(_line(f"long+post+comment (n={len(main_rows)})", main_reports))
    for source in sorted({rows[i]["source"] for i in main_rows}):
        selected = [i for i in main_rows if rows[i]["source"] == source]
        print(_line(f"  {source} (n={len(selected)})", reports_for(selected)))
    short_rows = [i for i, r in enumerate(rows) if r["kind"] == "short"]
    print(_line(f"short (n={len(short_rows)})", reports_for(short_rows)))
    extra_rows = [i for i, r in enumerate(rows) if r["kind"] == "extra"]
    print(_line(f"extra file (n={len(extra_rows)})", reports_for(extra_rows)))
    print("accuracy")
    for source in sorted({rows[i]["source"] for i in extra_rows}):
        selected = [i for i in extra_rows if rows[i]["source"] == source]
        print(_line(f"  {source} (n={len(selected)})", reports_for(selected), "accuracy"))

    spanish = _read(SPANISH_CHECK)
    es_pred = [
        p[0][0].label if p[0] else "other"
        for p in classifier.predict([r["text"] for r in spanish], languages=["es"] * len(spanish))
    ]
    es_report = evaluate_routing([r["category"] for r in spanish], es_pred, labels=labels)
    print(
        f"\nSpanish check set (project's own, n={len(spanish)}): accuracy "
        f"{es_report.accuracy:.3f}, macro-F1 {es_report.macro_f1:.3f}"
    )

    main_index = np.array(main_rows)
    correct = np.array([ours[i] == gold[i] for i in main_rows])
    conf, tri = confidence[main_index], triaged[main_index]
    print(
        f"\nCalibration on long+post+comment: mean top score {conf.mean():.3f}, "
        f"accuracy {correct.mean():.3f}, ECE {expected_calibration_error(conf, correct):.3f}"
    )
    routed = ~tri
    print(
        f"Triage threshold {classifier.head.triage_threshold}: {tri.mean():.1%} triaged; "
        f"accuracy routed {correct[routed].mean():.3f} vs triaged "
        f"{correct[tri].mean() if tri.any() else float('nan'):.3f}"
    )
    print(f"head meta: {dict(classifier.head.meta)}")

    if args.details:
        print()
        print(format_report(main_reports["classifier"], title="classifier, long+post+comment"))
        for source in sorted({rows[i]["source"] for i in main_rows}):
            selected_rows = [i for i in main_rows if rows[i]["source"] == source]
            print()
            print(format_report(reports_for(selected_rows)["classifier"], title=source))
        print()
        print(format_report(es_report, title="Spanish check set"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
