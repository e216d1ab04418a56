"""Urgency as the system decides it: lexicon plus the shipped learned head (real encoders)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nlp.classify import CategoryHead, LinearView
from nlp.evaluation.urgency import (
    UrgencyRow,
    evaluate_urgency,
    figures,
    format_figures,
    read_urgency_rows,
)
from nlp.runtime.encoders import MINILM_ID, USE_ID
from nlp.urgency import (
    DEFAULT_HEAD_PATH,
    LABELS,
    Thresholds,
    UrgencyDetector,
    chunks,
    decide,
    detect_urgency,
    get_default_detector,
)
from tests.nlp.fakes import HashingEncoder

# The phrases the lexicon alone missed.
FORMERLY_MISSED = [
    ("I can't do this anymore, I want to end it", "en"),
    ("I want to end it", "en"),
    ("me voy a matar esta noche", "es"),
    ("I took a bunch of pills like 20 min ago", "en"),
    ("i just want everything to end", "en"),
    ("tonight's the night", "en"),
]

CRISIS = [
    ("my pistol is on the table and I keep looking at it", "en"),
    ("gave away my guitar and my cat this week, won't need them where I'm going", "en"),
    ("everyone would be better off without me, I'm done", "en"),
    ("im on the overpass rn and i dont want to go home", "en"),
    ("ya no quiero seguir aquí, mañana no van a saber de mí", "es"),
    ("me tomé un frasco de pastillas hace rato", "es"),
    ("ando en la orilla del puente, ya no aguanto", "es"),
    ("I'm so done, ya no quiero vivir", "es"),
    ("my sister says she wants to die and she has her pills out", "en"),
    ("my roommate keeps yelling at his game and im so suicidal today i cant stop crying", "en"),
]

EMERGENCY = [
    ("someone is breaking into my house right now", "en"),
    ("a man is following me and he won't stop, I'm on my way home", "en"),
    ("the cops are beating a kid on the ground right now at the park", "en"),
    ("my boyfriend has a knife and says he'll hurt me", "en"),
    ("hay un hombre con una pistola afuera de mi casa", "es"),
    ("mi pareja me está golpeando ahorita", "es"),
    ("someone se está metiendo a mi casa right now", "es"),
]

QUIET = [
    ("these fees are killing me", "en"),
    ("this show makes me suicidal lol", "en"),
    ("me muero de risa con este video", "es"),
    ("I attempted 3 years ago and I'm doing better now, thank you to the officer who helped", "en"),
    ("an officer hit my brother with a baton last week, how do I file a complaint", "en"),
    ("the streetlights on my block have been out for two weeks", "en"),
    ("my grandma passed away last month and I still miss her", "en"),
    ("the police budget keeps going up while the library closes early", "en"),
    ("how can I help a friend who seems depressed? looking for resources", "en"),
    ("my mom is going to kill me when she sees my report card lol", "en"),
    ("los precios del súper nos están matando jaja", "es"),
    ("el año pasado un policía le pegó a mi hermano", "es"),
    ("me estoy ahogando de la risa con este video jajaja", "es"),
]


# Answers to the intake questions ("when?", "where?", "anonymous?") are screened too.
ANSWERS = [
    ("around 10 last night", "en"),
    ("the corner of Pine and 2nd", "en"),
    ("2", "en"),
    ("Friday night", "en"),
    ("anoche como a las 11", "es"),
]


@pytest.fixture(scope="module")
def detector() -> UrgencyDetector:
    return get_default_detector()


@pytest.mark.parametrize(("text", "language"), FORMERLY_MISSED + CRISIS)
def test_crisis_is_detected(detector: UrgencyDetector, text: str, language: str) -> None:
    assert detector.detect(text, language=language) == "crisis"


@pytest.mark.parametrize(("text", "language"), EMERGENCY)
def test_emergency_is_detected(detector: UrgencyDetector, text: str, language: str) -> None:
    assert detector.detect(text, language=language) == "emergency"


@pytest.mark.parametrize(("text", "language"), QUIET + ANSWERS)
def test_hard_negatives_stay_quiet(detector: UrgencyDetector, text: str, language: str) -> None:
    assert detector.detect(text, language=language) == "none"


def test_intent_in_one_sentence_of_a_long_post_is_found(detector: UrgencyDetector) -> None:
    background = (
        "I moved here for work two years ago and I still don't know anyone. My job is fine I "
        "guess, my manager is okay and the commute is short. I play games most nights. "
    )
    text = (
        background * 3
        + "Last night I wrote a note and tonight I'm going to finish it. "
        + (background)
    )
    assert len(chunks(text)) > 1
    assert detector.detect(text, language="en") == "crisis"


def test_batch_agrees_with_single_texts(detector: UrgencyDetector) -> None:
    items = FORMERLY_MISSED[:3] + EMERGENCY[:2] + QUIET[:2]
    texts, languages = [t for t, _ in items], [lang for _, lang in items]
    batch = detector.detect_batch(texts, languages=languages)
    assert batch == [detector.detect(t, language=g) for t, g in items]
    embeddings = detector.embed(texts, languages=languages)
    assert detector.detect_batch(texts, languages=languages, embeddings=embeddings) == batch


def test_detect_urgency_finds_the_language_itself() -> None:
    assert detect_urgency("me voy a matar esta noche") == "crisis"
    assert detect_urgency("", language="en") == "none"
    assert detect_urgency("😀🙏") == "none"


def test_crisis_beats_emergency_on_equal_evidence() -> None:
    thresholds = Thresholds(0.5, 0.2, 0.5, 0.2)
    assert decide([0.6, 0.9], lexicon=(False, False), thresholds=thresholds) == "crisis"
    assert decide([0.3, 0.9], lexicon=(True, True), thresholds=thresholds) == "crisis"
    # The lexicon's support counts for more than the head's ranking, and with it the head only
    # says whether the text is urgent at all; an emergency match yields only to a head sure of a
    # crisis (the crisis reply also says to call 911).
    assert decide([0.4, 0.3], lexicon=(False, True), thresholds=thresholds) == "emergency"
    assert decide([0.6, 0.3], lexicon=(False, True), thresholds=thresholds) == "crisis"
    assert decide([0.6, 0.7], lexicon=(False, True), thresholds=thresholds) == "emergency"
    assert decide([0.05, 0.9], lexicon=(True, False), thresholds=thresholds) == "crisis"
    assert decide([0.1, 0.05], lexicon=(True, True), thresholds=thresholds) == "none"
    assert decide([0.3, 0.4], lexicon=(False, False), thresholds=thresholds) == "none"
    # A plain first-person statement ("im so suicidal tonight") is a crisis whatever the head says.
    explicit = decide([0.01, 0.0], lexicon=(True, False), thresholds=thresholds, explicit=True)
    assert explicit == "crisis"


def test_shipped_head_has_thresholds_for_every_view() -> None:
    head = CategoryHead.load(DEFAULT_HEAD_PATH)
    assert tuple(head.labels) == LABELS
    assert set(Thresholds.per_view(head)) == set(head.views)
    # USE serves every language (see nlp.training.urgency).
    for language in ("en", "es", "other"):
        assert head.views[head.view_for(language)].encoder_ids == (USE_ID,)


def test_detector_with_a_fake_encoder_reads_chunks() -> None:
    encoder = HashingEncoder(MINILM_ID, dim=8)
    weights = np.zeros((8, 3), dtype=np.float32)
    head = CategoryHead(
        labels=LABELS,
        views={"v": LinearView((MINILM_ID,), weights, np.array([0.0, 0.0, 5.0], np.float32))},
        language_views={"en": "v"},
        default_view="v",
        triage_threshold=0.0,
        meta={"thresholds": {"v": Thresholds(0.5, 0.2, 0.5, 0.2).__dict__}},
    )
    detector = UrgencyDetector(head=head, encoders={MINILM_ID: encoder})
    long_text = "A sentence about nothing much at all. " * 20
    assert detector.detect_batch(["short", long_text], languages=["en", "en"]) == ["none"] * 2
    assert encoder.calls == 1  # wholes and chunks in one pass


# --- evaluation ----------------------------------------------------------------------------


def test_figures_compute_recall_and_false_alarms() -> None:
    gold = ["crisis", "crisis", "crisis", "emergency", "emergency", "none", "none", "none", "none"]
    pred = ["crisis", "emergency", "none", "emergency", "none", "none", "crisis", "none", "none"]
    result = figures("all", gold, pred)
    assert result.support == {"crisis": 3, "emergency": 2, "none": 4}
    assert result.recall == {"crisis": pytest.approx(1 / 3), "emergency": pytest.approx(1 / 2)}
    assert result.flagged == pytest.approx(3 / 5)
    assert result.false_alarms == pytest.approx(1 / 4)


def test_evaluation_of_a_tiny_file_by_source_and_language(tmp_path: Path) -> None:
    path = tmp_path / "tiny.csv"
    path.write_text(
        "id,text,label,source,lang\n"
        "1,I want to end it,crisis,a,en\n"
        "2,these fees are killing me,none,a,en\n"
        "3,me voy a matar,crisis,b,es\n"
        "4,me muero de risa,none,b,es\n"
        "5,hay fuego,emergency,b,es\n",
        encoding="utf-8",
    )
    rows, columns = read_urgency_rows(path)
    assert columns == ["source", "lang"]
    predicted = ["crisis", "crisis", "none", "none", "emergency"]
    table = {f.name: f for f in evaluate_urgency(rows, predicted, group_by=columns)}
    assert list(table) == ["all", "source=a", "source=b", "lang=en", "lang=es"]
    assert table["all"].recall["crisis"] == pytest.approx(0.5)
    assert table["all"].false_alarms == pytest.approx(0.5)
    assert table["source=a"].recall["crisis"] == 1.0
    assert table["source=a"].false_alarms == 1.0
    assert table["source=b"].recall == {"crisis": 0.0, "emergency": 1.0}
    assert table["source=b"].false_alarms == 0.0
    assert table["lang=en"].recall["emergency"] is None
    printed = format_figures(list(table.values()), title="tiny")
    assert printed.splitlines()[0] == "tiny" and "source=b" in printed


def test_unknown_gold_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown gold label"):
        evaluate_urgency([UrgencyRow("x", "suicide")], ["none"])


def test_shipped_head_was_trained_on_the_shipped_examples() -> None:
    """`cpps train-urgency` after editing the CSVs keeps the head in step with them."""
    from nlp.training.urgency import fingerprint, load_urgency_examples

    examples = load_urgency_examples()
    head = CategoryHead.load(DEFAULT_HEAD_PATH)
    assert head.meta["fingerprint"] == fingerprint(examples)
    assert head.meta["examples"] == len(examples)
    assert {e.label for e in examples} == set(LABELS)


def test_a_language_rule_takes_crisis_thresholds_from_that_language_only() -> None:
    from nlp.training.urgency import ThresholdRule, choose_thresholds

    # English crises score low, Spanish ones high: a Spanish-only rule must ignore the English.
    probabilities = np.array([[0.2, 0.0], [0.3, 0.0], [0.9, 0.0], [0.8, 0.0], [0.1, 0.9]])
    labels = ["crisis", "crisis", "crisis", "crisis", "emergency"]
    languages = ["en", "en", "es", "es", "en"]
    every = choose_thresholds(probabilities, labels, languages=languages, rule=ThresholdRule(1.0))
    spanish = choose_thresholds(
        probabilities,
        labels,
        languages=languages,
        rule=ThresholdRule(recall=1.0, lexicon_factor=0.7, language="es"),
    )
    assert every.crisis == 0.2
    assert spanish.crisis == 0.8
    assert spanish.crisis_with_lexicon == round(0.8 * 0.7, 4)


def test_shipped_head_is_stricter_on_spanish_crises() -> None:
    thresholds = Thresholds.per_view(CategoryHead.load(DEFAULT_HEAD_PATH))
    head = CategoryHead.load(DEFAULT_HEAD_PATH)
    spanish, english = thresholds[head.view_for("es")], thresholds[head.view_for("en")]
    assert spanish.crisis > english.crisis
    assert spanish.crisis_with_lexicon > english.crisis_with_lexicon
