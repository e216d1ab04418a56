"""Redaction quality on the real PII dev set, next to a naive baseline measured in the same run.

    PYTHONPATH=. python benchmarks/redaction_quality.py [--misses]

Data: $CPPS_EVAL_DATA/pii_dev.jsonl (default ../shared/eval-data relative to the repo root).
Baseline: spaCy PERSON entities + an e-mail regex, the redactor most projects start from.
Bars (issue 3): span recall >= 0.95 PHONE and EMAIL, >= 0.90 NAME (PERSON), >= 0.80 ADDRESS;
overall character precision >= 0.80.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Runnable as a plain script from anywhere: the repository's packages come first.
REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from nlp.evaluation.redaction import GOLD_TYPES, TYPES, RedactionReport, evaluate_redaction  # noqa: E402
from nlp.officers import find_officers  # noqa: E402
from nlp.redaction.redact import Redactor  # noqa: E402
from nlp.runtime.spacy_model import load_spacy  # noqa: E402
from nlp.types import Entity  # noqa: E402

BARS = {"NAME": 0.90, "PHONE": 0.95, "EMAIL": 0.95, "ADDRESS": 0.80}
PRECISION_BAR = 0.80
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def eval_data_dir() -> Path:
    return Path(os.environ.get("CPPS_EVAL_DATA", REPO_ROOT.parent / "shared" / "eval-data"))


def load_records(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def baseline_redactor() -> Callable[[str], list[Entity]]:
    nlp = load_spacy()

    def redact(text: str) -> list[Entity]:
        spans = [(e.start_char, e.end_char) for e in nlp(text).ents if e.label_ == "PERSON"]
        entities = [Entity("NAME", s, e) for s, e in spans]
        entities += [
            Entity("EMAIL", *m.span())
            for m in _EMAIL.finditer(text)
            if not any(s < m.end() and m.start() < e for s, e in spans)
        ]
        return entities

    return redact


def project_redactor() -> Callable[[str], list[Entity]]:
    nlp = load_spacy()
    redactor = Redactor(default_region="US")

    def redact(text: str) -> list[Entity]:
        keep = [(o.start, o.end) for o in find_officers(text)]
        return redactor.find(text, doc=nlp(text), keep=keep)

    return redact


def print_misses(records: list[dict], redact: Callable[[str], list[Entity]]) -> None:
    """Gold spans missed and redactions outside gold, for looking at failure forms."""
    for record in records:
        text, entities = record["text"], redact(record["text"])
        mask = [False] * len(text)
        for entity in entities:
            mask[entity.start : entity.end] = [True] * (entity.end - entity.start)
        gold = [s for s in record["spans"] if s["type"] in GOLD_TYPES]
        for span in gold:
            if 2 * sum(mask[span["start"] : span["end"]]) < span["end"] - span["start"]:
                print("MISS", GOLD_TYPES[span["type"]], repr(text[span["start"] : span["end"]]))
        for entity in entities:
            inside = any(s["start"] <= entity.start and entity.end <= s["end"] for s in gold)
            if not inside:
                print("EXTRA", entity.type, repr(text[entity.start : entity.end]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list misses and extra redactions")
    args = parser.parse_args()
    path = eval_data_dir() / "pii_dev.jsonl"
    if not path.exists():
        print(f"no evaluation data at {path}; set CPPS_EVAL_DATA")
        return 0
    records = load_records(path)
    load_spacy()
    reports: dict[str, RedactionReport] = {}
    for name, factory in (("baseline", baseline_redactor), ("project", project_redactor)):
        started = time.perf_counter()
        reports[name] = evaluate_redaction(records, redact=factory())
        elapsed = time.perf_counter() - started
        print(reports[name].format(f"{name} ({elapsed:.1f} s)"), end="\n\n")
    base, ours = reports["baseline"], reports["project"]
    print(f"{'type':<8} {'recall base':>11} {'recall ours':>11} {'ratio':>6} {'bar':>5}  met")
    for entity_type in TYPES:
        b, o = base.by_type[entity_type].recall, ours.by_type[entity_type].recall
        ratio = o / b if b else float("inf")
        bar = BARS[entity_type]
        print(f"{entity_type:<8} {b:>11.3f} {o:>11.3f} {ratio:>6.2f} {bar:>5.2f}  {o >= bar}")
    b, o = base.overall.precision, ours.overall.precision
    print(
        f"{'precision':<8} {b:>9.3f} {o:>11.3f} {o / b:>6.2f} {PRECISION_BAR:>5.2f}  "
        f"{o >= PRECISION_BAR}"
    )
    if args.misses:
        print_misses(records, project_redactor())
    return 0


if __name__ == "__main__":
    sys.exit(main())
