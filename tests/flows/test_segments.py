"""SMS segment counting against the GSM 03.38 table and the UCS-2 limits."""

from __future__ import annotations

import pytest

from flows.city import CityConfig
from flows.handling.segments import count_segments, encoding, gsm7_friendly


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, world!", "GSM-7"),
        ("¿Dónde?", "UCS-2"),  # ó is not in GSM-7
        ("¿Qué pasó?", "UCS-2"),
        ("¡Señor! ¿Qué? Ñandú", "UCS-2"),  # ú
        ("¡Señor! ¿Qué? Ñoño, pingüino, à la", "GSM-7"),  # é ñ Ñ ü à ¿ ¡ are GSM-7
        ("Café", "GSM-7"),
        ("Línea", "UCS-2"),
        ("más", "UCS-2"),
        ("the €5 fee [sic] {x} ~ ^ | \\", "GSM-7"),  # extension table
        ("curly “quotes”", "UCS-2"),
        ("It’s", "UCS-2"),  # the typographic apostrophe phones insert
        ("😀", "UCS-2"),
        ("tab\there", "UCS-2"),  # tab is not in GSM 03.38
        ("`backtick`", "UCS-2"),
        ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?§Ä", "GSM-7"),
    ],
)
def test_encoding(text: str, expected: str) -> None:
    assert encoding(text) == expected


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 0),
        ("a", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 459, 3),
        ("€" * 80, 1),  # 160 septets
        ("€" * 81, 2),
        ("a" * 159 + "€", 2),  # 161 septets
        ("a" * 152 + "€" + "a" * 152, 3),  # the escape pair may not straddle two segments
        ("a" * 151 + "€" + "a" * 153, 2),
        ("á" * 70, 1),
        ("á" * 71, 2),
        ("á" * 134, 2),
        ("á" * 135, 3),
        ("a" * 133 + "á", 2),  # one accent makes a 134-character text UCS-2
        ("😀" * 35, 1),  # 70 UTF-16 code units
        ("😀" * 36, 2),
        ("a" * 66 + "😀" + "a" * 66, 3),  # a surrogate pair is not split: 66 + 2 > 67
        ("a" * 65 + "😀" + "a" * 67, 2),
    ],
)
def test_count_segments(text: str, segments: int) -> None:
    assert count_segments(text) == segments


def test_one_accent_changes_the_budget_of_a_spanish_text() -> None:
    gsm = "¿En qué lugar fue? " * 8  # 152 characters; é and ¿ keep it GSM-7
    ucs = gsm[:-1] + "ó"  # same length, one ó
    assert len(gsm) == len(ucs) == 152
    assert count_segments(gsm) == 1
    assert count_segments(ucs) == 3


def test_names_keep_their_accents_but_texts_stay_gsm7(city: CityConfig) -> None:
    """The city file writes "Supervisión"; the text a resident gets stays in GSM-7."""
    oversight = city.destination("oversight")
    assert "Supervisión" in oversight.names["es"]
    for destination in city.destinations:
        for language in ("en", "es"):
            assert encoding(destination.name_in(language)) == "GSM-7", destination.id
            note = destination.note_in(language)
            assert note is None or encoding(note) == "GSM-7", destination.id
    assert gsm7_friendly("Revisión de Línea Pública, Ñandú, pingüino") == (
        "Revision de Linea Publica, Ñandu, pingüino"
    )


def test_fit_segments_keeps_a_text_that_fits_and_cuts_one_that_does_not() -> None:
    from flows.handling.segments import fit_segments

    def frame(text: str) -> str:
        return f"Decision on R-7KQ2 (2026-03-02): {text}"

    assert fit_segments(frame, "Short.", max_segments=2) == frame("Short.")
    long = " ".join(["The council reviewed the footage"] * 20)
    cut = fit_segments(frame, long, max_segments=2)
    assert count_segments(cut) == 2 and cut.endswith("...")
    assert encoding(cut) == "GSM-7"  # "..." rather than "…", which would make it UCS-2
    kept = cut.removeprefix(frame("")).removesuffix("...")
    assert long.startswith(kept) and long[len(kept)] == " "  # cut between words
    # As long as it can be: one more word would not fit.
    one_more = long[: long.index(" ", len(kept) + 1)]
    assert count_segments(frame(one_more + "...")) > 2


def test_fit_segments_counts_ucs2_when_the_text_needs_it() -> None:
    from flows.handling.segments import fit_segments

    cut = fit_segments(lambda t: t, "😀 " * 200, max_segments=2)
    assert count_segments(cut) <= 2 and encoding(cut) == "UCS-2"
