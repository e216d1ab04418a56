"""Urgency quality on the real development data, next to the lexicon alone (same run).

Usage (from the repository root): PYTHONPATH=$PWD python benchmarks/urgency_quality.py

Reads ../shared/eval-data (or $CPPS_EVAL_DATA): `crisis_dev.csv` (figures by source) and
`sms_dev.jsonl` (crisis recall, emergency recall, false alarms on texts with no urgency, alarms
on the hard negatives, ids with `hneg`). Verdicts are those of `Analyser.screen`: the language
detector, then `nlp.urgency` (lexicon + learned head). Targets are printed with PASS/MISS; the
noisy sources (`sdcnl_*`, `cssrs500_*`) are reported for information only.

Baselines in the same run: "old lexicon", the regular expressions the project shipped before the
learned head (read from git, commit `OLD_LEXICON_COMMIT`; the column is left out where git or the
commit is unavailable), and "lexicon now", today's extended lexicon alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(REPO_ROOT)

Detect = Callable[[Sequence[str]], list[str]]


@dataclass(frozen=True)
class Target:
    """Crisis recall at least `recall` with false alarms at most `false_alarms` on a source."""

    source: str
    recall: float
    false_alarms: float


CRISIS_TARGETS = (
    Target("kaggle_sw_vs_teenagers", 0.88, 0.10),
    Target("kvvaldez_es_tweets", 0.65, 0.20),
    Target("feix_tweets_suicidal", 0.90, 0.50),
)
NOISY_SOURCES = ("sdcnl_sw_vs_depression", "cssrs500_reddit_users")
OLD_LEXICON_COMMIT = "15c28b1"
SMS_MIN_RECALL = 0.97
SMS_MAX_FALSE_ALARMS = 0.05
SMS_MAX_HARD_NEGATIVE_ALARMS = 0.15


def _rate(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def crisis_dev(path: Path, detectors: dict[str, Detect]) -> list[bool]:
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    texts = [r["text"] for r in rows]
    predicted = {name: detect(texts) for name, detect in detectors.items()}
    print(f"\n{path.name}: crisis recall / false alarms (any urgency on `none`) by source")
    print(f"  {'source':<26} {'n':>5}  " + "  ".join(f"{n:>22}" for n in detectors) + "  target")
    results = []
    targets = {t.source: t for t in CRISIS_TARGETS}
    for source in sorted({r["source"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["source"] == source]
        cells, passed = [], None
        for name in detectors:
            pred = predicted[name]
            recall = _rate([pred[i] == "crisis" for i in idx if rows[i]["label"] == "crisis"])
            alarms = _rate([pred[i] != "none" for i in idx if rows[i]["label"] == "none"])
            cells.append(f"{recall:6.3f} / {alarms:5.3f}     ")
            if name == "combined" and source in targets:
                t = targets[source]
                passed = recall >= t.recall and alarms <= t.false_alarms
        tail = ""
        if passed is not None:
            t = targets[source]
            tail = f"  recall>={t.recall} at FA<={t.false_alarms} {_verdict(passed)}"
            results.append(passed)
        elif source in NOISY_SOURCES:
            tail = "  (noisy: info only)"
        print(f"  {source:<26} {len(idx):>5}  " + "  ".join(f"{c:>22}" for c in cells) + tail)
    return results


def sms_dev(path: Path, detectors: dict[str, Detect]) -> list[bool]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    texts = [r["text"] for r in records]
    predicted = {name: detect(texts) for name, detect in detectors.items()}
    groups: list[tuple[str, Callable[[dict[str, str]], bool], Callable[[str], bool], str, float]]
    groups = [
        ("crisis recall", lambda r: r["urgency"] == "crisis", lambda p: p == "crisis", ">=", 0.97),
        (
            "emergency recall",
            lambda r: r["urgency"] == "emergency",
            lambda p: p == "emergency",
            ">=",
            SMS_MIN_RECALL,
        ),
        (
            "false alarms, no urgency",
            lambda r: r["urgency"] == "none" and "hneg" not in r["id"],
            lambda p: p != "none",
            "<=",
            SMS_MAX_FALSE_ALARMS,
        ),
        (
            "alarms on hard negatives",
            lambda r: "hneg" in r["id"],
            lambda p: p != "none",
            "<=",
            SMS_MAX_HARD_NEGATIVE_ALARMS,
        ),
    ]
    print(f"\n{path.name}:")
    print(f"  {'figure':<26} {'n':>5}  " + "  ".join(f"{n:>10}" for n in detectors) + "  target")
    results = []
    for label, chosen, hit, op, limit in groups:
        idx = [i for i, r in enumerate(records) if chosen(r)]
        values = {name: _rate([hit(predicted[name][i]) for i in idx]) for name in detectors}
        value = values["combined"]
        passed = value >= limit if op == ">=" else value <= limit
        results.append(passed)
        cells = "  ".join(f"{values[n]:>10.3f}" for n in detectors)
        print(f"  {label:<26} {len(idx):>5}  {cells}  {op} {limit} {_verdict(passed)}")
    return results


def old_lexicon() -> Detect | None:
    """`detect_urgency` of nlp/urgency.py at OLD_LEXICON_COMMIT, or None if git cannot say."""
    try:
        source = subprocess.run(
            ["git", "show", f"{OLD_LEXICON_COMMIT}:nlp/urgency.py"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("old_urgency_lexicon")
    # The old module exactly as it was, from git: a measuring baseline, never shipped code.
    exec(compile(source, "old_urgency_lexicon", "exec"), module.__dict__)
    detect = module.__dict__["detect_urgency"]
    return lambda texts: [str(detect(t)) for t in texts]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default_dir = Path(os.environ.get("CPPS_EVAL_DATA", REPO_ROOT.parent / "shared" / "eval-data"))
    parser.add_argument("--data", type=Path, default=default_dir)
    args = parser.parse_args(argv)

    from nlp.language import detect_language
    from nlp.urgency import get_default_detector
    from nlp.urgency_lexicon import lexicon_urgency

    detector = get_default_detector()

    def combined(texts: Sequence[str]) -> list[str]:
        out: list[str] = []
        for start in range(0, len(texts), 64):
            batch = list(texts[start : start + 64])
            languages = [detect_language(t) for t in batch]
            out.extend(detector.detect_batch(batch, languages=languages))
        return out

    def lexicon(texts: Sequence[str]) -> list[str]:
        return [lexicon_urgency(t) for t in texts]

    detectors: dict[str, Detect] = {}
    old = old_lexicon()
    if old is not None:
        detectors["old lexicon"] = old
    detectors.update({"lexicon now": lexicon, "combined": combined})
    started = time.perf_counter()
    results = crisis_dev(args.data / "crisis_dev.csv", detectors)
    results += sms_dev(args.data / "sms_dev.jsonl", detectors)
    print(
        f"\n{sum(results)} of {len(results)} targets met "
        f"({time.perf_counter() - started:.0f} s; head meta: {detector.head.meta.get('examples')} "
        "examples)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
