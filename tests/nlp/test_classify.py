from __future__ import annotations

import csv
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nlp.classify import CategoryHead, Classifier, LinearView
from nlp.neighbours import NeighbourVote
from nlp.runtime.encoders import MINILM_ID, USE_ID
from tests.nlp.fakes import HashingEncoder

LABELS = ("apples", "bikes", "other")


def _head(threshold: float = 0.5) -> CategoryHead:
    rng = np.random.default_rng(0)
    return CategoryHead(
        labels=LABELS,
        views={
            "en": LinearView(
                (MINILM_ID,),
                rng.normal(size=(64, 3)).astype(np.float32),
                np.zeros(3, np.float32),
                1.5,
            ),
            "es": LinearView(
                (USE_ID,), rng.normal(size=(64, 3)).astype(np.float32), np.zeros(3, np.float32), 0.7
            ),
        },
        language_views={"en": "en", "es": "es"},
        default_view="en",
        triage_threshold=threshold,
        meta={"note": "test"},
    )


def _classifier(threshold: float = 0.5) -> tuple[Classifier, HashingEncoder, HashingEncoder]:
    minilm, use = HashingEncoder(MINILM_ID), HashingEncoder(USE_ID)
    return Classifier(head=_head(threshold), encoders={MINILM_ID: minilm, USE_ID: use}), minilm, use


def test_head_round_trips_through_npz(tmp_path: Path) -> None:
    head = _head()
    path = tmp_path / "head.npz"
    head.save(path)
    loaded = CategoryHead.load(path)
    assert loaded.labels == head.labels
    assert loaded.triage_threshold == head.triage_threshold
    assert loaded.language_views == head.language_views
    assert loaded.meta == {"note": "test"}
    for name, view in head.views.items():
        assert loaded.views[name].encoder_ids == view.encoder_ids
        assert loaded.views[name].temperature == view.temperature
        np.testing.assert_allclose(loaded.views[name].weights, view.weights)


def test_scores_are_ranked_probabilities_over_the_head_labels() -> None:
    classifier, _, _ = _classifier()
    [(scores, _)] = classifier.predict(["my bike was stolen"], languages=["en"])
    assert {s.label for s in scores} == set(LABELS)
    values = [s.score for s in scores]
    assert values == sorted(values, reverse=True)
    assert sum(values) == pytest.approx(1.0, abs=1e-3)


def test_language_selects_the_view_and_its_encoder() -> None:
    classifier, minilm, use = _classifier()
    classifier.predict(["hola amigos"], languages=["es"])
    assert (minilm.calls, use.calls) == (0, 1)
    classifier.predict(["hello friends"], languages=["en"])
    assert (minilm.calls, use.calls) == (1, 1)
    # A language without its own view falls back to the default view.
    classifier.predict(["bonjour"], languages=["fr"])
    assert minilm.calls == 2


def test_precomputed_embeddings_skip_the_encoder() -> None:
    classifier, minilm, _ = _classifier()
    texts = ["apples and pears", "a red bike"]
    direct = classifier.predict(texts, languages=["en", "en"])
    embeddings = {MINILM_ID: HashingEncoder(MINILM_ID).encode(texts)}
    calls_before = minilm.calls
    reused = classifier.predict(texts, languages=["en", "en"], embeddings=embeddings)
    assert minilm.calls == calls_before
    assert reused == direct


def test_triage_follows_the_threshold() -> None:
    never, _, _ = _classifier(threshold=0.0)
    always, _, _ = _classifier(threshold=1.01)
    text = ["some words about apples"]
    assert never.predict(text, languages=["en"])[0][1] is False
    assert always.predict(text, languages=["en"])[0][1] is True


def test_leaning_to_a_label_moves_that_share_of_the_evidence() -> None:
    classifier, _, _ = _classifier(threshold=0.6)
    [prediction] = classifier.predict(["some words about apples"], languages=["en"])
    before = {c.label: c.score for c in prediction[0]}
    leaned, triage = classifier.leaning_to(prediction, "bikes", weight=0.5)
    after = {c.label: c.score for c in leaned}
    assert after["bikes"] == pytest.approx(0.5 * before["bikes"] + 0.5, abs=1e-3)
    assert after["apples"] == pytest.approx(0.5 * before["apples"], abs=1e-3)
    assert leaned[0].label == "bikes" and [c.score for c in leaned] == sorted(
        (c.score for c in leaned), reverse=True
    )
    assert triage is (leaned[0].score < 0.6)
    # No story stays uncategorised; a label the head does not know changes nothing.
    assert classifier.leaning_to(((), True), "bikes", weight=0.5) == ((), True)
    assert classifier.leaning_to(prediction, "pears", weight=0.5) == prediction


@pytest.mark.parametrize(
    "text", ["", "   \n\t", "😀🙏🔥", "https://bit.ly/3xYz9", "a" * 2000, "jajaja", "ok"]
)
def test_input_with_no_story_gets_no_category_and_is_triaged(text: str) -> None:
    classifier, minilm, _ = _classifier(threshold=0.0)
    [(scores, triage)] = classifier.predict([text], languages=["en"])
    assert triage is True
    assert scores == ()
    assert minilm.calls == 0


def test_short_texts_blend_in_the_short_view() -> None:
    minilm, use = HashingEncoder(MINILM_ID), HashingEncoder(USE_ID)
    base = _head(threshold=0.0)
    short_view = LinearView(
        (MINILM_ID, USE_ID), np.zeros((128, 3), np.float32), np.array([9.0, 0.0, 0.0], np.float32)
    )
    head = CategoryHead(
        labels=base.labels,
        views={**base.views, "short": short_view},
        language_views=base.language_views,
        default_view=base.default_view,
        triage_threshold=0.0,
        short_views={"en": "short"},
        short_chars=20,
        short_weight=1.0,
    )
    classifier = Classifier(head=head, encoders={MINILM_ID: minilm, USE_ID: use})
    short, long_text = "my bike was stolen", "my bike was stolen from the rack outside the library"
    [(short_scores, _), (long_scores, _)] = classifier.predict(
        [short, long_text], languages=["en", "en"]
    )
    # The short view (weight 1) always says "apples"; the long text never sees it.
    assert short_scores[0].label == "apples" and short_scores[0].score > 0.99
    plain = Classifier(
        head=base, encoders={MINILM_ID: HashingEncoder(MINILM_ID), USE_ID: HashingEncoder(USE_ID)}
    )
    assert long_scores == plain.predict([long_text], languages=["en"])[0][0]
    # Each encoder ran once per text, though the short text went through two views.
    assert (minilm.calls, use.calls) == (1, 1)
    # Spanish has no short view: its view alone decides.
    classifier.predict(["mi bici"], languages=["es"])
    assert use.calls == 2


def _with_neighbours(weight: float) -> tuple[CategoryHead, HashingEncoder]:
    """The test head plus a short view saying nothing and written examples that vote."""
    use = HashingEncoder(USE_ID)
    base = _head(threshold=0.0)
    examples = ["my bike chain was cut", "rotten apples at the market", "bikes stolen again"]
    votes = NeighbourVote(
        encoder_id=USE_ID,
        embeddings=use.encode(examples),
        targets=np.array([1, 0, 1]),  # bikes, apples, bikes
        k=2,
        temperature=0.05,
    )
    flat = LinearView((MINILM_ID, USE_ID), np.zeros((128, 3), np.float32), np.zeros(3, np.float32))
    head = CategoryHead(
        labels=base.labels,
        views={**base.views, "short": flat},
        language_views=base.language_views,
        default_view=base.default_view,
        triage_threshold=0.0,
        short_views={"en": "short"},
        short_chars=40,
        short_weight=0.0,
        neighbours=votes,
        neighbour_weight=weight,
    )
    return head, use


def test_short_texts_hear_the_nearest_examples_vote(tmp_path: Path) -> None:
    head, use = _with_neighbours(weight=1.0)
    classifier = Classifier(head=head, encoders={MINILM_ID: HashingEncoder(MINILM_ID), USE_ID: use})
    use.calls = 0  # the examples were encoded to build the head
    [(scores, _)] = classifier.predict(["rotten apples at the market"], languages=["en"])
    # The identical example outvotes its less similar neighbour (temperature 0.05).
    assert scores[0].label == "apples" and scores[0].score > 0.99
    # Each encoder still ran once per text, though USE served the short view and the vote.
    assert use.calls == 1
    # Without weight the vote changes nothing.
    silent, _ = _with_neighbours(weight=0.0)
    plain = Classifier(head=silent, encoders={MINILM_ID: HashingEncoder(MINILM_ID), USE_ID: use})
    [(unvoted, _)] = plain.predict(["rotten apples at the market"], languages=["en"])
    assert unvoted[0].score < 0.99
    # The vote survives the file.
    head.save(tmp_path / "head.npz")
    loaded = CategoryHead.load(tmp_path / "head.npz")
    assert loaded.neighbours is not None and loaded.neighbour_weight == 1.0
    np.testing.assert_allclose(loaded.neighbours.embeddings, votes_of(head), atol=1e-3)
    reloaded = Classifier(head=loaded, encoders={MINILM_ID: HashingEncoder(MINILM_ID), USE_ID: use})
    assert reloaded.predict(["rotten apples at the market"], languages=["en"])[0][0] == scores


def test_narratives_blend_in_a_second_view(tmp_path: Path) -> None:
    """A narrative (at least `narrative_chars`) hears the second view with its weight; a
    shorter text and a language without a second view never do."""
    base = _head(threshold=0.0)
    # The second view always says "bikes" (index 1), whatever it reads.
    second = LinearView((USE_ID,), np.zeros((64, 3), np.float32), np.array([0.0, 9.0, 0.0]))
    head = replace(
        base,
        views={**base.views, "second": second},
        narrative_views={"en": "second"},
        narrative_chars=40,
        narrative_weight=0.5,
    )
    narrative = "my bike was stolen from the rack outside the library on Tuesday"
    short = "rotten apples at the market"
    use = HashingEncoder(USE_ID)
    classifier = Classifier(head=head, encoders={MINILM_ID: HashingEncoder(MINILM_ID), USE_ID: use})
    plain = Classifier(
        head=base, encoders={MINILM_ID: HashingEncoder(MINILM_ID), USE_ID: HashingEncoder(USE_ID)}
    )
    [(blended, _), (same, _)] = classifier.predict([narrative, short], languages=["en", "en"])
    [(alone, _), (short_alone, _)] = plain.predict([narrative, short], languages=["en", "en"])
    first = {s.label: s.score for s in alone}
    expected = {label: 0.5 * first[label] for label in first}
    expected["bikes"] += 0.5 * 0.9997  # softmax of (0, 9, 0): 0.99975 for "bikes"
    assert {s.label: s.score for s in blended} == pytest.approx(expected, abs=2e-3)
    assert same == short_alone
    assert use.calls == 1  # only the narrative was read by the second view's encoder
    # Spanish has no second view: a Spanish narrative reads as before.
    spanish = "me robaron la bicicleta del estacionamiento frente a la biblioteca el martes"
    assert classifier.predict([spanish], languages=["es"]) == plain.predict(
        [spanish], languages=["es"]
    )
    # The blend survives the file.
    head.save(tmp_path / "head.npz")
    loaded = CategoryHead.load(tmp_path / "head.npz")
    assert (loaded.narrative_views, loaded.narrative_chars, loaded.narrative_weight) == (
        {"en": "second"},
        40,
        0.5,
    )


def votes_of(head: CategoryHead) -> np.ndarray:
    assert head.neighbours is not None
    return head.neighbours.embeddings


def test_mismatched_languages_raise() -> None:
    classifier, _, _ = _classifier()
    with pytest.raises(ValueError):
        classifier.predict(["a", "b"], languages=["en"])


def test_empty_batch_returns_nothing() -> None:
    classifier, _, _ = _classifier()
    assert classifier.predict([], languages=[]) == []


# --- the shipped head with the real encoders -------------------------------------------------

SPANISH_CHECK = Path(__file__).parent / "data" / "routing_check_es.csv"


@pytest.mark.slow
def test_shipped_head_routes_the_spanish_check_set(default_classifier: Classifier) -> None:
    with SPANISH_CHECK.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    predictions = default_classifier.predict(
        [r["text"] for r in rows], languages=["es"] * len(rows)
    )
    correct = sum(p[0][0].label == r["category"] for p, r in zip(predictions, rows, strict=True))
    # Written separately from the training examples; the benchmark prints the full report.
    assert correct / len(rows) >= 0.7


@pytest.mark.slow
def test_shipped_head_labels_come_from_the_default_taxonomy(
    default_classifier: Classifier,
) -> None:
    from nlp.types import DEFAULT_CATEGORIES

    assert set(default_classifier.head.labels) == set(DEFAULT_CATEGORIES)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The cop slammed my head on the hood and broke my nose", "use_of_force"),
        ("Thank you to the officers who found my lost daughter", "praise"),
        ("Streetlight out on Maple for two weeks, whole block is dark", "neighborhood_safety"),
        ("Move money from the police budget to housing and mental health", "funding_priorities"),
        ("I got evicted and I'm sleeping in my car, where is a shelter", "social_services"),
    ],
)
def test_shipped_head_routes_plain_english_reports(
    default_classifier: Classifier, text: str, expected: str
) -> None:
    [(scores, _)] = default_classifier.predict([text], languages=["en"])
    assert scores[0].label == expected


@pytest.mark.slow
def test_shipped_head_handles_awkward_input(default_classifier: Classifier) -> None:
    texts = [
        "",
        "   ",
        "🙏🙏🙏",
        "THE OFFICER CURSED AT ME AND REFUSED TO GIVE HIS BADGE NUMBER!!!",
        "police " * 4000,  # ~28,000 characters
        "x" * 20000,
    ]
    predictions = default_classifier.predict(texts, languages=["en", "en", "en", "en", "en", "es"])
    assert len(predictions) == len(texts)
    for (scores, triage), text in zip(predictions, texts, strict=True):
        if text.strip("x 🙏"):
            assert sum(s.score for s in scores) == pytest.approx(1.0, abs=1e-2)
        else:  # no story: no category, a human decides
            assert scores == () and triage
    assert predictions[3][0][0].label == "officer_misconduct"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("cop pushed me", "en", "use_of_force"),
        ("they searched my car for no reason", "en", "stop_search_arrest"),
        ("officer was rude", "en", "officer_misconduct"),
        ("el policía me empujó", "es", "use_of_force"),
        ("me revisaron el carro sin razón", "es", "stop_search_arrest"),
        ("Officer, pushed me", "en", "use_of_force"),
        ("thank you officer, you were so kind to my son", "en", "praise"),
        ("gracias oficial, fue muy amable con mi mamá", "es", "praise"),
    ],
)
def test_shipped_head_routes_one_line_messages(
    default_classifier: Classifier, text: str, language: str, expected: str
) -> None:
    [(scores, _)] = default_classifier.predict([text], languages=[language])
    assert scores[0].label == expected


@pytest.mark.slow
@pytest.mark.parametrize("text", ["https://bit.ly/3xYz9", "a" * 2000, "asdkjh zxmcnv", "👍👍"])
def test_shipped_head_gives_no_category_to_texts_without_a_story(
    default_classifier: Classifier, text: str
) -> None:
    assert default_classifier.predict([text], languages=["en"]) == [((), True)]


@pytest.mark.slow
def test_shipped_classifier_is_thread_safe(default_classifier: Classifier) -> None:
    texts = ["cops searched my car without a warrant", "quiero una vivienda, no tengo casa"]
    langs = ["en", "es"]
    expected = default_classifier.predict(texts, languages=langs)
    results: list[object] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                results.append(default_classifier.predict(texts, languages=langs))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(r == expected for r in results)
