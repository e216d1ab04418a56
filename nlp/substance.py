"""Whether a text tells anything: the "no story" check.

A link on its own, a phone number, "aaaaaaaa", "jajaja", "asdfgh", "👍👍" or "ok" carry no report a
council could act on. A sentence encoder still turns them into a vector, and a linear head still
ranks its labels over that vector, sometimes with confidence (a bare link was once filed under
officer misconduct at 51%). So such texts get no category: the classifier gives them no scores
and triage, `Analysis.no_story` / `Screening.no_story` say so, and the conversation can ask
for the story instead of filing nothing under some label.

A word "of substance" is a word that is not a stop word (English or Spanish) and looks like a
word: letters only, at least two of them, vowels in a plausible share, no letter three times in a
row, no long consonant run, no "q" without "u", and not a short unit repeated ("jajaja",
"lololol"). Cheap (regexes and set look-ups): it runs on the webhook's hot path inside
`Analyser.screen`.
"""

from __future__ import annotations

import re

from nlp import stop_words
from nlp.textnorm import words

# Links, e-mail addresses and @handles say where to look, not what happened.
_LINK = re.compile(
    r"(?:https?://|www\.)\S*|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|@\w+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|ly|co|io|gov|edu|me|us|mx|es|info|link)(?:/\S*)?",
    re.IGNORECASE,
)
_VOWELS = frozenset("aeiouy")
_LETTERS_ONLY = re.compile(r"^[^\W\d_]+$")
_TRIPLE_LETTER = re.compile(r"(.)\1\1")
_CONSONANT_RUN = re.compile(r"[b-df-hj-np-tv-xz]{5,}")
# Keyboard rows ("qwerty", "qwpoeiru"): in English and Spanish words a "q" comes before a "u".
_Q_WITHOUT_U = re.compile(r"q(?!u)")
# A unit of one to three letters said three times or more: "aaaa", "jajaja", "lololol", "hmhmhm".
_REPEATED_UNIT = re.compile(r"^(.{1,3}?)\1{2,}.{0,2}$")
# Interjections and chat fillers that are not stop words but say nothing about what happened.
_FILLERS = frozenset(
    str.split(
        """lol lmao lmfao omg wtf xd jaja jeje haha hehe hmm hm mmm umm uh ugh ok okay okey oki
        thx ty pls plz yes yep yeah nope nah hey hi hello hola bueno buenas test testing prueba
        stop start help info ayuda unsubscribe"""
    )
)


def _looks_like_a_word(word: str) -> bool:
    if len(word) < 2 or not _LETTERS_ONLY.match(word):
        return False
    vowels = sum(ch in _VOWELS for ch in word)
    if vowels == 0 or (len(word) >= 5 and not 0.2 <= vowels / len(word) <= 0.8):
        return False
    return not (
        _TRIPLE_LETTER.search(word)
        or _CONSONANT_RUN.search(word)
        or _Q_WITHOUT_U.search(word)
        or _REPEATED_UNIT.match(word)
    )


def substance_words(text: str) -> list[str]:
    """The words of `text` that could carry a story (folded), links and addresses removed."""
    cleaned = _LINK.sub(" ", text)
    return [
        word
        for word, _start, _end in words(cleaned)
        if word not in stop_words.FOLDED and word not in _FILLERS and _looks_like_a_word(word)
    ]


def has_story(text: str) -> bool:
    """False when `text` has no word of substance (link only, gibberish, emoji, "ok", "aaaa")."""
    return bool(substance_words(text))
