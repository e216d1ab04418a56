"""Reading a resident's short answers tolerantly: "1.", " 1 ", "uno", "one", "SKIP", "hola?".

Pure functions over text; the word lists they use come from the flow file (`Flow.words`), so a city
can extend them without touching code.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from nlp.textnorm import fold

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9,
}  # fmt: skip
_NUMBERED = re.compile(r"^(?:option |opcion |number |numero |no |num )?(\d)$")
_APOSTROPHES = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[\W_]+")
# Enough words or letters to be more of the story rather than a fumbled answer.
_MIN_WORDS = 2
_MIN_LETTERS = 8
# A bare greeting is short: "hola buenas tardes" is, a paragraph that starts with "hi" is not.
_MAX_BARE_WORDS = 4


def fold_words(text: str) -> str:
    """`text` lower case without accents, its words separated by single spaces.

    Word by word because `fold` caches what it is given: words, never a resident's whole message.
    """
    return " ".join(fold(word) for word in text.split())


def normalise(text: str) -> str:
    """Lower case, accents folded, punctuation and emoji dropped, spaces collapsed."""
    plain = _APOSTROPHES.sub("", fold_words(text))
    return _NON_WORD.sub(" ", plain).strip()


def parse_number(text: str, *, words: Mapping[str, int] | None = None) -> int | None:
    """The number 1-9 a whole message answers with ("1.", "#2", "uno", "Option 1"), or None.

    `words` adds answer words of one question ("anonymous" → 1), already normalised.
    """
    norm = normalise(text)
    match = _NUMBERED.match(norm)
    if match:
        return int(match.group(1))
    if norm in _NUMBER_WORDS:
        return _NUMBER_WORDS[norm]
    if words and norm in words:
        return words[norm]
    return None


def is_skip(text: str, skip_words: Collection[str]) -> bool:
    return normalise(text) in skip_words


def bare_words(text: str, bare: Collection[str]) -> list[str] | None:
    """The words of a bare message (greeting, "ok", emoji, nothing), or None when it says more."""
    words = normalise(text).split()
    if len(words) <= _MAX_BARE_WORDS and all(word in bare for word in words):
        return words
    return None


def is_substantive(text: str, bare: Collection[str]) -> bool:
    """Whether `text` says something: enough words or letters, and not a bare greeting."""
    if bare_words(text, bare) is not None:
        return False
    words = [w for w in normalise(text).split() if any(c.isalpha() for c in w)]
    letters = sum(c.isalpha() for w in words for c in w)
    return len(words) >= _MIN_WORDS or letters >= _MIN_LETTERS
