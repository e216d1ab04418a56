from __future__ import annotations

from nlp.analyse import Analyser
from nlp.redaction.contact_details import text_for_classification
from nlp.types import Entity


def _span(text: str, part: str, kind: str) -> Entity:
    start = text.index(part)
    return Entity(kind, start, start + len(part))  # type: ignore[arg-type]


def test_contact_details_and_their_cues_are_removed() -> None:
    text = (
        "An officer pushed me to the ground on Water Street, badge 4471. "
        "My name is Ana Lopez, my sister's cell is (555) 201-7788."
    )
    entities = [_span(text, "Ana Lopez", "NAME"), _span(text, "(555) 201-7788", "PHONE")]
    assert (
        text_for_classification(text, entities)
        == "An officer pushed me to the ground on Water Street, badge 4471"
    )


def test_spanish_cues_and_people_inside_the_story() -> None:
    text = "Me llamo Lucía Fernández, llámame al 555 201 7788. La policía me pegó."
    entities = [_span(text, "Lucía Fernández", "NAME"), _span(text, "555 201 7788", "PHONE")]
    assert text_for_classification(text, entities) == "La policía me pegó"
    story = "Officer Diaz hit my brother John Smith in the face."
    assert (
        text_for_classification(story, [_span(story, "John Smith", "NAME")])
        == "Officer Diaz hit my brother in the face"
    )


def test_no_entities_leaves_the_text_alone() -> None:
    assert text_for_classification("Cops were rude.", []) == "Cops were rude."


def test_contact_details_do_not_change_the_category(analyser: Analyser) -> None:
    story = "An officer pushed me to the ground on Water Street, badge 4471."
    with_details = story + " My name is Ana Lopez, call me at (555) 201-7788."
    assert analyser.analyse(with_details).top_category == analyser.analyse(story).top_category


def test_officer_references_are_read_as_their_rank_word() -> None:
    from nlp.officers import find_officers

    text = "Officer Smith, badge 4471, pushed me."
    assert text_for_classification(text, [], officers=find_officers(text)) == "Officer, pushed me"
    bare = "badge 1190 was great"
    assert (
        text_for_classification(bare, [], officers=find_officers(bare)) == "the officer was great"
    )
    spanish = "placa 221 me empujó"
    assert (
        text_for_classification(spanish, [], officers=find_officers(spanish), language="es")
        == "el agente me empujó"
    )
