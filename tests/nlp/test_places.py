from __future__ import annotations

import pytest
from spacy.language import Language

from nlp.places import Gazetteer, find_places, match_district


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("Milbrook Ave", "d1"),
        ("by the Millbrook park", "d1"),
        ("it was on Kesler Road", "d1"),
        ("las flores", "d3"),
        ("eastgate", "d3"),
        ("EASTGATE", "d3"),
        ("near city hall", "d2"),
        ("on Front St by the pier", "d2"),
        ("vivo en la calle Flores 23", "d3"),
        ("en la avenida Juarez", "d3"),
        ("Juárez Ave", "d3"),
        ("south side", "d4"),
        ("distrito 2", "d2"),
        ("District 4", "d4"),
        ("by Brickyard Rec Center", "d4"),
        ("Oak St and 5th", "d4"),
        ("Pinecrest Elementry", "d3"),
    ],
)
def test_match_district(text: str, district: str, riverton: Gazetteer) -> None:
    assert match_district(text, gazetteer=riverton) == district


@pytest.mark.parametrize(
    "text",
    [
        "oak",
        "the front door was open",
        "water everywhere",
        "they parked at the mill",
        "hill street",
        "I was at the mall",
        "at the park",
        "nothing to do with places",
        "",
        "🚓🚓",
        "my oak tree",
        "city",
    ],
)
def test_no_false_districts(text: str, riverton: Gazetteer) -> None:
    assert match_district(text, gazetteer=riverton) is None


def test_most_mentions_win(riverton: Gazetteer) -> None:
    text = "I live in Millbrook but it happened on Water Street by Union Station near City Hall"
    assert match_district(text, gazetteer=riverton) == "d2"


def test_find_places_with_spacy(nlp: Language, riverton: Gazetteer) -> None:
    text = "They stopped me on Milbrook Ave after I drove in from Chicago."
    mentions, district = find_places(text, doc=nlp(text), gazetteer=riverton)
    assert district == "d1"
    assert [(m.text, m.district) for m in mentions] == [("Milbrook Ave", "d1"), ("Chicago", None)]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text


def test_find_places_leaves_out_redacted_spans(nlp: Language, riverton: Gazetteer) -> None:
    text = "They came to my house in Chicago."
    start = text.index("Chicago")
    mentions, district = find_places(
        text, doc=nlp(text), gazetteer=riverton, redacted=[(start, start + 7)]
    )
    assert mentions == [] and district is None


def test_find_places_without_doc(riverton: Gazetteer) -> None:
    mentions, district = find_places("near city hall", doc=None, gazetteer=riverton)
    assert district == "d2" and [m.text for m in mentions] == ["city hall"]
