"""`/transparency` and its open data, on the web process: no login, GET only.

The only query parameter is `lang` (en or es); anything else is refused with 400, so no address
can ask for a finer cut than the one published. Without `lang` the page follows the browser's
Accept-Language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from bot.transparency.open_data import decisions_csv, decisions_json, figures_csv, figures_json
from bot.transparency.page import render_page
from bot.transparency.words import LANGUAGES, Words
from flows.transparency.service import MAX_AGE_SECONDS, Snapshot, TransparencyReport

HEADERS = {
    "Cache-Control": f"public, max-age={MAX_AGE_SECONDS}",
    "X-Content-Type-Options": "nosniff",
    # The page runs no script and loads nothing from elsewhere.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "Referrer-Policy": "no-referrer",
}


def build_transparency_router(*, report: TransparencyReport) -> APIRouter:
    router = APIRouter()
    city = report.city
    languages = [lang for lang in city.city.languages if lang in LANGUAGES] or ["en"]

    def refused(request: Request) -> Response | None:
        unknown = sorted(set(request.query_params) - {"lang"})
        lang = request.query_params.getlist("lang")
        if unknown or len(lang) > 1 or (lang and lang[0] not in languages):
            return PlainTextResponse(
                "Only ?lang=" + "|".join(languages) + " is accepted here.", status_code=400
            )
        return None

    @router.get("/transparency", response_class=HTMLResponse)
    def page(request: Request) -> Response:
        bad = refused(request)
        if bad is not None:
            return bad
        language = request.query_params.get("lang") or preferred_language(
            request.headers.get("accept-language", ""), languages
        )
        words = Words(language, city=city)
        html = render_page(report.snapshot(), words=words, languages=languages)
        headers = {**HEADERS, "Content-Language": language, "Vary": "Accept-Language"}
        return HTMLResponse(html, headers=headers)

    def download(path: str, media_type: str, render: Callable[[Snapshot], str], name: str) -> None:
        def endpoint(request: Request) -> Response:
            bad = refused(request)
            if bad is not None:
                return bad
            headers = {**HEADERS, "Content-Disposition": f'inline; filename="{name}"'}
            return Response(render(report.snapshot()), media_type=media_type, headers=headers)

        router.add_api_route(path, endpoint, methods=["GET"])

    csv_type, json_type = "text/csv; charset=utf-8", "application/json"
    download("/transparency/data.csv", csv_type, lambda s: figures_csv(s, city), "cpps-figures.csv")
    download(
        "/transparency/data.json", json_type, lambda s: figures_json(s, city), "cpps-figures.json"
    )
    download(
        "/transparency/decisions.csv",
        csv_type,
        lambda s: decisions_csv(s, city),
        "cpps-decisions.csv",
    )
    download(
        "/transparency/decisions.json",
        json_type,
        lambda s: decisions_json(s, city),
        "cpps-decisions.json",
    )
    return router


def preferred_language(header: str, languages: Sequence[str]) -> str:
    """The first of `languages` the Accept-Language header prefers (by q), else the first."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in languages and quality > 0:
            ranked.append((-quality, index, primary))
    return min(ranked)[2] if ranked else languages[0]
