"""/transparency over HTTP: the seeded numbers, both languages, the switch, no report text,
only `lang` accepted."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.transparency.routes import build_transparency_router, preferred_language
from flows.city import CityConfig
from flows.clocks import FixedClock
from flows.store import Store
from flows.transparency.service import CACHE_SECONDS, TransparencyReport
from tests.support.transparency import first_report, publish_decision
from tests.transparency.conftest import SEEDED


def _row(html: str, table_id: str, header: str) -> list[str]:
    """The cells of the row headed `header` in table `table_id`."""
    table = html.split(f'<table id="{table_id}">')[1].split("</table>")[0]
    for row in re.findall(r"<tr>(.*?)</tr>", table):
        if f'<th scope="row">{header}</th>' in row:
            return re.findall(r"<td[^>]*>(.*?)</td>", row)
    raise AssertionError(f"no row {header!r} in {table_id}")


def test_the_page_shows_the_seeded_counts_with_small_ones_protected(client: TestClient) -> None:
    response = client.get("/transparency", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response.status_code == 200
    assert response.headers["content-language"] == "en"
    html = response.text
    assert '<html lang="en">' in html
    # February: 30 reports (the 2 marked spam are not counted), 4 in March not yet published.
    assert _row(html, "table-received", "February 2026") == ["30"]
    assert _row(html, "table-received", "December 2025") == ["fewer than 5"]
    # January: withheld whole (praise 1 beside use of force exactly 5).
    assert _row(html, "table-received", "January 2026") == ["withheld"]
    feb = -1
    assert _row(html, "table-category", "Stops, searches and arrests")[feb] == "fewer than 5"
    assert _row(html, "table-category", "Use of force")[feb] == "withheld"
    assert _row(html, "table-category", "Officer misconduct")[feb] == "7"
    assert _row(html, "table-category", "Neighborhood safety")[feb] == "9"
    assert _row(html, "table-district", "Northside")[feb] == "14"
    assert _row(html, "table-district", "Riverside")[feb] == "9"
    assert _row(html, "table-district", "Other districts or not known")[feb] == "7"
    assert _row(html, "table-district", "Southfield")[feb] == "in other districts"
    assert _row(html, "table-district", "Eastgate")[feb] == "in other districts"
    assert _row(html, "table-response", "February 2026") == [
        "30", "21", "9", "2.0", "8", "22", "6.0"
    ]  # fmt: skip
    assert _row(html, "table-followups", "February 2026")[:4] == ["9", "9", "0", "100%"]
    assert _row(html, "table-followups", "January 2026")[:4] == [
        "12", "withheld", "fewer than 5", "not published"
    ]  # fmt: skip
    assert "A story that is never published" not in html


def test_spanish_by_accept_language_and_by_the_switch(client: TestClient) -> None:
    english = client.get("/transparency").text
    assert '<a href="?lang=es" lang="es" hreflang="es">Leer en español</a>' in english
    for response in (
        client.get("/transparency", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}),
        client.get("/transparency?lang=es", headers={"Accept-Language": "en"}),
    ):
        html = response.text
        assert response.headers["content-language"] == "es"
        assert '<html lang="es">' in html
        assert _row(html, "table-received", "febrero de 2026") == ["30"]
        assert _row(html, "table-category", "Paradas, registros y arrestos")[-1] == "menos de 5"
        assert _row(html, "table-category", "Uso de la fuerza")[-1] == "retenido"
        assert '<a href="?lang=en" lang="en" hreflang="en">Read in English</a>' in html


def _decision_rows(html: str) -> list[str]:
    table = html.split('<table id="table-decisions">')[1].split("</table>")[0]
    return re.findall(r"<tr>(.*?)</tr>", table)[1:]


def test_decisions_are_listed_newest_first(client: TestClient) -> None:
    rows = _decision_rows(client.get("/transparency").text)
    # Published at 9 p.m. on the 24th in Riverton: the month is given, never the day.
    assert "February 2026 (corrected)" in rows[0] and "24 February" not in rows[0]
    # Southfield's one report is "other districts" in the figures, and so beside its decision.
    assert "Southfield" not in rows[0]
    assert "Other districts or not known" in rows[0]
    assert "Officer misconduct" in rows[0]
    assert "A corrected summary: the agency will publish its stop data monthly." in rows[0]
    assert "Riverton Police Department" in rows[0]
    assert "publish its stop data.<" not in rows[0]  # the first version is not listed
    assert "February 2026" in rows[1] and "(corrected)" not in rows[1]
    # Northside is shown; use of force is withheld in February, so not named.
    assert "Northside" in rows[1] and "Use of force" not in rows[1] and "not published" in rows[1]
    assert "Council members, Police liaison" in rows[1]


def test_decisions_in_spanish_name_the_parties_in_spanish(client: TestClient) -> None:
    rows = _decision_rows(client.get("/transparency?lang=es").text)
    assert "febrero de 2026 (corregida)" in rows[0] and "24 de" not in rows[0]
    assert "Departamento de Policía de Riverton" in rows[0]
    assert "Miembros del consejo, Enlace policial" in rows[1]
    assert "Mala conducta policial" in rows[0]


def test_a_new_decision_appears_within_a_minute(
    client: TestClient, seeded: Store, clock: FixedClock
) -> None:
    assert "Budget review" not in client.get("/transparency").text
    report = first_report(seeded, "praise", "d2")
    publish_decision(seeded, report, summary="Budget review", parties=["city-budget-office"])
    clock.advance(timedelta(seconds=30))
    assert "Budget review" not in client.get("/transparency").text  # still cached
    clock.advance(timedelta(seconds=30))
    assert "Budget review" in client.get("/transparency").text


def test_in_the_web_process_a_stale_snapshot_answers_while_the_next_is_computed(
    seeded: Store, city: CityConfig, clock: FixedClock
) -> None:
    report = TransparencyReport(
        store=seeded,
        city=city,
        decisions=seeded.decisions.published_decisions,
        refresh_in_background=True,
    )
    first = report.snapshot()  # the first request computes
    filed = first_report(seeded, "praise", "d2")
    publish_decision(seeded, filed, summary="Budget review", parties=["council-members"])
    clock.advance(timedelta(seconds=CACHE_SECONDS))
    assert report.snapshot() is first  # answered at once from the previous minute
    report.wait_for_refresh()
    assert report.snapshot().decisions[0].summary == "Budget review"


def test_in_the_web_process_a_snapshot_idle_for_minutes_is_computed_before_answering(
    seeded: Store, city: CityConfig, clock: FixedClock
) -> None:
    report = TransparencyReport(
        store=seeded,
        city=city,
        decisions=seeded.decisions.published_decisions,
        refresh_in_background=True,
    )
    first = report.snapshot()
    filed = first_report(seeded, "praise", "d2")
    publish_decision(seeded, filed, summary="Budget review", parties=["council-members"])
    clock.advance(timedelta(minutes=5))  # nobody asked for the page meanwhile
    fresh = report.snapshot()
    assert fresh is not first
    assert fresh.decisions[0].summary == "Budget review"


def test_browsers_keep_a_response_ten_seconds_at_most(client: TestClient) -> None:
    for path in ("/transparency", "/transparency/data.csv", "/transparency/decisions.json"):
        control = client.get(path).headers["cache-control"]
        [max_age] = re.findall(r"max-age=(\d+)", control)
        assert int(max_age) <= 10


def test_only_lang_is_accepted(client: TestClient) -> None:
    for path in ("/transparency", "/transparency/data.csv", "/transparency/data.json"):
        assert client.get(path + "?lang=es").status_code == 200
        for query in ("?district=d4", "?lang=es&month=2026-02", "?lang=fr", "?lang=en&lang=es"):
            response = client.get(path + query)
            assert response.status_code == 400, (path, query)
            assert "Only ?lang=" in response.text


def test_the_month_in_progress_is_not_published(client: TestClient) -> None:
    html = client.get("/transparency").text
    assert any(s.at.month == 3 and s.at.year == 2026 for s in SEEDED)
    assert "March 2026" not in html and "Mar 26" not in html
    assert _row(html, "table-received", "March 2025") == ["0"]


def test_accept_language_by_preference() -> None:
    both = ["en", "es"]
    assert preferred_language("", both) == "en"
    assert preferred_language("fr-FR, es;q=0.5, en;q=0.4", both) == "es"
    assert preferred_language("es;q=0, en-GB", both) == "en"
    assert preferred_language("en;q=0.2, es-419;q=0.9", both) == "es"
    assert preferred_language("es;q=bogus, de", both) == "en"
    assert preferred_language("es", ["en"]) == "en"


def test_a_city_in_one_language_offers_no_switch(seeded: Store, city: CityConfig) -> None:
    english = city.model_copy(update={"city": city.city.model_copy(update={"languages": ["en"]})})
    app = FastAPI()
    report = TransparencyReport(store=seeded, city=english, decisions=list)
    app.include_router(build_transparency_router(report=report))
    client = TestClient(app)
    html = client.get("/transparency", headers={"Accept-Language": "es"}).text
    assert '<html lang="en">' in html
    assert "Leer en español" not in html and 'aria-label="Language"' not in html
    assert client.get("/transparency?lang=es").status_code == 400
