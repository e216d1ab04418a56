from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from spacy.language import Language

from nlp.places import Gazetteer
from nlp.redact import Redactor
from nlp.spacy_model import load_spacy

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_spacy()


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    return Redactor(default_region="US")


@pytest.fixture(scope="session")
def eval_data_dir() -> Path:
    return Path(os.environ.get("CPPS_EVAL_DATA", REPO_ROOT.parent / "shared" / "eval-data"))


@pytest.fixture(scope="session")
def riverton() -> Gazetteer:
    """The demo city's gazetteer, read with a minimal loader (the city-config module owns the
    real one)."""
    with (REPO_ROOT / "config" / "riverton.toml").open("rb") as handle:
        config = tomllib.load(handle)
    return Gazetteer.from_districts(
        (
            d["id"],
            [d["name"], *d["aliases"], *d["neighbourhoods"], *d["streets"], *d["landmarks"]],
        )
        for d in config["districts"]
    )
