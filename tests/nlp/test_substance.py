from __future__ import annotations

import pytest

from nlp.substance import has_story, substance_words


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "👍👍👍",
        "https://bit.ly/3xYz9",
        "www.example.com/watch?v=1",
        "see dana.w@example.com",
        "a" * 2000,
        "aaaaaaa",
        "jajaja",
        "hahahaha lol",
        "asdfgh",
        "qwerty",
        "555-201-7788",
        "ok",
        "???",
        "STOP",
    ],
)
def test_texts_without_a_story(text: str) -> None:
    assert not has_story(text)


@pytest.mark.parametrize(
    "text",
    [
        "cop pushed me",
        "officer was rude",
        "tased",
        "el policía me empujó",
        "me pegaron",
        "necesito ayuda",
        "check this out https://youtu.be/abc",
        "what are your hours?",
        "MY CAR WAS SEARCHED",
    ],
)
def test_texts_with_a_story(text: str) -> None:
    assert has_story(text)


def test_substance_words_are_folded_and_skip_stop_words() -> None:
    assert substance_words("El policía me EMPUJÓ") == ["policia", "empujo"]
