"""Check-in texts: both languages, the same placeholders, within 2 SMS segments."""

from __future__ import annotations

import pytest

from flows.checkins.schedule import CHOICES, answer_label, render_checkin, valid_choice
from flows.city import load_city_config
from flows.conversation.catalog import load_catalog, placeholders
from flows.handling.segments import count_segments

CATALOG = load_catalog()
LONGEST_DESTINATION = max((d.name for d in load_city_config().destinations), key=len)


CHECKIN_PLACEHOLDERS = {
    "checkin_contacted": {"destination", "ref"},
    "checkin_satisfaction": {"ref"},
    "checkin_resolution": {"ref", "note"},
    "checkin_resolution_note": {"ref", "note"},
    "checkin_resolution_question": {"ref"},
}


def test_the_catalogue_has_every_check_in_message_with_its_placeholders() -> None:
    for lang in CATALOG.languages:
        for key, expected in CHECKIN_PLACEHOLDERS.items():
            assert placeholders(CATALOG.messages[lang][key]) == expected, (lang, key)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", ["contacted", "satisfaction", "resolution"])
def test_each_check_in_fits_two_segments(kind: str, language: str) -> None:
    texts = render_checkin(
        kind,
        catalog=CATALOG,
        language=language,
        ref="R-7KQ2",
        destination=LONGEST_DESTINATION,
        note="An officer will contact you this week.",
    )
    assert len(texts) == 1
    assert count_segments(texts[0]) <= 2, texts[0]
    assert "R-7KQ2" in texts[0]


def test_the_contacted_check_in_names_the_destination_in_the_readers_language() -> None:
    [en] = render_checkin(
        "contacted", catalog=CATALOG, language="en", ref="R-7KQ2", destination="Triage Desk"
    )
    [es] = render_checkin(
        "contacted", catalog=CATALOG, language="es", ref="R-7KQ2", destination="Triage Desk"
    )
    assert en.startswith("Has anyone from Triage Desk") and "1 = yes, 2 = no" in en
    assert es.startswith("Su reporte R-7KQ2 fue enviado a: Triage Desk. ¿Alguien de esa oficina")


def test_a_long_resolution_note_goes_first_then_the_question() -> None:
    note = "We met the district commander and reviewed the footage. " * 6
    note_text, question = render_checkin(
        "resolution", catalog=CATALOG, language="en", ref="R-7KQ2", note=note.strip()
    )
    assert note.strip() in note_text
    assert question == "Did this resolve your report R-7KQ2? Reply 1 = yes, 2 = no."
    assert count_segments(question) <= 2


def test_all_other_messages_fit_two_segments() -> None:
    for lang in CATALOG.languages:
        for key in ("checkin_thanks", "checkin_added", "checkin_resolution_question"):
            assert count_segments(CATALOG.render(key, lang, ref="R-7KQ2")) <= 2


def test_answers_are_read_per_kind() -> None:
    assert valid_choice("contacted", 1) == 1 and valid_choice("contacted", 3) is None
    assert valid_choice("satisfaction", 5) == 5 and valid_choice("satisfaction", 6) is None
    assert valid_choice("satisfaction", None) is None
    assert valid_choice("resolution", 0) is None
    assert answer_label("contacted", 2) == "no"
    assert answer_label("satisfaction", 4) == "4/5"
    assert set(CHOICES) == {"contacted", "satisfaction", "resolution"}
