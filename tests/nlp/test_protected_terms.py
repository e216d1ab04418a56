from __future__ import annotations

import pytest

from nlp.redaction.protected_terms import find_protected, vocabulary
from nlp.redaction.public_places import find_public_places


def found(text: str) -> list[str]:
    return [text[t.start : t.end] for t in find_protected(text)]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("because I'm Black", "Black"),
        ("they're Latinos", "Latinos"),
        ("she is Latina", "Latina"),
        ("por ser moreno", "moreno"),
        ("son morenas", "morenas"),
        ("le dijeron negra", "negra"),
        ("mis vecinos asiáticos", "asiáticos"),
        ("una señora musulmana", "musulmana"),
        ("somos MUSULMANES", "MUSULMANES"),
        ("soy indocumentada", "indocumentada"),
        ("my deaf son", "deaf"),
        ("en silla de ruedas", "silla de ruedas"),
        ("a non-binary teen", "non-binary"),
        ("no tengo papeles", "no tengo papeles"),
        ("only speaks Spanish", "Spanish"),
        ("solo habla inglés", "inglés"),
        ("he is from Honduras", "Honduras"),
        ("my grandma is 74", "is 74"),
        ("he is 62 years old", "is 62 years old"),
        ("a 62-year-old man", "62-year-old"),
        ("mi hija de 17 años", "17 años"),
    ],
)
def test_terms_and_their_forms(text: str, term: str) -> None:
    assert term in found(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Maria Black called", "Black"),
        ("Mrs. White saw it", "White"),
        ("Christian Ortiz was there", "Christian"),
    ],
)
def test_surnames_and_given_names_are_not_terms(text: str, name: str) -> None:
    assert name not in found(text)


def test_a_surname_is_a_name_everywhere_in_the_text() -> None:
    assert found("Maria Black came. Later Black said hi. I'm Black too") == []


@pytest.mark.parametrize(
    "text", ["call 555-123-4567", "at 3 pm", "is 5 blocks away", "I'm 2 hrs away"]
)
def test_numbers_that_are_not_ages(text: str) -> None:
    assert found(text) == []


def test_vocabulary_has_generated_forms() -> None:
    lexicon = vocabulary()
    for form in ("moreno", "morena", "morenos", "morenas", "musulman", "musulmanes", "latinos"):
        assert (form,) in lexicon


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("in front of the Riverton library", "Riverton library"),
        ("en la escuela Roosevelt", "escuela Roosevelt"),
        ("by the 7-Eleven on Main", "7-Eleven"),
        ("speeding on Oak", "Oak"),
        ("at 5th and Grand", "5th and Grand"),
        ("on Water St", "Water St"),
    ],
)
def test_public_places(text: str, place: str) -> None:
    spans = find_public_places(text, doc=None).strong
    assert place in [text[a:b] for a, b in spans]


@pytest.mark.parametrize(
    "text",
    [
        "I live at 1720 Water St",
        "my son Kevin's school",
        "at Okonkwo's house",
        "near Marcus",
        "my friend Tyler James Hall was arrested",
    ],
)
def test_homes_and_people_are_not_public_places(text: str) -> None:
    spans = find_public_places(text, doc=None).strong
    assert not any(
        text[a:b] in ("Water St", "Kevin's school", "Okonkwo's", "Marcus", "Tyler James Hall")
        for a, b in spans
    )
