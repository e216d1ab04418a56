"""Protected characteristics in a report: race, ethnicity, nationality, religion, gender identity,
sexual orientation, disability, immigration status, age and language.

These words are often the report itself ("they stopped me because I'm Black", "me pararon por ser
moreno"), so the redactor never replaces them, even where a name detector fires on them ("I'm
Black" reads like "I'm Naomi"). The vocabulary lives in `protected_terms.yaml`, one base form per
entry, with English plurals and Spanish gender/number forms generated here; ages ("62 years old",
"de 17 años", "she's 81") are patterns.

One exception keeps names redacted: a capitalised term right after a given name or an honorific
is a surname ("Alyssa Moreno", "Mrs. White"), and a term that is itself a given name followed by
a capitalised word is a first name ("Christian Ortiz"); such a word is then a name everywhere in
the text ("... Moreno said").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from nlp.redaction.common_words import is_common_word
from nlp.redaction.first_names import is_given_name
from nlp.textnorm import words

VOCABULARY_PATH = Path(__file__).with_name("protected_terms.yaml")
_MAX_PHRASE_WORDS = 5

_AGE_PATTERNS = (
    # "62 years old", "62-year-old", "62 yrs", "62yo", "aged 62", "age 62", "(16)"
    r"\b\d{1,3}[ \t-]*(?:years?|yrs?|y/?o)(?:[ \t-]*old)?\b",
    r"\bage[ds]?[ \t:]*\d{1,3}\b",
    r"\(\d{1,2}\)",
    # "I'm 19", "hes 14", "she's 81", "grandma is 74", "turned 70": not times, amounts or phones.
    r"\b(?:i['’]?m|i[ \t]+am|he['’]?s|she['’]?s|they['’]?re|is|was|turned|turning|only|just)"
    r"[ \t]+\d{1,3}\b(?![-.:/,]?\d|[ \t]*(?:%|\$|am\b|pm\b|a\.m|p\.m|min|minutes|hours?|hrs?|"
    r"blocks?|miles?|dollars?|bucks|times|days?|weeks?|months?|o['’]?clock|th\b|st\b|nd\b|rd\b))"
    r"(?:[ \t-]*(?:years?|yrs?)(?:[ \t-]*old)?)?",
    # "de 17 años", "tiene 62 años", "17 años de edad"
    r"\b\d{1,3}[ \t]+a[ñn]os(?:[ \t]+de[ \t]+edad)?\b",
    r"\b(?:tiene|tengo|tenía|cumplió|cumple)[ \t]+\d{1,3}\b(?:[ \t]+a[ñn]os)?",
)
_AGE = re.compile("|".join(_AGE_PATTERNS), re.IGNORECASE)
_HONORIFICS = frozenset(
    str.split(
        "mr mrs ms miss mx dr prof sr sra srta don dona doña señor senor señora senora mister"
    )
)


@dataclass(frozen=True)
class ProtectedTerm:
    start: int
    end: int
    category: str


def _english_forms(word: str) -> set[str]:
    return {word, word + "s", word + "es"}


def _spanish_forms(word: str) -> set[str]:
    if len(word) <= 4:
        return {word, word + "s"}  # "mam", "sij", "gay": no gendered forms to guess
    if word.endswith("o"):
        stem = word[:-1]
        return {stem + ending for ending in ("o", "a", "os", "as")}
    if word.endswith(("a", "e", "i", "u")):
        return {word, word + "s", word + "es"}
    return {word, word + "a", word + "es", word + "as", word + "s"}


def _tokens(entry: str) -> tuple[str, ...]:
    return tuple(w for w, _s, _e in words(entry.replace("-", " ")))


def _entries(section: dict[str, object], key: str, *, inflect: bool) -> Iterable[tuple[str, ...]]:
    raw = section.get(key) or ()
    entries = raw.split() if isinstance(raw, str) else [str(e) for e in raw]  # type: ignore[attr-defined]
    for entry in entries:
        tokens = _tokens(entry)
        if not tokens:
            continue
        if len(tokens) > 1 or not inflect:
            yield tokens
            yield (*tokens[:-1], tokens[-1] + "s")
            continue
        expand = _spanish_forms if key == "es" else _english_forms
        for form in expand(tokens[0]):
            yield (form,)


@cache
def vocabulary(path: Path = VOCABULARY_PATH) -> dict[tuple[str, ...], str]:
    """Folded word sequence -> category, every generated form included."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    lexicon: dict[tuple[str, ...], str] = {}
    for category, section in data.items():
        for key in ("en", "es"):
            for tokens in _entries(section, key, inflect=True):
                lexicon.setdefault(tokens, category)
        for key in ("en_phrases", "es_phrases", "places", "places_phrases"):
            for tokens in _entries(section, key, inflect=False):
                lexicon.setdefault(tokens, category)
    return lexicon


def _lexicon_matches(text: str) -> list[ProtectedTerm]:
    lexicon = vocabulary()
    tokens = list(words(text))
    found = []
    i = 0
    while i < len(tokens):
        for n in range(min(_MAX_PHRASE_WORDS, len(tokens) - i), 0, -1):
            key = tuple(t[0] for t in tokens[i : i + n])
            category = lexicon.get(key)
            if category is not None:
                found.append(ProtectedTerm(tokens[i][1], tokens[i + n - 1][2], category))
                i += n
                break
        else:
            i += 1
    return found


_PREVIOUS_WORD = re.compile(r"([^\W\d_]+)\.?[ \t]+$")
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_]+)")


def _is_name_part(text: str, term: ProtectedTerm) -> bool:
    """A capitalised term that is part of a person's name ("Alyssa Moreno", "Christian Ortiz")."""
    word = text[term.start : term.end]
    if not word[:1].isupper() or " " in word or text.isupper():
        return False
    before = _PREVIOUS_WORD.search(text, max(0, term.start - 30), term.start)
    if before is not None:
        previous = before.group(1)
        if previous.casefold() in _HONORIFICS:
            return True
        if previous[:1].isupper() and is_given_name(previous) and not is_common_word(previous):
            return True
    after = _NEXT_WORD.match(text, term.end)
    if after is not None and is_given_name(word):
        following = after.group(1)
        return following[:1].isupper() and not is_common_word(following)
    return False


def _ends_a_name(text: str, term: ProtectedTerm, people: Sequence[tuple[int, int]]) -> bool:
    """The last word of a several-word person entity, after a capitalised unknown word."""
    for start, end in people:
        if start < term.start and term.end == end:
            before = re.findall(r"[^\W\d_]+", text[start : term.start])
            return bool(before) and before[-1][:1].isupper() and not is_common_word(before[-1])
    return False


def find_protected(text: str, *, people: Sequence[tuple[int, int]] = ()) -> list[ProtectedTerm]:
    """Protected-characteristic spans of `text`, sorted, surnames that look like terms left out.

    `people` are person-entity spans (spaCy's): a term ending one of them after another name
    word is a surname ("Alyssa Moreno").
    """
    terms = _lexicon_matches(text)
    name_words = {
        text[t.start : t.end]
        for t in terms
        if _is_name_part(text, t)
        or (text[t.start : t.start + 1].isupper() and _ends_a_name(text, t, people))
    }
    terms = [t for t in terms if text[t.start : t.end] not in name_words]
    terms += [ProtectedTerm(*m.span(), "age") for m in _AGE.finditer(text)]
    return sorted(terms, key=lambda t: (t.start, t.end))
