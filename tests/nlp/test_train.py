from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from nlp.classify import DEFAULT_HEAD_PATH, CategoryHead
from nlp.runtime.encoders import MINILM_ID, USE_ID
from nlp.training.categories import (
    SHIPPED_EXAMPLE_FILES,
    Example,
    fit_temperature,
    load_training_examples,
    read_examples_csv,
    train_head,
)
from nlp.types import DEFAULT_CATEGORIES
from tests.nlp.fakes import HashingEncoder

TOY = [
    *(Example(f"red apple pie number {i}", "fruit") for i in range(12)),
    *(Example(f"fast bike ride number {i}", "bikes") for i in range(12)),
    *(Example(f"quiet rainy evening number {i}", "weather") for i in range(12)),
    *(Example(f"manzana roja numero {i}", "fruit", "es") for i in range(6)),
]


def _fakes() -> dict[str, HashingEncoder]:
    return {MINILM_ID: HashingEncoder(MINILM_ID), USE_ID: HashingEncoder(USE_ID)}


def test_labels_come_from_the_examples() -> None:
    head = train_head(examples=TOY, encoders=_fakes())
    assert head.labels == ("bikes", "fruit", "weather")
    assert head.views["minilm"].weights.shape == (64, 3)
    assert head.language_views["es"] == "use"


def test_training_is_deterministic() -> None:
    first = train_head(examples=TOY, encoders=_fakes())
    second = train_head(examples=TOY, encoders=_fakes())
    for name in first.views:
        np.testing.assert_array_equal(first.views[name].weights, second.views[name].weights)
        assert first.views[name].temperature == second.views[name].temperature


def test_plain_pairs_are_accepted() -> None:
    pairs = [(e.text, e.category) for e in TOY if e.language == "en"]
    head = train_head(examples=pairs, encoders=_fakes())
    assert set(head.labels) == {"fruit", "bikes", "weather"}


def test_single_category_is_rejected() -> None:
    with pytest.raises(ValueError):
        train_head(examples=[("a", "x"), ("b", "x")], encoders=_fakes())


def test_temperature_recovers_a_known_scale() -> None:
    rng = np.random.default_rng(1)
    true_logits = rng.normal(size=(4000, 4)) * 2.0
    probabilities = np.exp(true_logits) / np.exp(true_logits).sum(axis=1, keepdims=True)
    targets = np.array([rng.choice(4, p=p) for p in probabilities])
    # The model is three times over-confident: the fitted temperature should undo it.
    assert fit_temperature(true_logits * 3.0, targets) == pytest.approx(3.0, rel=0.15)


def test_operator_csv_and_extra_examples_are_appended(tmp_path: Path) -> None:
    operator = tmp_path / "city.csv"
    operator.write_text("text,category\nPotholes on 3rd,potholes\n,empty\n", encoding="utf-8")
    examples = load_training_examples(
        operator_csv=operator, extra_examples=[("moderator fix", "praise", "es")]
    )
    assert examples[-2] == Example("Potholes on 3rd", "potholes", "en")
    assert examples[-1] == Example("moderator fix", "praise", "es")


def test_operator_csv_needs_its_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("message,label\nx,y\n", encoding="utf-8")
    with pytest.raises(ValueError):
        read_examples_csv(bad)


@pytest.mark.parametrize(("language", "minimum"), [("en", 40), ("es", 15)])
def test_shipped_examples_cover_every_category(language: str, minimum: int) -> None:
    examples = read_examples_csv(SHIPPED_EXAMPLE_FILES[language], language=language)
    counts = Counter(e.category for e in examples)
    assert set(counts) == set(DEFAULT_CATEGORIES)
    assert min(counts.values()) >= minimum
    assert len({e.text for e in examples}) == len(examples)


def test_sms_only_examples_are_loaded_marked_and_new() -> None:
    examples = load_training_examples()
    sms = [e for e in examples if not e.long_view]
    assert sms and all(e.language == "en" for e in sms)
    assert not {e.text for e in sms} & {e.text for e in examples if e.long_view}


def test_shipped_examples_share_no_text_with_the_spanish_check_set() -> None:
    check = Path(__file__).parent / "data" / "routing_check_es.csv"
    with check.open(encoding="utf-8") as handle:
        check_texts = {row["text"].strip().lower() for row in csv.DictReader(handle)}
    training = {e.text.lower() for e in load_training_examples()}
    assert not check_texts & training


@pytest.mark.slow
def test_shipped_head_is_reproducible_from_the_shipped_examples() -> None:
    shipped = CategoryHead.load(DEFAULT_HEAD_PATH)
    retrained = train_head(examples=load_training_examples())
    assert retrained.labels == shipped.labels
    assert retrained.meta["examples_fingerprint"] == shipped.meta["examples_fingerprint"]
    assert retrained.triage_threshold == shipped.triage_threshold
    for name, view in shipped.views.items():
        again = retrained.views[name]
        assert again.encoder_ids == view.encoder_ids
        np.testing.assert_allclose(again.weights, view.weights, atol=2e-3)
        np.testing.assert_allclose(again.bias, view.bias, atol=2e-3)
        assert again.temperature == pytest.approx(view.temperature, rel=1e-2)
    assert shipped.neighbours is not None and retrained.neighbours is not None
    np.testing.assert_array_equal(retrained.neighbours.targets, shipped.neighbours.targets)
    np.testing.assert_allclose(
        retrained.neighbours.embeddings, shipped.neighbours.embeddings, atol=2e-3
    )
    assert retrained.neighbour_weight == shipped.neighbour_weight
    assert (retrained.narrative_views, retrained.narrative_chars, retrained.narrative_weight) == (
        shipped.narrative_views,
        shipped.narrative_chars,
        shipped.narrative_weight,
    )
