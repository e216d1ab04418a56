"""scripts/ensure-chromium: under CI a chromium it cannot install is an error, not a skip."""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-chromium"


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # No apt-get on this PATH (an empty folder) and no chromium where CHROMIUM points.
    environment = {"PATH": str(tmp_path), "CHROMIUM": str(tmp_path / "chromium"), **env}
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)], env=environment, capture_output=True, text=True, check=False
    )


def test_without_ci_a_missing_chromium_is_reported_and_the_tests_skip(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode == 0
    assert "chromium is missing" in done.stderr


def test_under_ci_a_chromium_that_cannot_be_installed_fails(tmp_path: Path) -> None:
    done = _run(tmp_path, CI="1")
    assert done.returncode != 0
    assert "CI is set" in done.stderr


def test_a_chromium_already_there_needs_nothing(tmp_path: Path) -> None:
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    assert _run(tmp_path, CI="1").returncode == 0
