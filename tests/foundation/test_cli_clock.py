"""`cpps clock --once --now …`: one pass of every job at a simulated time, then exit."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from flows.handling.effect_prep import Analyser


@pytest.fixture
def embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, analyser: Analyser) -> Path:
    """The embedded default in a temporary folder (the analyser fixture loads the models once)."""
    monkeypatch.setenv("CPPS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cpps.db")
    for name in ("TWILIO_ACCOUNT_SID", "SLACK_BOT_TOKEN", "CPPS_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path


def test_one_pass_at_a_simulated_time(embedded: Path) -> None:
    result = CliRunner().invoke(app, ["clock", "--once", "--now", "2026-12-01T14:05:00Z"])
    assert result.exit_code == 0, result.output
    for job in ("checkins:", "outbox:", "conversation-timeouts:", "retention:"):
        assert job in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["clock", "--now", "2026-12-01T14:05:00Z"],  # --now only with --once
        ["clock", "--once", "--now", "2026-12-01T14:05:00"],  # no time zone
        ["clock", "--once", "--now", "next tuesday"],
    ],
)
def test_bad_times_are_refused(embedded: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
