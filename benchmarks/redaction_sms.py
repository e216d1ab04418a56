"""Redaction on resident-style SMS: personal data found, protected facts and officers kept.

    PYTHONPATH=. python benchmarks/redaction_sms.py [--misses] [--city FILE]

Data: $CPPS_EVAL_DATA/sms_dev.jsonl (default ../shared/eval-data relative to the repo root).
Runs the analyser's own path (`Analyser.analyse_batch(categorise=False)`: officers, redaction,
places) and, in the same run, a baseline of spaCy's PERSON entities plus an e-mail regex with no
officer extraction, the redactor most projects start from. Figures are defined in
`nlp.evaluation.sms_spans`. Bars: KEEP spans kept 1.00, personal-data recall >= 0.95, officers kept
and extracted >= 0.95.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and its nlp.py would shadow the package.
REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from flows.city import load_city_config  # noqa: E402
from nlp.analyse import Analyser  # noqa: E402
from nlp.classify import get_default_classifier  # noqa: E402
from nlp.evaluation.sms_spans import format_span_figures, span_figures, span_misses  # noqa: E402
from nlp.places import Gazetteer  # noqa: E402
from nlp.redaction.redact import Redactor, apply_redaction  # noqa: E402
from nlp.runtime.spacy_model import load_spacy  # noqa: E402
from nlp.types import Analysis, Entity  # noqa: E402

BARS = {"personal": 0.95, "keep": 1.0, "officers": 0.95}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def eval_data_dir() -> Path:
    return Path(os.environ.get("CPPS_EVAL_DATA", REPO_ROOT.parent / "shared" / "eval-data"))


def load_records(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def baseline(texts: Sequence[str]) -> list[Analysis]:
    """spaCy PERSON entities and e-mail addresses redacted; no officers, no places."""
    nlp = load_spacy()
    analyses = []
    for text, doc in zip(texts, nlp.pipe(texts), strict=True):
        entities = [
            Entity("NAME", e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"
        ]
        entities += [
            Entity("EMAIL", *m.span())
            for m in _EMAIL.finditer(text)
            if not any(n.start < m.end() and m.start() < n.end for n in entities)
        ]
        analyses.append(Analysis("en", apply_redaction(text, entities), tuple(entities)))
    return analyses


def project(city_file: Path | None) -> Callable[[Sequence[str]], list[Analysis]]:
    city = load_city_config(city_file)
    gazetteer = Gazetteer.from_districts(city.gazetteer_entries())
    analyser = Analyser(
        nlp=load_spacy(),
        redactor=Redactor(
            default_region=city.city.default_region,
            gazetteer=gazetteer,
            place_names=[city.city.name],
        ),
        classifier=get_default_classifier(),  # not used: categorise=False
        gazetteer=gazetteer,
        languages=tuple(city.city.languages),
    )

    def run(texts: Sequence[str]) -> list[Analysis]:
        return analyser.analyse_batch(texts, categorise=False)

    return run


def print_misses(records: list[dict], analyses: list[Analysis]) -> None:
    by_id = {str(r["id"]): r for r in records}
    for miss in span_misses(records, analyses):
        record = by_id[miss.record_id]
        span = record["text"][miss.start : miss.end]
        print(f"{miss.kind:>13} {miss.type:<8} {span!r:<30} {miss.record_id}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list the spans scored as failures")
    parser.add_argument("--city", type=Path, default=None, help="city file (default: demo city)")
    args = parser.parse_args()
    path = eval_data_dir() / "sms_dev.jsonl"
    if not path.exists():
        print(f"no evaluation data at {path}; set CPPS_EVAL_DATA")
        return 0
    records = load_records(path)
    texts = [r["text"] for r in records]
    load_spacy()
    results = {}
    for name, run in (
        ("baseline: spaCy PERSON + e-mail", baseline),
        ("project", project(args.city)),
    ):
        started = time.perf_counter()
        analyses = run(texts)
        elapsed = time.perf_counter() - started
        results[name] = analyses
        print(format_span_figures(span_figures(records, analyses), f"{name} ({elapsed:.1f} s)"))
        print()
    ours = span_figures(records, results["project"]).overall
    met = {
        "personal": ours.personal["ALL"].rate,
        "keep": ours.keep.rate,
        "officers": ours.officers.rate,
    }
    for figure, value in met.items():
        print(f"{figure:<9} {value:.3f}  bar {BARS[figure]:.2f}  met {value >= BARS[figure]}")
    if args.misses:
        print_misses(records, results["project"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
