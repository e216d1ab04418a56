"""HTML building blocks of the transparency page: escaped text, tables with headers a screen
reader announces, and a chart paired with its table."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def table(
    *,
    table_id: str,
    caption: str,
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    prose: Sequence[int] = (),
) -> str:
    """A table whose first column holds row headers; scrolls sideways on a narrow screen in a
    focusable region (so a keyboard can scroll it), named by its caption. `prose`: the columns
    (counted from 0, the header column) that hold sentences rather than numbers."""
    header = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(
            f'<td class="text">{escape(cell)}</td>' if i in prose else f"<td>{escape(cell)}</td>"
            for i, cell in enumerate(row[1:], start=1)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll" role="region" tabindex="0" aria-labelledby="{table_id}-caption">'
        f'<table id="{table_id}"><caption id="{table_id}-caption">{escape(caption)}</caption>'
        f"<thead><tr>{header}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def chart_with_table(*, svg: str, note: str, table_html: str, wide: bool = False) -> str:
    """A chart and, beside it (below it on a phone, or when `wide`), the table of its numbers."""
    kind = "pair wide" if wide else "pair"
    return (
        f'<div class="{kind}"><figure>{svg}<figcaption>{escape(note)}</figcaption></figure>'
        f"{table_html}</div>"
    )


def section(*, section_id: str, heading: str, body: str) -> str:
    return (
        f'<section aria-labelledby="{section_id}"><h2 id="{section_id}">{escape(heading)}</h2>'
        f"{body}</section>"
    )


def paragraph(text: str) -> str:
    return f"<p>{escape(text)}</p>"


STYLE = """
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a1a1a;
background:#ffffff}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;
gap:.5rem;padding-top:1rem;padding-bottom:.5rem;border-bottom:1px solid #767676}
header p{margin:0;font-weight:600}
a{color:#0b5394}
a:focus,.scroll:focus{outline:3px solid #b35900;outline-offset:2px}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:1rem;background:#ffffff;padding:.5rem}
h1{font-size:1.75rem;line-height:1.2}
h2{font-size:1.35rem;margin-top:2.5rem}
.pair{display:grid;grid-template-columns:minmax(0,1fr);gap:1rem}
@media (min-width:60rem){.pair{grid-template-columns:minmax(0,3fr) minmax(0,2fr)}
.pair.wide{grid-template-columns:minmax(0,1fr)}.wide svg.chart{max-width:56rem}}
figure{margin:0}
figcaption{font-size:.9rem;color:#4a4a4a}
svg.chart{width:100%;height:auto}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.9rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #8a8a8a;padding:.3rem .5rem;text-align:right;white-space:nowrap}
th[scope=row]{text-align:left;white-space:normal;min-width:9rem}
td.text{text-align:left;white-space:normal;min-width:14rem}
thead th{background:#eef4fb}
footer{margin-top:3rem;padding-top:1rem;padding-bottom:2rem;border-top:1px solid #767676;
font-size:.9rem}
"""
