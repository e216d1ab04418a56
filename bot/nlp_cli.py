"""`cpps analyse`, `cpps train`, `cpps train-urgency`, `cpps eval …`: the NLP command line."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import typer

eval_app = typer.Typer(help="Measure the router, the redactor and urgency on labelled files.")


def _analyzer(city_config: Path | None) -> Any:
    from bot.wiring import load_analyser
    from flows.city import load_city_config

    return load_analyser(load_city_config(city_config))


def _batches(lines: Iterator[str], size: int) -> Iterator[list[dict[str, Any]]]:
    while True:
        chunk = [json.loads(line) for line in islice(lines, size) if line.strip()]
        if not chunk:
            return
        yield chunk


def analyse(
    city_config: Annotated[
        Path | None, typer.Option("--city", help="City file for places (default: demo city).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Texts analysed together.")] = 64,
) -> None:
    """Read JSON lines {"id", "text"} on stdin; write one analysis per line to stdout."""
    analyzer = _analyzer(city_config)
    done = 0
    for batch in _batches(iter(sys.stdin), batch_size):
        for record, result in zip(
            batch, analyzer.analyse_batch([str(r.get("text", "")) for r in batch]), strict=True
        ):
            data = result.to_dict()
            out = {
                "id": record.get("id"),
                **{k: data[k] for k in ("language", "redacted", "entities", "officers", "places")},
                "district": data["district"],
                "categories": data["categories"],
                "triage": data["triage"],
                "urgency": data["urgency"],
            }
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        done += len(batch)
        if done % 1000 < len(batch):
            typer.echo(f"analysed {done}", err=True)
    sys.stdout.flush()


def train(
    operator_csv: Annotated[
        Path | None, typer.Option(help="More examples: a CSV with columns text,category.")
    ] = None,
    include_corrections: Annotated[
        bool, typer.Option(help="Also learn from moderators' reroutes stored in the database.")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Where to write the head.")] = None,
) -> None:
    """Rebuild the classifier head from the project's examples (+ operator CSV, corrections)."""
    from nlp.classify import DEFAULT_HEAD_PATH
    from nlp.training.categories import train_and_save

    extra: list[tuple[str, str]] = []
    if include_corrections:
        from bot.settings import Settings, resolve_secrets
        from bot.wiring import build_store

        settings = Settings()
        extra = build_store(settings, secrets=resolve_secrets(settings)).reports.corrections()
        typer.echo(f"{len(extra)} moderator corrections", err=True)
    head = train_and_save(
        out_path=out or DEFAULT_HEAD_PATH, operator_csv=operator_csv, extra_examples=extra
    )
    typer.echo(f"wrote {out or DEFAULT_HEAD_PATH}: {len(head.labels)} categories")


def train_urgency(
    out: Annotated[Path | None, typer.Option(help="Where to write the head.")] = None,
) -> None:
    """Rebuild the urgency head from the project's examples (nlp/training/urgency_*.csv)."""
    from nlp.training.urgency import train_and_save
    from nlp.urgency import DEFAULT_HEAD_PATH

    head = train_and_save(out_path=out or DEFAULT_HEAD_PATH)
    typer.echo(f"wrote {out or DEFAULT_HEAD_PATH}: {head.meta.get('examples')} examples")
    for view in head.views:
        typer.echo(f"  {view}: thresholds {head.meta['thresholds'][view]}")
        typer.echo(f"  {view}: cross-validated {head.meta[f'cv_{view}']}")


@eval_app.command("routing")
def eval_routing(
    file: Path,
    city_config: Annotated[Path | None, typer.Option("--city")] = None,
) -> None:
    """Accuracy, macro-F1, per-class F1 and the confusion matrix on a CSV (text, category)."""
    from nlp.evaluation.routing import evaluate_routing, format_report

    with file.open(newline="", encoding="utf-8") as handle:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(handle)]
    analyzer = _analyzer(city_config)
    predicted = [
        a.top_category or "other" for a in analyzer.analyse_batch([text for text, _ in rows])
    ]
    gold = [category for _, category in rows]
    labels = sorted(set(gold))
    typer.echo(format_report(evaluate_routing(gold, predicted, labels=labels), title=str(file)))


@eval_app.command("redaction")
def eval_redaction(
    file: Path,
    city_config: Annotated[Path | None, typer.Option("--city")] = None,
) -> None:
    """Per-type span recall, precision and F2 on JSON lines {text, spans:[{start,end,type}]}."""
    from nlp.evaluation.redaction import evaluate_redaction

    analyzer = _analyzer(city_config)
    records = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line]
    report = evaluate_redaction(records, redact=lambda text: list(analyzer.analyse(text).entities))
    typer.echo(report.format(str(file)))


@eval_app.command("sms")
def eval_sms(
    file: Path,
    city_config: Annotated[Path | None, typer.Option("--city")] = None,
    no_story_as: Annotated[
        str,
        typer.Option(
            help='The category a text with no story at all ("hello?") counts as: the '
            "catch-all, as in `eval routing`; the service answers it with the welcome."
        ),
    ] = "other",
) -> None:
    """Category F1 by language, urgency recall and false alarms, and span figures on JSON lines
    {id, lang, text, category, urgency, spans}."""
    from nlp.evaluation.sms import evaluate_sms, format_sms_report

    records = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line]
    analyzer = _analyzer(city_config)
    analyses = analyzer.analyse_batch([str(r.get("text", "")) for r in records])
    report = evaluate_sms(
        records, analyses, labels=analyzer.classifier.head.labels, no_story_as=no_story_as
    )
    typer.echo(format_sms_report(report, title=str(file)))


@eval_app.command("urgency")
def eval_urgency(
    file: Path,
    lexicon_only: Annotated[
        bool, typer.Option("--lexicon-only", help="The regular expressions alone (a baseline).")
    ] = False,
) -> None:
    """Recall per urgency class and false alarms on a CSV (id,text,label: crisis|emergency|none),
    also by `source` and `lang` when those columns exist. Verdicts are `Analyser.screen`'s."""
    from nlp.evaluation.urgency import format_figures, read_urgency_rows, run_evaluation
    from nlp.language import detect_language
    from nlp.urgency import get_default_detector
    from nlp.urgency_lexicon import lexicon_urgency

    rows, columns = read_urgency_rows(file)

    def detect(texts: Sequence[str]) -> Sequence[str]:
        if lexicon_only:
            return [lexicon_urgency(t) for t in texts]
        languages = [detect_language(t) for t in texts]
        return list(get_default_detector().detect_batch(texts, languages=languages))

    table = run_evaluation(rows, detect, group_by=columns)
    title = f"{file} ({'lexicon only' if lexicon_only else 'lexicon + learned head'})"
    typer.echo(format_figures(table, title=title))
