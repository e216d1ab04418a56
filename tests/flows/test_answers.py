"""Tolerant reading of short answers."""

from __future__ import annotations

import pytest

from flows.conversation.answers import bare_words, is_skip, is_substantive, normalise, parse_number
from flows.conversation.flowdef import Flow


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1", 1), (" 1 ", 1), ("1.", 1), ("#2", 2), ("2)", 2), ("(1)", 1), ("uno", 1),
        ("One", 1), ("DOS", 2), ("two!", 2), ("Option 1", 1), ("opción 2", 2), ("No. 1", 1),
        ("１", 1),  # full-width digit some keyboards send
    ],
)  # fmt: skip
def test_numbers(text: str, number: int) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["", "12", "1 2", "1.5", "one more thing", "1 he hit me", "ok"])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_question_words_count_as_answers() -> None:
    assert parse_number("Anónimo", words={"anonimo": 1}) == 1
    assert parse_number("anonimo please", words={"anonimo": 1}) is None


def test_normalise_folds_accents_case_and_punctuation() -> None:
    assert normalise("  ¿Qué  PASÓ?? 😀 ") == "que paso"
    assert normalise("don’t know") == "dont know"


def test_bare_and_substantive(flow: Flow) -> None:
    for bare in ["hi", "Hello?", "hola buenas tardes", "😀😀", "", "...", "ok thanks", "Hi there!"]:
        assert bare_words(bare, flow.bare) is not None, bare
        assert not is_substantive(bare, flow.bare), bare
    for story in [
        "hi, an officer stopped me on Cedar Street",
        "Police harassment",
        "me pararon sin razón",
        "Harassment",
    ]:
        assert is_substantive(story, flow.bare), story
    for short in ["3", "cop", "what?"]:
        assert not is_substantive(short, flow.bare), short


def test_skip_words(flow: Flow) -> None:
    for text in ["SKIP", "skip.", "Omitir", "no sé", "I don't know"]:
        assert is_skip(text, flow.skip_words), text
    assert not is_skip("skip street", flow.skip_words)
