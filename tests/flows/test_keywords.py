"""Whole-message keywords: carrier words, ours, Spanish ones; and what must NOT be a keyword."""

from __future__ import annotations

import pytest

from flows.conversation.keywords import parse_keyword

# The carriers' standard opt-out words (CTIA): each must opt out, whatever the code lists.
CARRIER_OPT_OUT = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]


@pytest.mark.parametrize("word", CARRIER_OPT_OUT)
@pytest.mark.parametrize("shape", ["{}", "{} ", "  {}.", "{}!", "'{}'", "{}\n"])
def test_carrier_opt_out_words_in_any_case_and_punctuation(word: str, shape: str) -> None:
    for variant in (word, word.lower(), word.capitalize()):
        kw = parse_keyword(shape.format(variant))
        assert kw is not None and kw.kind == "opt_out"


@pytest.mark.parametrize(
    ("text", "kind", "argument", "language"),
    [
        ("START", "opt_in", None, None),
        ("unstop", "opt_in", None, None),
        ("Help", "help", None, "en"),
        ("info?", "help", None, None),
        ("AYUDA", "help", None, "es"),
        ("alto", "opt_out", None, "es"),
        ("Parar.", "opt_out", None, "es"),
        ("STATUS", "status", None, "en"),
        ("status R-7KQ2", "status", "R-7KQ2", "en"),
        ("Status r 7kq2", "status", "R-7KQ2", "en"),
        ("estado R7KQ2", "status", "R-7KQ2", "es"),
        ("DELETE", "delete", None, "en"),
        ("borrar", "delete", None, "es"),
        ("new", "new", None, "en"),
        ("NUEVO", "new", None, "es"),
        ("Español", "language", "es", "es"),
        ("ESPANOL", "language", "es", "es"),
        ("spanish", "language", "es", "es"),
        ("English", "language", "en", "en"),
        ("inglés", "language", "en", "en"),
        ("INGLES", "language", "en", "en"),
    ],
)
def test_keywords(text: str, kind: str, argument: str | None, language: str | None) -> None:
    kw = parse_keyword(text)
    assert kw is not None
    assert (kw.kind, kw.argument, kw.language) == (kind, argument, language)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "stop it please",
        "please stop harassing me",
        "help me, an officer is following me",
        "YES",  # a carrier opt-in word: answers are numbered so we never need it
        "1",
        "status of my report",  # a sentence, not STATUS with a reference
        "estado de mi reporte",
        "new officer in the area",
        "stopped by police",
        "😀",
    ],
)
def test_not_keywords(text: str) -> None:
    assert parse_keyword(text) is None
