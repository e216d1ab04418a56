from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from spacy.language import Language

from nlp.officers import find_officers
from nlp.redact import Redactor, apply_redaction
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
