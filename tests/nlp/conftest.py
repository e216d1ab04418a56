from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def eval_data_dir() -> Path:
    path = Path(os.environ.get("CPPS_EVAL_DATA", REPO_ROOT.parent / "shared" / "eval-data"))
    if not (path / "routing_dev.csv").exists():
        pytest.skip("evaluation data not available")
    return path


@pytest.fixture(scope="session")
def default_classifier():  # type: ignore[no-untyped-def]
    from nlp.classify import get_default_classifier

    return get_default_classifier()
