from __future__ import annotations

import pytest

from nlp.evaluation.routing import evaluate_routing, format_report


def test_perfect_predictions_score_one() -> None:
    gold = ["a", "b", "b", "c"]
    report = evaluate_routing(gold, gold, labels=["a", "b", "c", "d"])
    assert report.accuracy == 1.0
    assert report.macro_f1 == 1.0


def test_hand_computed_scores() -> None:
    gold = ["a", "a", "b", "b"]
    pred = ["a", "b", "b", "b"]
    report = evaluate_routing(gold, pred, labels=["a", "b"])
    assert report.accuracy == pytest.approx(0.75)
    # a: P=1, R=0.5 -> F1=2/3; b: P=2/3, R=1 -> F1=0.8
    assert report.f1("a") == pytest.approx(2 / 3)
    assert report.f1("b") == pytest.approx(0.8)
    assert report.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    assert report.confusion == ((1, 1), (0, 2))


def test_macro_f1_ignores_labels_absent_from_gold_but_counts_their_predictions() -> None:
    gold = ["a", "a"]
    pred = ["a", "praise"]
    report = evaluate_routing(gold, pred, labels=["a", "praise", "other"])
    # Only `a` is present in gold: P=1, R=0.5 -> F1 = 2/3.
    assert report.macro_f1 == pytest.approx(2 / 3)
    assert report.f1("praise") == 0.0


def test_unknown_labels_are_added_to_the_matrix() -> None:
    report = evaluate_routing(["x"], ["y"], labels=["a"])
    assert report.labels == ("a", "x", "y")
    assert report.confusion[1][2] == 1


def test_length_mismatch_raises() -> None:
    with pytest.raises(ValueError):
        evaluate_routing(["a"], [], labels=["a"])


def test_format_report_lists_present_classes() -> None:
    report = evaluate_routing(["a", "b"], ["a", "a"], labels=["a", "b", "zzz"])
    text = format_report(report, title="demo")
    assert text.startswith("demo")
    assert "macro-F1=" in text
    assert "zzz" not in text
