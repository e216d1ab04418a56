"""The transparency page: one server-rendered HTML document per language, readable with
JavaScript off, on a phone and with a screen reader (landmarks, one h1, a heading per section,
every chart an image with a title and its numbers in a table beside it)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.transparency import charts
from bot.transparency.open_data import DICTIONARY
from bot.transparency.tables import (
    STYLE,
    chart_with_table,
    paragraph,
    section,
    table,
)
from bot.transparency.words import Words
from flows.transparency.aggregate import Figures, MonthFigures
from flows.transparency.public_decisions import PublicDecision
from flows.transparency.service import Snapshot
from flows.transparency.suppression import Cell, Shown

SECTIONS = ("received", "by_category", "by_district", "response", "followups", "decisions", "data")


def render_page(snapshot: Snapshot, *, words: Words, languages: Sequence[str]) -> str:
    figures = snapshot.figures
    service = words.city.city.service_name
    sections = [
        _received(figures, words),
        _breakdown(figures, words, line="category", heading="by_category"),
        _breakdown(figures, words, line="district", heading="by_district"),
        _response(figures, words),
        _followups(figures, words),
        _decisions(snapshot.decisions, words),
        _open_data(words),
    ]
    contents = "".join(f'<li><a href="#{key}">{escape(words(key))}</a></li>' for key in SECTIONS)
    other = [lang for lang in languages if lang != words.language]
    # The link to the other language is written in that language ("Leer en español").
    switch = "".join(
        f'<nav aria-label="{escape(words("switch_label"))}"><a href="?lang={lang}" lang="{lang}"'
        f' hreflang="{lang}">{escape(words("switch"))}</a></nav>'
        for lang in other[:1]
    )
    updated = figures.generated_at.astimezone(words.city.tz).strftime("%Y-%m-%d %H:%M")
    return (
        f'<!doctype html><html lang="{words.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No icon to fetch (a browser would otherwise ask the service for /favicon.ico).
        '<link rel="icon" href="data:,">'
        f"<title>{escape(words('title'))} · {escape(service)}</title>"
        f"<style>{STYLE}</style></head><body>"
        f'<a class="skip" href="#main">{escape(words("skip"))}</a>'
        f"<header><p>{escape(service)}</p>{switch}</header>"
        f'<main id="main"><h1>{escape(words("title"))}</h1>'
        f"{paragraph(words('intro', service=service))}"
        f'<nav aria-label="{escape(words("contents"))}"><ul>{contents}</ul></nav>'
        + "".join(sections)
        + f"</main><footer>{paragraph(words('updated', at=updated))}</footer></body></html>"
    )


def _received(figures: Figures, words: Words) -> str:
    cells = [m.reports.total for m in figures.by_month]
    svg = charts.bar_chart(
        chart_id="chart-received",
        title=words("received_chart"),
        labels=[words.month(m, short=True) for m in figures.months],
        cells=cells,
        k=figures.min_count,
    )
    rows = [[words.month(m.month), words.cell(m.reports.total)] for m in figures.by_month]
    numbers = table(
        table_id="table-received",
        caption=words("received_chart"),
        head=[words("month"), words("received")],
        rows=rows,
    )
    body = chart_with_table(svg=svg, note=words("chart_note"), table_html=numbers)
    return section(section_id="received", heading=words("received"), body=body)


def _breakdown(figures: Figures, words: Words, *, line: str, heading: str) -> str:
    keys = figures.categories if line == "category" else figures.districts
    names = [words.category(k) if line == "category" else words.district(k) for k in keys]
    grid = [[m.reports.shown(line, i) for m in figures.by_month] for i in range(len(keys))]
    svg = charts.heatmap(
        chart_id=f"chart-{line}",
        title=words(heading),
        rows=names,
        columns=[words.month(m, short=True) for m in figures.months],
        cells=grid,
        k=figures.min_count,
    )
    rows = [[name, *(words.cell(c) for c in row)] for name, row in zip(names, grid, strict=True)]
    rows.append([words("total"), *(words.cell(m.reports.total) for m in figures.by_month)])
    numbers = table(
        table_id=f"table-{line}",
        caption=words(heading),
        head=[words(line), *(words.month(m, short=True) for m in figures.months)],
        rows=rows,
    )
    body = chart_with_table(svg=svg, note=words("chart_note"), table_html=numbers, wide=True)
    return section(section_id=heading, heading=words(heading), body=body)


def _response(figures: Figures, words: Words) -> str:
    def row(m: MonthFigures) -> list[str]:
        ack, not_ack = m.reports.lines["acknowledged"]
        res, not_res = m.reports.lines["resolved"]
        return [
            words.month(m.month),
            words.cell(m.reports.total),
            words.cell(ack),
            words.cell(not_ack),
            _days(m.days_to_acknowledge, words),
            words.cell(res),
            words.cell(not_res),
            _days(m.days_to_resolve, words),
        ]

    head = ["month", "received", "acknowledged", "not_acknowledged", "days_to_acknowledge"]
    head += ["resolved", "not_resolved", "days_to_resolve"]
    numbers = table(
        table_id="table-response",
        caption=words("response"),
        head=[words(h) for h in head],
        rows=[row(m) for m in figures.by_month],
    )
    return section(section_id="response", heading=words("response"), body=numbers)


def _followups(figures: Figures, words: Words) -> str:
    def row(m: MonthFigures) -> list[str]:
        yes, no = m.contacted.lines["answer"]
        scores = m.satisfaction.lines["score"]
        return [
            words.month(m.month),
            words.cell(m.contacted.total),
            words.cell(yes),
            words.cell(no),
            _share([yes], m.contacted.total, [yes, no], words),
            words.cell(m.satisfaction.total),
            *(words.cell(s) for s in scores),
            _share(scores[3:], m.satisfaction.total, scores, words),
        ]

    head = [words("month"), words("contacted_answers"), words("contacted_yes")]
    head += [words("contacted_no"), words("yes_rate"), words("satisfaction_answers")]
    head += [words("score", score=s) for s in range(1, 6)] + [words("satisfied")]
    numbers = table(
        table_id="table-followups",
        caption=words("followups"),
        head=head,
        rows=[row(m) for m in figures.by_month],
    )
    body = paragraph(words("followups_intro")) + numbers
    return section(section_id="followups", heading=words("followups"), body=body)


def _decisions(decisions: Sequence[PublicDecision], words: Words) -> str:
    if not decisions:
        return section(
            section_id="decisions",
            heading=words("decisions"),
            body=paragraph(words("no_decisions")),
        )
    rows = [
        [
            words.month(d.published_in) + (f" {words('corrected')}" if d.corrected else ""),
            words.decision_district(d.district),
            words.decision_category(d.category),
            d.summary,
            ", ".join(words.parties(d.parties)),
        ]
        for d in decisions
    ]
    numbers = table(
        table_id="table-decisions",
        caption=words("decisions"),
        head=[words(h) for h in ("date", "district", "category", "summary", "parties")],
        rows=rows,
        prose=(3, 4),
    )
    body = paragraph(words("decisions_intro")) + numbers
    return section(section_id="decisions", heading=words("decisions"), body=body)


def _open_data(words: Words) -> str:
    links = "".join(
        f'<li><a href="/transparency/{href}">{escape(words(key))}</a></li>'
        for href, key in (
            ("data.csv", "data_csv"),
            ("data.json", "data_json"),
            ("decisions.csv", "decisions_csv"),
            ("decisions.json", "decisions_json"),
        )
    )
    dictionary = table(
        table_id="table-dictionary",
        caption=words("dictionary"),
        head=[words("field"), words("meaning")],
        rows=[[name, meaning[words.language]] for name, meaning in DICTIONARY.items()],
        prose=(1,),
    )
    body = paragraph(words("data_intro")) + f"<ul>{links}</ul>" + dictionary
    return section(section_id="data", heading=words("data"), body=body)


def _days(value: float | None, words: Words) -> str:
    return words("not_published") if value is None else f"{value:.1f}"


def _share(part: Sequence[Cell], total: Cell, line: Sequence[Cell], words: Words) -> str:
    """A percentage only from counts that are all shown (a share of a withheld count would
    give it away)."""
    if total.shown != Shown.VALUE or not total.value:
        return words("not_published")
    if any(c.shown != Shown.VALUE for c in line):
        return words("not_published")
    return f"{100 * sum(c.value or 0 for c in part) / total.value:.0f}%"
