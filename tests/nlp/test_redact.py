from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from spacy.language import Language

from nlp.officers import find_officers
from nlp.places import Gazetteer
from nlp.redaction.redact import Redactor, apply_redaction
from nlp.types import Entity


def redact(text: str, nlp: Language, redactor: Redactor) -> str:
    keep = [(o.start, o.end) for o in find_officers(text)]
    return apply_redaction(text, redactor.find(text, doc=nlp(text), keep=keep))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My name is Maria Lopez and I need help", "My name is [NAME] and I need help"),
        ("my name is eva and they stopped me", "my name is [NAME] and they stopped me"),
        ("me llamo Lucía Fernández", "me llamo [NAME]"),
        ("Hola, soy Marta y necesito ayuda", "Hola, soy [NAME] y necesito ayuda"),
        ("User: Šárka Ottová", "User: [NAME]"),
        ("call me at 555-123-4567 please", "call me at [PHONE] please"),
        ("llámame al 555 123 4567", "llámame al [PHONE]"),
        ("my number is (312) 555-0199", "my number is [PHONE]"),
        ("text +44 7700 900123 anytime", "text [PHONE] anytime"),
        ("email me at maria.lopez@example.com", "email me at [EMAIL]"),
        ("I live at 1234 Oak St Apt 5 in Riverton", "I live at [ADDRESS] in Riverton"),
        ("send it to PO Box 4471", "send it to [ADDRESS]"),
        ("vivo en la calle Flores 23", "vivo en la [ADDRESS]"),
        ("my zip code is 60614", "my zip code is [ADDRESS]"),
        (
            "the empty house at 419 Elm St. kids walk by",
            "the empty house at [ADDRESS] kids walk by",
        ),
        ("soy la mamá de Brayan, lo detuvieron", "soy la mamá de [NAME], lo detuvieron"),
    ],
)
def test_redacts(text: str, expected: str, nlp: Language, redactor: Redactor) -> None:
    assert redact(text, nlp, redactor) == expected


def test_officer_references_survive(nlp: Language, redactor: Redactor) -> None:
    text = (
        "Officer J. Ramirez and Sgt. Miller stopped my son Kevin Walsh. Ramirez had badge #4471 "
        "and drove car 12. Call me at 312-555-0199."
    )
    redacted = redact(text, nlp, redactor)
    for kept in ("Officer J. Ramirez", "Sgt. Miller", "Ramirez had", "badge #4471", "car 12"):
        assert kept in redacted
    assert "Kevin" not in redacted and "Walsh" not in redacted
    assert "[PHONE]" in redacted


def test_facts_are_kept(nlp: Language, redactor: Redactor) -> None:
    text = (
        "On March 3rd at 11pm near City Hall in Riverton, two officers from Riverton Police "
        "Department stopped us on Water Street in District 2. Case number 2023-45678."
    )
    assert redact(text, nlp, redactor) == text


def test_other_mentions_of_a_name_are_redacted(nlp: Language, redactor: Redactor) -> None:
    redacted = redact("My name is Jožef Albin. Later Albin called again.", nlp, redactor)
    assert "Albin" not in redacted and "Jožef" not in redacted


def test_entities_do_not_overlap_and_hold_no_text(nlp: Language, redactor: Redactor) -> None:
    text = "Maria Lopez, 1234 Oak St, 555-123-4567, maria@example.com"
    entities = redactor.find(text, doc=nlp(text))
    assert [e.type for e in entities] == ["NAME", "ADDRESS", "PHONE", "EMAIL"]
    for before, after in itertools.pairwise(entities):
        assert before.end <= after.start


def test_apply_redaction_ignores_overlapping_input() -> None:
    text = "abc def ghi"
    entities = [Entity("NAME", 0, 7), Entity("PHONE", 4, 11)]
    assert apply_redaction(text, entities) == "[NAME] ghi"
    assert apply_redaction(text, []) == text


ROBUSTNESS = [
    "",
    "   \n\t ",
    "👍🙏😡🚓",
    "\x00\x07\x1b[31m control \x7f",
    "MY NAME IS MARIA LOPEZ CALL ME 555 123 4567",
    "no punctuation at all my name is jose i live at 12 oak street call 5551234567",
    "The officer said hola, me llamo Ana, and I said I live at 12 Oak St",
    "a" * 5000,
    ("Officer Smith stopped me. My name is Dana Reyes, call 312-555-0199. " * 300)[:20000],
]


@pytest.mark.parametrize("text", ROBUSTNESS)
def test_robust_to_odd_input(text: str, nlp: Language, redactor: Redactor) -> None:
    keep = [(o.start, o.end) for o in find_officers(text)]
    entities = redactor.find(text, doc=nlp(text), keep=keep)
    for entity in entities:
        assert 0 <= entity.start < entity.end <= len(text)
    redacted = apply_redaction(text, entities)
    if "312-555-0199" in text:
        assert "312-555-0199" not in redacted and "Dana" not in redacted
    if "MARIA" in text:
        assert "MARIA" not in redacted and "4567" not in redacted


def test_thread_safe(nlp: Language, redactor: Redactor) -> None:
    texts = [f"My name is Maria Lopez, call me at 312-555-01{i:02d}" for i in range(40)]
    serial = [redactor.find(t, doc=nlp(t)) for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda t: redactor.find(t, doc=nlp(t)), texts))
    assert parallel == serial
    assert all({e.type for e in found} == {"NAME", "PHONE"} for found in serial)


@pytest.mark.parametrize(
    "text",
    [
        "I called 911. Nobody came.",
        "Please consider a 4 way stop at this corner.",
        "He was assigned to the Traffic District in the 5th.",
        "Cars come fast down Adams St and Dorchester Ave every day.",
        "There was a game called try to get out.",
        "WARNING GRAPHIC video of the Domestic Violence Hotline call.",
        "They waited 20 minutes down the road.",
        "They stopped us at the 300 block of Summer Street.",
    ],
)
def test_prose_is_not_redacted(text: str, nlp: Language, redactor: Redactor) -> None:
    assert redact(text, nlp, redactor) == text


@pytest.fixture(scope="module")
def city_redactor(riverton: Gazetteer) -> Redactor:
    return Redactor(default_region="US", gazetteer=riverton, place_names=["Riverton"])


def redact_in_city(text: str, nlp: Language, redactor: Redactor) -> str:
    keep = [(o.start, o.end) for o in find_officers(text)]
    return apply_redaction(text, redactor.find(text, doc=nlp(text), keep=keep))


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("they stopped me because I'm Black", "I'm Black"),
        ("I'm Muslim and they searched my bag twice", "I'm Muslim"),
        ("I'm Asian and the officer mocked my accent", "I'm Asian"),
        ("me detuvieron por ser moreno", "me detuvieron por ser moreno"),
        ("me pararon por ser morena y latina", "por ser morena y latina"),
        ("somos musulmanes y mi hija usa el velo", "somos musulmanes y mi hija usa el velo"),
        ("a mi hermano le dijeron negro en la estación", "le dijeron negro"),
        ("soy indocumentado y tengo miedo de reportar", "soy indocumentado"),
        ("mi papá es sordo y no le entendieron", "es sordo"),
        ("they called my neighbors illegals because they're Latinos", "they're Latinos"),
        ("im trans and the officer kept calling me sir", "im trans"),
        ("I'm gay and Latinx, the cop laughed", "I'm gay and Latinx"),
        ("my mom is 62 years old and only speaks Spanish", "62 years old and only speaks Spanish"),
        ("mi hija de 17 años es asiática", "de 17 años es asiática"),
        ("I'm Christian and I'm Haitian", "I'm Christian and I'm Haitian"),
    ],
)
def test_protected_characteristics_are_never_redacted(
    text: str, kept: str, nlp: Language, city_redactor: Redactor
) -> None:
    redacted = redact_in_city(text, nlp, city_redactor)
    assert kept in redacted, redacted


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("a cop hit a woman in front of the Riverton library", "the Riverton library"),
        ("they searched my son outside Roosevelt school", "Roosevelt school"),
        ("lo esposaron en la escuela Roosevelt", "escuela Roosevelt"),
        ("two officers were at the Walgreens again", "Walgreens"),
        ("the meeting at City Hall was a joke", "City Hall"),
        ("they chased him past the 7-Eleven on Main", "7-Eleven on Main"),
        ("speeding on Cedar Street and in Millbrook every night", "Cedar Street"),
        ("the speeding on Oak is bad, and at 5th and Grand too", "on Oak"),
        ("cars race down Harlan at night", "down Harlan"),
        ("the Lincoln High parking lot has no lights", "Lincoln High"),
        ("atrás de la tienda La Michoacana asaltaron a dos señoras", "tienda La Michoacana"),
        ("acabo de llegar a Riverton con mis hijos", "a Riverton"),
    ],
)
def test_public_places_are_kept(
    text: str, kept: str, nlp: Language, city_redactor: Redactor
) -> None:
    redacted = redact_in_city(text, nlp, city_redactor)
    assert kept in redacted, redacted
    assert "[NAME]" not in redacted


def test_a_name_next_to_a_protected_term_is_still_redacted(
    nlp: Language, city_redactor: Redactor
) -> None:
    redacted = redact_in_city(
        "Maria, who is Black, was pulled over on Oak St. Call me, Maria Lopez.",
        nlp,
        city_redactor,
    )
    assert "Maria" not in redacted and "Lopez" not in redacted
    assert "who is Black" in redacted and "on Oak St" in redacted


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Officer Diaz stopped Alyssa Moreno and me", "Moreno"),
        ("Christian Ortiz was stopped again", "Christian"),
        ("my neighbor Mrs. White saw it all", "White"),
        ("mi vecina Blanca Ruiz lo vio todo", "Blanca"),
    ],
)
def test_a_surname_that_is_also_a_protected_word_is_redacted(
    text: str, name: str, nlp: Language, city_redactor: Redactor
) -> None:
    assert name not in redact_in_city(text, nlp, city_redactor)


def test_street_address_with_a_number_is_redacted_but_the_street_as_a_place_is_kept(
    nlp: Language, city_redactor: Redactor
) -> None:
    redacted = redact_in_city(
        "I live at 1720 Water Street. The stop was on Water Street near Front Street.",
        nlp,
        city_redactor,
    )
    assert "1720" not in redacted and "[ADDRESS]" in redacted
    assert "on Water Street near Front Street" in redacted


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("Officer Smith, badge 4471, pushed my son Kevin", "Officer Smith, badge 4471", "Kevin"),
        ("Sgt. Ramirez laughed at my sister Tamara", "Sgt. Ramirez", "Tamara"),
        (
            "el oficial Pérez, placa 2231, empujó a mi hijo Mateo",
            "oficial Pérez, placa 2231",
            "Mateo",
        ),
        ("Chief Warren never answered my emails, Dana Whitfield", "Chief Warren", "Whitfield"),
        ("Deputy Harlan and Detective Ruiz came in car 12", "Detective Ruiz came in car 12", ""),
    ],
)
def test_officers_are_kept_and_residents_redacted(
    text: str, kept: str, gone: str, nlp: Language, city_redactor: Redactor
) -> None:
    redacted = redact_in_city(text, nlp, city_redactor)
    assert kept in redacted, redacted
    if gone:
        assert gone not in redacted, redacted


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("my roommate Jess says she is going to hurt herself", "Jess"),
        ("mi vecina Lupita Herrera vio todo", "Lupita"),
        ("the case worker at the shelter, Marisol, helped me", "Marisol"),
        ("Carly is her name and she lives alone", "Carly"),
        ("this is Tre 555-0182", "555-0182"),
    ],
)
def test_names_introduced_by_a_relation_are_redacted(
    text: str, gone: str, nlp: Language, city_redactor: Redactor
) -> None:
    assert gone not in redact_in_city(text, nlp, city_redactor)


@pytest.mark.parametrize(
    "text",
    [
        "my grandpa fell and he isnt breathing",
        "se fundió la luz de la calle en la esquina",
        "Queremos pedir más luz. Necesito ayuda con la renta",
        "can we get summer jobs for teens funded again",
    ],
)
def test_everyday_words_are_not_names(text: str, nlp: Language, city_redactor: Redactor) -> None:
    assert redact_in_city(text, nlp, city_redactor) == text
