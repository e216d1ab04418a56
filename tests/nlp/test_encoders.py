from __future__ import annotations

import numpy as np
import pytest

from nlp.runtime.encoders import MINILM_ID, USE_ID, get_encoder

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("encoder_id", "dim"), [(MINILM_ID, 384), (USE_ID, 512)])
def test_rows_are_unit_length_and_in_input_order(encoder_id: str, dim: int) -> None:
    encoder = get_encoder(encoder_id)
    texts = ["short", "a somewhat longer sentence about a broken streetlight", "", "🙏"]
    batch = encoder.encode(texts)
    assert batch.shape == (4, dim)
    assert batch.dtype == np.float32
    nonzero = np.linalg.norm(batch, axis=1) > 0
    np.testing.assert_allclose(np.linalg.norm(batch[nonzero], axis=1), 1.0, atol=1e-4)
    # Batching (which sorts by length internally) must not change any row.
    single = np.vstack([encoder.encode([t]) for t in texts])
    np.testing.assert_allclose(batch, single, atol=1e-4)


@pytest.mark.parametrize("encoder_id", [MINILM_ID, USE_ID])
def test_empty_batch(encoder_id: str) -> None:
    encoder = get_encoder(encoder_id)
    assert encoder.encode([]).shape == (0, encoder.dim)


def test_loaded_once_per_process() -> None:
    assert get_encoder(MINILM_ID) is get_encoder(MINILM_ID)


def test_unknown_encoder_is_an_error() -> None:
    with pytest.raises(ValueError):
        get_encoder("nope")


def test_similar_meanings_are_closer_than_unrelated_ones() -> None:
    encoder = get_encoder(MINILM_ID)
    a, b, c = encoder.encode(["the officer hit me", "a cop punched me", "the streetlight is out"])
    assert a @ b > a @ c


def test_use_maps_spanish_near_its_english_meaning() -> None:
    encoder = get_encoder(USE_ID)
    es, en, other = encoder.encode(
        ["la policía me golpeó", "the police beat me", "the bus was late today"]
    )
    assert es @ en > es @ other


def test_very_long_input_is_truncated_not_an_error() -> None:
    for encoder_id in (MINILM_ID, USE_ID):
        vector = get_encoder(encoder_id).encode(["word " * 5000])
        assert np.isfinite(vector).all()
