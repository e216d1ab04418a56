"""The shipped urgency head is what `cpps train-urgency` makes of the shipped examples."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.classify import CategoryHead
from nlp.training.urgency import load_urgency_examples, train_urgency_head
from nlp.urgency import DEFAULT_HEAD_PATH, Thresholds


@pytest.mark.slow
def test_shipped_urgency_head_is_reproducible_from_the_shipped_examples() -> None:
    shipped = CategoryHead.load(DEFAULT_HEAD_PATH)
    retrained = train_urgency_head(examples=load_urgency_examples())
    assert retrained.labels == shipped.labels
    assert retrained.meta["fingerprint"] == shipped.meta["fingerprint"]
    assert set(retrained.views) == set(shipped.views)
    for name, view in shipped.views.items():
        again = retrained.views[name]
        assert again.encoder_ids == view.encoder_ids
        np.testing.assert_allclose(again.weights, view.weights, atol=2e-3)
        np.testing.assert_allclose(again.bias, view.bias, atol=2e-3)
    expected, got = Thresholds.per_view(shipped), Thresholds.per_view(retrained)
    for name, thresholds in expected.items():
        for field, value in thresholds.__dict__.items():
            assert getattr(got[name], field) == pytest.approx(value, abs=2e-3)
