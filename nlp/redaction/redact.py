"""Find the personal data in a report and replace it with placeholders.

`Redactor.find` gathers candidate spans from each detector (names, phones, e-mails, addresses),
removes the parts that fall inside `keep` spans (officer references, which are facts the council
needs) and resolves overlaps by confidence: e-mail, then a clear phone number, then an address,
then a name, then a digit group that may be a phone. `apply_redaction` writes the placeholders.

A report's meaning is kept: protected characteristics ("because I'm Black", "por ser moreno", "62
years old"), public places, businesses, schools, streets named without a house number, the city's
gazetteer and name are facts, never names; they overrule the name detectors and the digit groups
that may be phones, but not an e-mail, a clear phone number or a street address with its number.
Dates, times, districts, organisations and cities are deliberately kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from nlp.language import detect_language
from nlp.places import Gazetteer
from nlp.redaction.common_words import is_common_word
from nlp.redaction.pii_addresses import find_addresses
from nlp.redaction.pii_names import find_names
from nlp.redaction.pii_phones import find_phones
from nlp.redaction.protected_terms import find_protected
from nlp.redaction.public_places import find_public_places
from nlp.types import Entity, EntityType

PLACEHOLDERS: dict[EntityType, str] = {
    "NAME": "[NAME]",
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "ADDRESS": "[ADDRESS]",
}

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}\b"
    # Spelled out to dodge filters: "maria at gmail dot com", "maria (at) gmail (dot) com".
    r"|(?<![\w.])[\w.+-]+[ \t]*(?:\(at\)|\[at\]|[ \t]at[ \t])[ \t]*[\w-]+[ \t]*"
    r"(?:\(dot\)|\[dot\]|[ \t]dot[ \t]|\.)[ \t]*(?:com|net|org|edu|gov|us|mx|es|io|co)\b",
    re.IGNORECASE,
)

# Higher wins an overlap; see the module docstring.
_PRIORITY = {"EMAIL": 5, "PHONE": 4, "ADDRESS": 3, "NAME": 2, "WEAK_PHONE": 1}


@dataclass(frozen=True)
class _Candidate:
    type: EntityType
    start: int
    end: int
    priority: int
    # Spans this candidate must leave (facts it loses to); see `Redactor._facts`.
    kept: Sequence[tuple[int, int]] = ()


def _subtract(start: int, end: int, holes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [start, end) outside every hole."""
    pieces = [(start, end)]
    for hole_start, hole_end in holes:
        next_pieces = []
        for piece_start, piece_end in pieces:
            if hole_end <= piece_start or piece_end <= hole_start:
                next_pieces.append((piece_start, piece_end))
                continue
            if piece_start < hole_start:
                next_pieces.append((piece_start, hole_start))
            if hole_end < piece_end:
                next_pieces.append((hole_end, piece_end))
        pieces = next_pieces
    return pieces


def _trim(text: str, start: int, end: int, *, keep_dot: bool) -> tuple[int, int]:
    """Shrink a span to start and end on a letter or digit (no spaces or commas at the edges).

    An address keeps a final dot ("Oak St."); a name or number leaves the sentence's full stop.
    """
    while start < end and not text[start].isalnum() and text[start] not in "+(":
        start += 1
    while end > start and not (text[end - 1].isalnum() or (keep_dot and text[end - 1] == ".")):
        end -= 1
    return start, end


def _name_like(text: str, start: int, end: int) -> bool:
    """What is left of a name after removing kept words still holds a name word."""
    lower_text = text.islower()
    return any(
        not is_common_word(w) and (lower_text or w[:1].isupper())
        for w in re.findall(r"[^\W\d_]+", text[start:end])
    )


def _strip_everyday(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop everyday words at either end of a name piece ("de Brayan" -> "Brayan")."""
    while (lead := re.match(r"([^\W\d_]+)[ \t,]+", text[start:end])) and is_common_word(
        lead.group(1)
    ):
        start += lead.end()
    while (tail := re.search(r"[ \t,]+([^\W\d_]+)$", text[start:end])) and is_common_word(
        tail.group(1)
    ):
        end -= len(tail.group())
    return start, end


class Redactor:
    """Finds names, phone numbers, e-mail addresses and street addresses in a text.

    Leaves what the council needs: officer references (the caller's `keep`), protected
    characteristics (`nlp.redaction.protected_terms`) and public places
    (`nlp.redaction.public_places`, with the city's `gazetteer` and `place_names` such as the city's
    own name). Those overrule names and digit groups that may be phones; an e-mail, a clear phone
    number or a street address with its house number is personal data even where it holds a place
    name ("2600 Water St").

    Stateless after construction and safe to share between threads.
    """

    def __init__(
        self,
        *,
        default_region: str = "US",
        gazetteer: Gazetteer | None = None,
        place_names: Sequence[str] = (),
    ) -> None:
        self._region = default_region
        self._gazetteer = gazetteer
        self._place_names = tuple(place_names)

    def _facts(self, text: str, doc: Doc) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(strong, weak) spans to keep: protected terms and places; spaCy's other entities."""
        people = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
        places = find_public_places(
            text, doc=doc, gazetteer=self._gazetteer, place_names=self._place_names
        )
        strong = [(t.start, t.end) for t in find_protected(text, people=people)]
        return strong + list(places.strong), list(places.weak)

    def _candidates(
        self, text: str, doc: Doc, keep: Sequence[tuple[int, int]], language: str
    ) -> list[_Candidate]:
        strong, weak = self._facts(text, doc)
        found = [_Candidate("EMAIL", *m.span(), _PRIORITY["EMAIL"]) for m in _EMAIL.finditer(text)]
        for phone in find_phones(text, region=self._region):
            if phone.weak:  # a digit group that may be a phone loses to an age, a place
                found.append(_Candidate("PHONE", *phone.span, _PRIORITY["WEAK_PHONE"], strong))
            else:
                found.append(_Candidate("PHONE", *phone.span, _PRIORITY["PHONE"]))
        found += [
            _Candidate("ADDRESS", s, e, _PRIORITY["ADDRESS"]) for s, e in find_addresses(text)
        ]
        names = find_names(
            text, doc=doc, keep=[*keep, *strong], context=weak, spanish=language == "es"
        )
        found += [_Candidate("NAME", s, e, _PRIORITY["NAME"], strong) for s, e in names]
        return found

    def find(
        self,
        text: str,
        *,
        doc: Doc,
        keep: Sequence[tuple[int, int]] = (),
        language: str | None = None,
    ) -> list[Entity]:
        """Non-overlapping personal-data spans of `text` (sorted), none inside a `keep` span.

        `doc` is spaCy's parse of exactly `text` (see `nlp.runtime.spacy_model.load_spacy`);
        `language` is the text's language ("en", "es"), detected here when not given.
        """
        language = language or detect_language(text)
        taken: list[tuple[int, int]] = list(keep)
        entities: list[Entity] = []
        candidates = self._candidates(text, doc, keep, language)
        candidates.sort(key=lambda c: (-c.priority, c.start - c.end, c.start))
        for candidate in candidates:
            pieces = _subtract(candidate.start, candidate.end, [*taken, *candidate.kept])
            for start, end in pieces:
                cut = (start, end) != (candidate.start, candidate.end)
                start, end = _trim(text, start, end, keep_dot=candidate.type == "ADDRESS")
                if candidate.type == "NAME" and cut:
                    # What a kept fact leaves of a name: "mamá de Brayan" minus "mamá".
                    start, end = _strip_everyday(text, start, end)
                    if not _name_like(text, start, end):
                        continue
                if sum(ch.isalnum() for ch in text[start:end]) < 2:
                    continue
                entities.append(Entity(candidate.type, start, end))
                taken.append((start, end))
        return sorted(entities, key=lambda e: e.start)


def apply_redaction(text: str, entities: Sequence[Entity]) -> str:
    """`text` with each entity replaced by its placeholder ("[NAME]", "[PHONE]", ...)."""
    pieces: list[str] = []
    position = 0
    for entity in sorted(entities, key=lambda e: e.start):
        if entity.start < position:
            continue  # overlapping input: the earlier span already covers it
        pieces.append(text[position : entity.start])
        pieces.append(PLACEHOLDERS[entity.type])
        position = entity.end
    pieces.append(text[position:])
    return "".join(pieces)
