"""The page on the whole service (`create_app` as `cpps web` builds it): mounted, public, and
listing no decision while none is published (tests/slack/test_decision_transparency.py publishes
them from Slack on the same service)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flows.city import load_city_config
from flows.clocks import FixedClock
from tests.service_harness import make_settings, start_service
from tests.support.analyser import KeywordAnalyser
from tests.support.transparency import Seeded, seed
from tests.transparency.conftest import PUBLISHED


def test_the_service_serves_the_page_without_login(
    database_url: str, tmp_path: Path, master_key: str, clock: FixedClock
) -> None:
    settings = make_settings(database_url=database_url, data_dir=tmp_path, master_key=master_key)
    services, client = start_service(
        settings=settings, clock=clock, analyser=KeywordAnalyser(city=load_city_config())
    )
    at = datetime(2026, 2, 3, 17, 0, tzinfo=UTC)
    seed(services.store, clock, [Seeded(at=at, category="praise", district="d2")] * 6)
    clock.set(PUBLISHED)
    response = client.get("/transparency")
    assert response.status_code == 200
    html = response.text
    assert '<th scope="row">February 2026</th><td>6</td>' in html
    assert "No decisions have been published yet." in html
    assert client.get("/transparency/data.json").json()["min_count"] == 5
    assert client.get("/transparency?ref=ABC123").status_code == 400
