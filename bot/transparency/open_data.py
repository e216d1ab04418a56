"""The open data: the page's figures as CSV and JSON (one record per published count, the same
protected cells the page shows), the decisions as their own files, and the data dictionary."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from bot.transparency.words import Words
from flows.city import CityConfig
from flows.transparency.aggregate import REPORT_LINES, SCORES, YES_NO, MonthFigures
from flows.transparency.service import Snapshot
from flows.transparency.suppression import Cell, Group

FIELDS = ("month", "group", "line", "key", "label_en", "label_es", "measure", "shown", "value")
DECISION_FIELDS = (
    "published_in",
    "district",
    "district_en",
    "district_es",
    "category",
    "category_en",
    "category_es",
    "summary",
    "parties",
    "parties_en",
    "parties_es",
    "corrected",
)
# The decisions' own dictionary (decisions.json carries it). Parties are published by key and by
# name in each language: the key stays the same if the city renames a party, the names are what
# residents read.
DECISION_DICTIONARY: dict[str, dict[str, str]] = {
    "published_in": {
        "en": "The month (city time) the decision was published, YYYY-MM; for a corrected"
        " decision, the month the correction was. The month, not the day, so that a decision"
        " cannot be matched to a report by its date.",
        "es": "El mes (hora local) en que se publicó la decisión, AAAA-MM; si fue corregida,"
        " el mes de la corrección. El mes y no el día, para que no se pueda asociar una"
        " decisión a un reporte por su fecha.",
    },
    "district": {
        "en": "The district id of the city file, \u201cother\u201d for other districts or not"
        " known; empty when not published: a decision names a district only where the figures"
        " of the report's month show that district's count as a number.",
        "es": "El id de distrito, \u201cother\u201d para otros distritos o si no se conoce;"
        " vacío si no se publica: una decisión nombra un distrito solo si las cifras del mes"
        " del reporte muestran el número de ese distrito.",
    },
    "district_en": {"en": "The district's name in English.", "es": "El distrito en inglés."},
    "district_es": {"en": "The district's name in Spanish.", "es": "El distrito en español."},
    "category": {
        "en": "The category id of the city file; empty when not published (as for district).",
        "es": "El id de categoría; vacío si no se publica (como el distrito).",
    },
    "category_en": {"en": "The category in English.", "es": "La categoría en inglés."},
    "category_es": {"en": "The category in Spanish.", "es": "La categoría en español."},
    "summary": {
        "en": "What was decided and done, written for residents by a moderator; names, phone"
        " numbers and addresses are removed before it is stored. Never a report's words.",
        "es": "Qué se decidió y se hizo, escrito para los vecinos; se quitan nombres, teléfonos"
        " y direcciones antes de guardarlo. Nunca las palabras de un reporte.",
    },
    "parties": {
        "en": "Who took part, by the key the city file gives each party (in the CSV separated"
        " by \u201c; \u201d).",
        "es": "Quiénes participaron, por la clave que les da el archivo de la ciudad (en el CSV"
        " separadas por \u201c; \u201d).",
    },
    "parties_en": {"en": "Their names in English.", "es": "Sus nombres en inglés."},
    "parties_es": {"en": "Their names in Spanish.", "es": "Sus nombres en español."},
    "corrected": {
        "en": "Whether this decision corrects one published earlier.",
        "es": "Si esta decisión corrige otra publicada antes.",
    },
}
DICTIONARY: dict[str, dict[str, str]] = {
    "month": {
        "en": "The calendar month (city time) the reports were received in, YYYY-MM. Only"
        " complete months are published.",
        "es": "El mes (hora local) en que se recibieron los reportes, AAAA-MM. Solo se publican"
        " meses completos.",
    },
    "group": {
        "en": "reports: reports received (spam not counted); contacted: answers to"
        " \u201chas anyone contacted you?\u201d; satisfaction: ratings of how a report was"
        " handled, 1 (poorly) to 5 (very well).",
        "es": "reports: reportes recibidos (sin spam); contacted: respuestas a \u201c¿le"
        " contactaron?\u201d; satisfaction: calificaciones de 1 (mal) a 5 (muy bien).",
    },
    "line": {
        "en": "How the group's total is split: total, category, district, acknowledged,"
        " resolved, answer or score. Each line of a month adds up to that month's total.",
        "es": "Cómo se divide el total del grupo: total, category, district, acknowledged,"
        " resolved, answer o score. Cada línea de un mes suma el total de ese mes.",
    },
    "key": {
        "en": "The category or district id of the city file, yes or no, a rating 1-5; empty"
        " for a total. District \u201cother\u201d: the districts with too few reports that"
        " month (their own rows read folded), and reports whose district is not known.",
        "es": "El id de categoría o distrito, yes o no, una calificación 1-5; vacío para un"
        " total. Distrito \u201cother\u201d: los distritos con pocos reportes ese mes (sus filas"
        " dicen folded) y los reportes sin distrito conocido.",
    },
    "label_en": {"en": "The key's name in English.", "es": "El nombre de la clave en inglés."},
    "label_es": {"en": "The key's name in Spanish.", "es": "El nombre de la clave en español."},
    "measure": {
        "en": "count (reports or answers), or median_days (from receipt to the first"
        " acknowledgement, or to resolution).",
        "es": "count (reportes o respuestas) o median_days (días desde la recepción hasta la"
        " primera atención o hasta la resolución).",
    },
    "shown": {
        "en": "value: the number is published; fewer_than: a count from 1 to k-1 (k is"
        " min_count), or in a month with fewer than k, any count; withheld: not published so"
        " that another count cannot be worked out; folded: a district counted in \u201cother\u201d"
        " that month; not_published: a median beside a count that is not published.",
        "es": "value: se publica la cifra; fewer_than: una cifra de 1 a k-1 (k es min_count), o"
        " cualquier cifra de un mes con menos de k; withheld: no se publica para que no se"
        " pueda deducir otra cifra; folded: un distrito contado en \u201cother\u201d ese mes;"
        " not_published: una mediana junto a una cifra no publicada.",
    },
    "value": {
        "en": "The number when shown is value; empty otherwise.",
        "es": "La cifra cuando shown es value; vacío en otro caso.",
    },
}


def figure_records(snapshot: Snapshot, city: CityConfig) -> Iterator[dict[str, Any]]:
    en, es = Words("en", city=city), Words("es", city=city)
    figures = snapshot.figures
    keys = {
        "category": figures.categories,
        "district": figures.districts,
        "acknowledged": YES_NO,
        "resolved": YES_NO,
        "answer": YES_NO,
        "score": SCORES,
    }

    def label(line: str, key: str, words: Words) -> str:
        if line == "category":
            return words.category(key)
        if line == "district":
            return words.district(key)
        return key

    def group(month: MonthFigures, name: str, protected: Group) -> Iterator[dict[str, Any]]:
        yield _count(month.month, name, "total", "", "", "", protected.total)
        for line, cells in protected.lines.items():
            for key, cell in zip(keys[line], cells, strict=True):
                yield _count(
                    month.month, name, line, key, label(line, key, en), label(line, key, es), cell
                )

    for month in figures.by_month:
        yield from group(month, "reports", month.reports)
        for line, median in (
            ("acknowledged", month.days_to_acknowledge),
            ("resolved", month.days_to_resolve),
        ):
            shown = "not_published" if median is None else "value"
            yield _record(month.month, "reports", line, "yes", "", "", "median_days", shown, median)
        yield from group(month, "contacted", month.contacted)
        yield from group(month, "satisfaction", month.satisfaction)


def figures_csv(snapshot: Snapshot, city: CityConfig) -> str:
    return _csv(FIELDS, figure_records(snapshot, city))


def figures_json(snapshot: Snapshot, city: CityConfig) -> str:
    figures = snapshot.figures
    document = {
        "city": city.city.name,
        "generated_at": figures.generated_at.isoformat(),
        "min_count": figures.min_count,
        "months": list(figures.months),
        "lines": {
            "reports": list(REPORT_LINES),
            "contacted": ["answer"],
            "satisfaction": ["score"],
        },
        "dictionary": DICTIONARY,
        "records": list(figure_records(snapshot, city)),
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


def decision_records(snapshot: Snapshot, city: CityConfig) -> list[dict[str, Any]]:
    en, es = Words("en", city=city), Words("es", city=city)
    records = []
    for d in snapshot.decisions:
        records.append(
            {
                "published_in": d.published_in,
                "district": d.district,
                "district_en": en.decision_district(d.district),
                "district_es": es.decision_district(d.district),
                "category": d.category,
                "category_en": en.decision_category(d.category),
                "category_es": es.decision_category(d.category),
                "summary": d.summary,
                "parties": list(d.parties),
                "parties_en": en.parties(d.parties),
                "parties_es": es.parties(d.parties),
                "corrected": d.corrected,
            }
        )
    return records


def decisions_csv(snapshot: Snapshot, city: CityConfig) -> str:
    rows = decision_records(snapshot, city)
    for row in rows:
        for field in ("parties", "parties_en", "parties_es"):
            row[field] = "; ".join(row[field])
        row["corrected"] = "yes" if row["corrected"] else "no"
    return _csv(DECISION_FIELDS, rows)


def decisions_json(snapshot: Snapshot, city: CityConfig) -> str:
    document = {"dictionary": DECISION_DICTIONARY, "decisions": decision_records(snapshot, city)}
    return json.dumps(document, ensure_ascii=False, indent=1)


def _count(
    month: str, group: str, line: str, key: str, label_en: str, label_es: str, cell: Cell
) -> dict[str, Any]:
    return _record(month, group, line, key, label_en, label_es, "count", cell.shown, cell.value)


def _record(*values: Any) -> dict[str, Any]:
    return dict(zip(FIELDS, values, strict=True))


def _csv(fields: tuple[str, ...], rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell; text a spreadsheet would run as a formula is quoted with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
