"""spaCy's stop-word lists, read without importing spaCy, are spaCy's lists."""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS as SPACY_ENGLISH
from spacy.lang.es.stop_words import STOP_WORDS as SPACY_SPANISH

from nlp import stop_words
from nlp.textnorm import fold


def test_the_lists_are_spacys() -> None:
    assert stop_words.ENGLISH == SPACY_ENGLISH
    assert stop_words.SPANISH == SPACY_SPANISH


def test_folded_holds_both_lists_folded() -> None:
    assert {"the", "nothing", "ademas", "tambien"} <= stop_words.FOLDED
    assert all(word == fold(word) for word in stop_words.FOLDED)
