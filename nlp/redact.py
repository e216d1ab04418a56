"""Find the personal data in a report and replace it with placeholders.

`Redactor.find` gathers candidate spans from each detector (names, phones, e-mails, addresses),
removes the parts that fall inside `keep` spans (officer references, which are facts the council
needs) and resolves overlaps by confidence: e-mail, then a clear phone number, then an address,
then a name, then a digit group that may be a phone. `apply_redaction` writes the placeholders.

Dates, times, districts, organisations and cities are deliberately kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from nlp.pii_addresses import find_addresses
from nlp.pii_names import find_names
from nlp.pii_phones import find_phones
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


class Redactor:
    """Finds names, phone numbers, e-mail addresses and street addresses in a text.

    Stateless after construction and safe to share between threads.
    """

    def __init__(self, *, default_region: str = "US") -> None:
        self._region = default_region

    def _candidates(self, text: str, doc: Doc, keep: Sequence[tuple[int, int]]) -> list[_Candidate]:
        found = [_Candidate("EMAIL", *m.span(), _PRIORITY["EMAIL"]) for m in _EMAIL.finditer(text)]
        for phone in find_phones(text, region=self._region):
            priority = _PRIORITY["WEAK_PHONE" if phone.weak else "PHONE"]
            found.append(_Candidate("PHONE", phone.start, phone.end, priority))
        found += [
            _Candidate("ADDRESS", s, e, _PRIORITY["ADDRESS"]) for s, e in find_addresses(text)
        ]
        found += [
            _Candidate("NAME", s, e, _PRIORITY["NAME"])
            for s, e in find_names(text, doc=doc, keep=keep)
        ]
        return found

    def find(self, text: str, *, doc: Doc, keep: Sequence[tuple[int, int]] = ()) -> list[Entity]:
        """Non-overlapping personal-data spans of `text` (sorted), none inside a `keep` span.

        `doc` is spaCy's parse of exactly `text` (see `nlp.spacy_model.load_spacy`).
        """
        taken: list[tuple[int, int]] = list(keep)
        entities: list[Entity] = []
        candidates = self._candidates(text, doc, keep)
        candidates.sort(key=lambda c: (-c.priority, c.start - c.end, c.start))
        for candidate in candidates:
            for start, end in _subtract(candidate.start, candidate.end, taken):
                start, end = _trim(text, start, end, keep_dot=candidate.type == "ADDRESS")
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
