from __future__ import annotations

from spacy.language import Language

from nlp.runtime.spacy_model import load_spacy


def test_loaded_once_and_trimmed_to_ner(nlp: Language) -> None:
    assert load_spacy() is nlp
    assert nlp.pipe_names == ["ner"]  # no tagger, parser, lemmatizer…: only what NER needs


def test_entities_still_found(nlp: Language) -> None:
    doc = nlp("Maria Lopez walked from Chicago to the Riverton City Hall on Monday.")
    labels = {(ent.text, ent.label_) for ent in doc.ents}
    assert ("Maria Lopez", "PERSON") in labels
    assert ("Chicago", "GPE") in labels
