from __future__ import annotations

import pytest

from nlp.officers import find_officers


@pytest.mark.parametrize(
    ("text", "reference", "key"),
    [
        ("Officer J. Ramirez pushed me", "Officer J. Ramirez", "name:ramirez"),
        ("Sgt. Miller laughed", "Sgt. Miller", "name:miller"),
        ("then Det. Ana Ortiz arrived", "Det. Ana Ortiz", "name:ortiz"),
        ("el oficial Pérez me gritó", "oficial Pérez", "name:perez"),
        ("el agente López no me dejó ir", "agente López", "name:lopez"),
        ("Deputy Smith took my license", "Deputy Smith", "name:smith"),
        ("Lt. O'Brien refused", "Lt. O'Brien", "name:obrien"),
        ("his badge #4471 was covered", "badge #4471", "badge:4471"),
        ("badge number 4471", "badge number 4471", "badge:4471"),
        ("la placa 4471", "placa 4471", "badge:4471"),
        ("His badge number was 4471.", "badge number was 4471", "badge:4471"),
        ("su placa número era 318", "placa número era 318", "badge:318"),
        ("the police in car 12 followed me", "car 12", "unit:car-12"),
        ("officers from unit 3B came", "unit 3B", "unit:unit-3b"),
        ("la patrulla 12 me siguió", "patrulla 12", "unit:car-12"),
        ("squad car 7 was parked outside", "squad car 7", "unit:car-7"),
        ("OFFICER RAMÍREZ HIT ME", "OFFICER RAMÍREZ", "name:ramirez"),
        ("officer ramirez hit me", "officer ramirez", "name:ramirez"),
    ],
)
def test_finds_reference_and_key(text: str, reference: str, key: str) -> None:
    found = find_officers(text)
    assert [(o.text, o.key) for o in found] == [(reference, key)]
    assert text[found[0].start : found[0].end] == reference


def test_same_officer_in_two_reports_shares_a_key() -> None:
    first = find_officers("Officer J. Ramírez stopped us")[0]
    second = find_officers("it was officer ramirez again")[0]
    assert first.key == second.key == "name:ramirez"


def test_name_and_badge_merge_into_one_reference() -> None:
    (ref,) = find_officers("Officer J. Ramirez (badge #4471) hit me")
    assert ref.text == "Officer J. Ramirez (badge #4471)"
    assert (ref.name, ref.badge, ref.key) == ("J. Ramirez", "4471", "badge:4471")
    (ref,) = find_officers("Deputy Smith #3321")
    assert (ref.name, ref.badge) == ("Smith", "3321")


@pytest.mark.parametrize(
    "text",
    [
        "I went to the office officially",
        "the officer was rude",
        "officer told me to leave",
        "OFFICER STOPPED ME",
        "el sargento de la escuela",
        "I live in unit 3B",
        "my car 2 was towed",
        "badge",
        "the badge is 12 years old",
        "The officers officially closed the office",
        "",
    ],
)
def test_no_false_officers(text: str) -> None:
    assert find_officers(text) == []


def test_several_references_in_order() -> None:
    found = find_officers("Sgt. Miller and Det. Ana Ortiz, then patrulla 12")
    assert [o.key for o in found] == ["name:miller", "name:ortiz", "unit:car-12"]


@pytest.mark.parametrize(
    ("text", "reference", "key"),
    [
        ("when is the next meeting with Chief Warren", "Chief Warren", "name:warren"),
        ("Detective Ruiz never called back", "Detective Ruiz", "name:ruiz"),
        ("Trooper Hale wrote the ticket", "Trooper Hale", "name:hale"),
        ("el sargento Villalobos me amenazó", "sargento Villalobos", "name:villalobos"),
        ("the policía Gómez laughed", "policía Gómez", "name:gomez"),
        ("good job unit 12!! you got there fast", "unit 12", "unit:unit-12"),
        ("they tased him twice and hes cuffed. its unit 22", "unit 22", "unit:unit-22"),
        ("the cruiser 31 was parked on the sidewalk", "cruiser 31", "unit:car-31"),
    ],
)
def test_more_ranks_and_units(text: str, reference: str, key: str) -> None:
    found = find_officers(text)
    assert [(o.text, o.key) for o in found] == [(reference, key)]


@pytest.mark.parametrize(
    "text",
    [
        "police came to 612 Elm St unit 2 last night",
        "the landlord says unit 4 has to move out, I live there",
        "my boss Carlos and the jefe de la obra",
    ],
)
def test_homes_and_bosses_are_not_officers(text: str) -> None:
    assert find_officers(text) == []


def test_officers_listed_together_and_named_after_the_rank() -> None:
    found = find_officers("Officers Diaz and Kim searched us")
    assert [o.key for o in found] == ["name:diaz", "name:kim"]
    assert found[0].text == "Officers Diaz"
    found = find_officers("los agentes Pérez y Soto nos pararon")
    assert [o.key for o in found] == ["name:perez", "name:soto"]
    (ref,) = find_officers("the officer's name was Reyes")
    assert ref.key == "name:reyes"
    (ref,) = find_officers("el oficial se llamaba Soto")
    assert ref.key == "name:soto"
    assert find_officers("officers and neighbours came") == []
