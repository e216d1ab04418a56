from __future__ import annotations

import os
from pathlib import Path

import pytest
from spacy.language import Language

from flows.city import load_city_config
from nlp.classify import Classifier, get_default_classifier
from nlp.places import Gazetteer
from nlp.redaction.redact import Redactor
from nlp.runtime.spacy_model import load_spacy

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_spacy()


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    return Redactor(default_region="US")


@pytest.fixture(scope="session")
def eval_data_dir() -> Path:
    """The real evaluation data (read at test time, never copied); skips where it is absent."""
    path = Path(os.environ.get("CPPS_EVAL_DATA", REPO_ROOT.parent / "shared" / "eval-data"))
    if not path.is_dir():
        pytest.skip(f"evaluation data not available at {path}")
    return path


@pytest.fixture(scope="session")
def riverton() -> Gazetteer:
    """The demo city's gazetteer."""
    return Gazetteer.from_districts(load_city_config().gazetteer_entries())


@pytest.fixture(scope="session")
def default_classifier() -> Classifier:
    return get_default_classifier()
