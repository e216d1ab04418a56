"""Match place names in a text against the city's districts, tolerating typos.

Each district brings its names, aliases, neighbourhoods, streets and landmarks. A name is matched
word by word: the words that identify it ("millbrook", "kessler") tolerate a typo when they are
long enough (rapidfuzz ratio), while generic words ("street", "park", "the", "side") must match
exactly after abbreviations are expanded ("St" = "street", "calle" = "street"). So "Milbrook Ave"
finds Millbrook Avenue, but "oak", "front" or "water" alone never find Oak/Front/Water Street: a
street whose name is an everyday word needs its street word.

`match_district` needs no spaCy and runs in well under a millisecond on an SMS, for the
conversation's "where did it happen?" answers; `find_places` adds spaCy's GPE/LOC/FAC mentions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from nlp.redaction.common_words import is_common_word
from nlp.textnorm import words
from nlp.types import PlaceMention

if TYPE_CHECKING:
    # An annotation only: importing spaCy at run time would load torch into the web processes,
    # which use `match_district` without any model (issue #15).
    from spacy.tokens import Doc

# Street words in both languages, folded to one canonical form.
_STREET_WORDS = {
    "street": "street",
    "st": "street",
    "calle": "street",
    "avenue": "avenue",
    "ave": "avenue",
    "av": "avenue",
    "avenida": "avenue",
    "avda": "avenue",
    "road": "road",
    "rd": "road",
    "camino": "road",
    "boulevard": "boulevard",
    "blvd": "boulevard",
    "bulevar": "boulevard",
    "lane": "lane",
    "ln": "lane",
    "drive": "drive",
    "dr": "drive",
}
# Words that carry no identity of their own (besides street words).
_GENERIC_WORDS = frozenset(
    str.split(
        """
    the el la las los de del park parque station estacion mall market mercado school escuela high
    elementary library biblioteca clinic clinica plaza square pier hall city village commons
    apartments center centre rec district distrito side north south east west norte sur este oeste
    town old point ferry
    """
    )
)
_FUZZY_MIN_LENGTH = 5
_FUZZY_CUTOFF = 80.0


def _canonical(word: str) -> str:
    return _STREET_WORDS.get(word, word)


@dataclass(frozen=True)
class _Name:
    words: tuple[str, ...]
    district: str


class Gazetteer:
    """The city's place names by district, indexed for word-by-word matching."""

    def __init__(self, names: Sequence[_Name]) -> None:
        self._by_first: dict[str, list[_Name]] = defaultdict(list)
        for name in names:
            self._by_first[name.words[0]].append(name)
        # Distinctive first words, for typo-tolerant lookup.
        self._fuzzy_firsts = [
            w for w in self._by_first if len(w) >= _FUZZY_MIN_LENGTH and not self._is_generic(w)
        ]

    @staticmethod
    def _is_generic(word: str) -> bool:
        return word in _GENERIC_WORDS or word in _STREET_WORDS.values() or word.isdigit()

    @classmethod
    def from_districts(cls, districts: Iterable[tuple[str, Iterable[str]]]) -> Gazetteer:
        """From (district id, every name/alias/neighbourhood/street/landmark of that district)."""
        names: list[_Name] = []
        for district, place_names in districts:
            for place in (district, *place_names):
                tokens = tuple(_canonical(w) for w, _s, _e in words(place))
                if not tokens:
                    continue
                names.append(_Name(tokens, district))
                # "Flores Street" is also written "calle Flores"; "Avenida Juárez" "Juárez Ave".
                if tokens[-1] in _STREET_WORDS.values() and len(tokens) > 1:
                    names.append(_Name((tokens[-1], *tokens[:-1]), district))
                elif tokens[0] in _STREET_WORDS.values() and len(tokens) > 1:
                    names.append(_Name((*tokens[1:], tokens[0]), district))
        return cls(names)

    def _word_matches(self, expected: str, written: str) -> float:
        """1.0 for an exact match, the similarity for a tolerated typo, 0 otherwise."""
        if expected == written:
            return 1.0
        if self._is_generic(expected) or len(expected) < _FUZZY_MIN_LENGTH:
            return 0.0
        score = fuzz.ratio(expected, written)
        return score / 100 if score >= _FUZZY_CUTOFF else 0.0

    def _candidates(self, first: str) -> list[_Name]:
        found = list(self._by_first.get(first, ()))
        if len(first) >= _FUZZY_MIN_LENGTH and not is_common_word(first):
            for near, _score, _index in process.extract(
                first, self._fuzzy_firsts, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF, limit=5
            ):
                if near != first:
                    found += self._by_first[near]
        return found

    def matches(self, text: str) -> list[tuple[PlaceMention, float]]:
        """Non-overlapping gazetteer matches in `text`, longest first at each position."""
        tokens = [(_canonical(w), s, e) for w, s, e in words(text)]
        found: list[tuple[PlaceMention, float]] = []
        i = 0
        while i < len(tokens):
            best: tuple[int, float, _Name] | None = None
            for name in self._candidates(tokens[i][0]):
                n = len(name.words)
                if i + n > len(tokens):
                    continue
                scores = [self._word_matches(e, tokens[i + k][0]) for k, e in enumerate(name.words)]
                if min(scores) == 0.0:
                    continue
                # A lone everyday word ("front", "oak") is never a place by itself.
                if n == 1 and is_common_word(tokens[i][0]):
                    continue
                quality = sum(scores) / n
                if best is None or (n, quality) > (best[0], best[1]):
                    best = (n, quality, name)
            if best is None:
                i += 1
                continue
            n, quality, name = best
            start, end = tokens[i][1], tokens[i + n - 1][2]
            found.append((PlaceMention(text[start:end], start, end, name.district), quality * n))
            i += n
        return found


def _best_district(scored: Sequence[tuple[PlaceMention, float]]) -> str | None:
    """The district with the most (and strongest) mentions; ties go to the first mentioned."""
    totals: dict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    for mention, weight in scored:
        if mention.district is None:
            continue
        totals[mention.district] += weight
        first_seen.setdefault(mention.district, mention.start)
    if not totals:
        return None
    return max(totals, key=lambda d: (totals[d], -first_seen[d]))


def match_district(text: str, *, gazetteer: Gazetteer) -> str | None:
    """The district `text` names, without spaCy ("by the Milbrook park" -> "d1"), or None."""
    return _best_district(gazetteer.matches(text))


def find_places(
    text: str,
    *,
    doc: Doc | None,
    gazetteer: Gazetteer,
    redacted: Sequence[tuple[int, int]] = (),
) -> tuple[list[PlaceMention], str | None]:
    """Places in `text` (gazetteer matches plus spaCy GPE/LOC/FAC) and the best district.

    spaCy mentions overlapping `redacted` spans (a redacted street address) are left out so that
    no redacted text comes back through a place mention.
    """
    scored = gazetteer.matches(text)
    mentions = [m for m, _w in scored]
    if doc is not None:
        for ent in doc.ents:
            if ent.label_ not in ("GPE", "LOC", "FAC"):
                continue
            span = (ent.start_char, ent.end_char)
            overlaps = [m for m in mentions if m.start < span[1] and span[0] < m.end]
            hidden = any(s < span[1] and span[0] < e for s, e in redacted)
            if overlaps or hidden:
                continue
            mentions.append(PlaceMention(ent.text, *span, district=None))
    mentions.sort(key=lambda m: m.start)
    return mentions, _best_district(scored)
