"""Without a bot token the embedded default still runs: cards print to the console and the
Slack endpoint says it is not configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.slack import build_slack_core
from bot.slack.gateway import ConsoleGateway
from flows.city import CityConfig
from flows.handling.effect_prep import Analyser
from flows.reports.desk import ModeratorDesk
from flows.store import NewReport, Store
from tests.service_harness import make_settings, start_service


def test_cards_are_printed_without_a_token(
    store: Store, city: CityConfig, analyser: Analyser, capsys: pytest.CaptureFixture[str]
) -> None:
    core = build_slack_core(
        bot_token="", api_url="", store=store, desk=ModeratorDesk(store=store), city=city
    )
    assert isinstance(core.gateway, ConsoleGateway) and core.client is None
    analysis = analyser.analyse("An officer pushed me on Water Street, call 555-201-7788")
    contact = store.contacts.get_or_create(channel="sms", address="+15551234567")
    with store.transaction() as session:
        report = store.reports.create(
            session=session,
            contact=contact,
            ref="R-CNS2",
            new=NewReport("sms", "en", "raw", True, False, False, False),
            analysis=analysis,
            destinations=["oversight"],
            redacted_place=None,
            redacted_when=None,
        )
    core.poster.report_filed(report.id or 0)
    printed = capsys.readouterr().out
    assert "Slack post to #cpps-oversight (console)" in printed
    assert "Report R-CNS2" in printed and "[PHONE]" in printed
    assert "201-7788" not in printed and "+15551234567" not in printed
    [post] = store.slack_posts.of_report(report.id or 0)
    assert post.status == "posted"


def test_the_endpoint_answers_503_without_a_token(
    database_url: str, tmp_path: Path, master_key: str, clock: object, analyser: Analyser
) -> None:
    settings = make_settings(database_url=database_url, data_dir=tmp_path, master_key=master_key)
    services, client = start_service(
        settings=settings,
        clock=clock,  # type: ignore[arg-type]
        analyser=analyser,
    )
    assert services.slack.app is None
    assert client.post("/slack/events", content=b"{}").status_code == 503
