"""Find references to police officers and units: rank + name, badge numbers, car/unit numbers.

Officer references are facts the council needs and are never redacted (the redactor receives their
spans as `keep`). Each reference gets a normalised `key` so that two reports about the same
officer can be matched: `badge:4471`, `unit:car-12`, `name:ramirez`.

Precision matters more than recall here: a false officer would shield a resident's name from
redaction. So a rank word must be a whole word ("office", "officially" never match), the name must
look like a name (capitalised, not an everyday word such as "de" in "sargento de la escuela"), and
bare "car 12" / "unit 3B" count only when the text is about police (or mentions no home, building
or vehicle at all: "good job unit 12!") and never right after a home address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.redaction.common_words import is_common_word
from nlp.textnorm import fold
from nlp.types import OfficerRef

_RANK = (
    r"(?:police\s+)?(?:officer|ofc\.?|sergeant|sgt\.?|detective|det\.|lieutenant|lt\.?|captain"
    r"|capt\.?|corporal|cpl\.?|deputy|dep\.|trooper|tpr\.?|sheriff|commander|cmdr\.?|chief"
    r"|marshal|investigator|comisario|comisaria"
    r"|patrolman|patrolwoman|inspector|constable"
    r"|oficial|agente|sargento|sgto\.?|teniente|tte\.?|capit[aá]n|comandante|cabo"
    r"|polic[ií]a|patrullero|patrullera|inspectora)"
)
_NAME_WORD = r"(?:O['’]|Mc|Mac)?[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)?"
# Rank, optional initials ("J.", "J. R."), then one or two name words.
_RANK_NAME = re.compile(
    rf"\b(?P<rank>{_RANK})(?![\w])\s+(?P<name>(?:[^\W\d_]\.\s*){{0,2}}{_NAME_WORD}"
    rf"(?:\s+{_NAME_WORD})?)",
    re.IGNORECASE,
)
_BADGE = re.compile(
    r"\b(?:badge|shield|placa)(?:\s+(?:number|num\.?|no\.?|n[uú]mero|n[º°o]\.?)"
    # "his badge number was 4471", "su placa número era 318" (a number word first: "the badge
    # is 12 years old" names no badge)
    r"(?:\s+(?:was|is|era|es))?)?\s*[#:]?\s*"
    r"(?P<badge>\d{2,7}[A-Za-z]?)\b",
    re.IGNORECASE,
)
# A number written right after an officer's name: "Officer Ramirez #4471".
_TRAILING_BADGE = re.compile(r"\s*[,(]?\s*#\s*(?P<badge>\d{2,7})\b")
_UNIT = re.compile(
    r"\b(?P<kind>(?:patrol|squad|police|cop)\s+car|cruiser|carro\s+patrulla|patrulla|car"
    r"|patrol\s+unit|unidad|unit)(?:\s+(?:number|no\.?|n[uú]mero))?\s*#?\s*"
    r"(?P<number>\d{1,4}[A-Za-z]?|[A-Za-z]\d{1,4})\b",
    re.IGNORECASE,
)
# Bare "car"/"unit"/"unidad" numbers need police vocabulary somewhere in the text...
_POLICE_CONTEXT = re.compile(
    r"\b(?:police|cops?|officers?|sheriff|deputy|patrol|squad|trooper|pd|sirens?|tased|tasing"
    r"|taser|cuffed|cuffs|handcuff\w*|arrest\w*|precinct|911|dispatch\w*|responded|k9|"
    r"polic[ií]as?|oficial|agentes?|patrulla|esposas|esposad[oa]s?|arrest\w*|sirena)\b",
    re.IGNORECASE,
)
# Without police words, a bare "unit 12" / "car 3" counts only in a text about no home at all.
_HOUSING_CONTEXT = re.compile(
    r"\b(?:apt|apartments?|building|floor|lease|rent|landlord|landlady|tenants?|complex|suite"
    r"|condo|storage|live|lives|living|address|garage|parking|dealership|train|subway|bus"
    r"|edificio|departamento|depto|renta|casero|vivo|vive|direcci[oó]n)\b",
    re.IGNORECASE,
)
# Bare "unit 12" after a street, in an address, is an apartment ("612 Elm St unit 2").
_STREET_BEFORE = re.compile(
    r"\b(?:st|street|ave|avenue|rd|road|blvd|dr|drive|ln|lane|ct|court|way|pl|place|calle)\.?,?"
    r"[ \t]*$",
    re.IGNORECASE,
)
# ...and must not follow home-address words ("I live in unit 3B", "my car 2").
_ADDRESS_BEFORE = re.compile(
    r"(?:\b(?:apt|apartment|suite|ste|building|live|lives|living|address|my|our|vivo|depto|"
    r"departamento|mi)\b[^.\n]{0,12})$",
    re.IGNORECASE,
)
_UNIQUE_KINDS = ("patrol", "squad", "police", "cop", "cruiser", "patrulla", "carro")
# What may stand between a name reference and its badge/unit to merge them into one reference.
_JOINER = re.compile(r"^[\s,(:\-–]*(?:with|con|de|en|in)?[\s,(:#\-–]*$", re.IGNORECASE)
_TITLE_WORDS = frozenset({"police", "mayor", "council", "chief", "officer", "de", "del"})


@dataclass
class _Ref:
    start: int
    end: int
    rank: str | None = None
    name: str | None = None
    badge: str | None = None
    unit: str | None = None


def _caseless(text: str) -> bool:
    """Text whose writer does not capitalise names: only "I", acronyms ("ICE") and sentence
    openers carry capitals, so a lower-case word after a rank may still be a name."""
    for match in re.finditer(r"[^\W\d_]+", text):
        word = match.group()
        if not word[:1].isupper() or word.isupper():
            continue
        if not re.search(r"(?:^|[.!?\n])[ \t\"'(]*$", text[: match.start()]):
            return False
    return True


def _plausible_name(name: str, text: str) -> str | None:
    """The name part kept after dropping everyday words; None if nothing name-like is left."""
    tokens = name.split()
    kept: list[str] = []
    for token in tokens:
        bare = token.rstrip(".")
        if len(bare) == 1:  # an initial
            kept.append(token)
            continue
        if is_common_word(bare) or fold(bare) in _TITLE_WORDS:
            break
        if not bare[:1].isupper() and not _caseless(text):
            break  # "officer told me": a lower-case word in normal text is not a name
        # In all-lower or ALL-CAPS texts case says nothing: at least refuse verb forms.
        if (bare.islower() or bare.isupper()) and fold(bare).endswith(("ed", "ing")):
            break
        kept.append(token)
    if not kept or all(len(t.rstrip(".")) == 1 for t in kept):
        return None
    # Drop trailing initials ("Officer Smith J" is rare; "J." before the name is kept).
    while kept and len(kept[-1].rstrip(".")) == 1:
        kept.pop()
    return " ".join(kept) if kept else None


def _name_refs(text: str) -> list[_Ref]:
    refs = []
    for match in _RANK_NAME.finditer(text):
        name = _plausible_name(match.group("name"), text)
        if name is None:
            continue
        start = match.start("name")
        end = start + match.group("name").index(name.split()[-1]) + len(name.split()[-1])
        ref = _Ref(match.start(), end, rank=match.group("rank"), name=name)
        trailing = _TRAILING_BADGE.match(text, end)
        if trailing:
            ref.badge, ref.end = trailing.group("badge"), trailing.end()
        refs.append(ref)
    return refs


# "Officers Diaz and Kim", "los agentes Pérez y Soto": one reference per name.
_PLURAL_RANK_NAMES = re.compile(
    rf"\b(?P<rank>officers|deputies|detectives|sergeants|troopers|oficiales|agentes|policías"
    rf"|policias)[ \t]+(?P<first>{_NAME_WORD})(?:[ \t]*,[ \t]*|[ \t]+(?:and|&|y)[ \t]+)"
    rf"(?P<second>{_NAME_WORD})\b",
    re.IGNORECASE,
)
# "the officer's name was Reyes", "el oficial se llamaba Soto".
_NAMED_AFTER = re.compile(
    rf"\b(?P<rank>officer|cop|deputy|policeman|policewoman|oficial|agente|polic[ií]a)"
    rf"(?:['’]s[ \t]+(?:last[ \t]+)?name[ \t]+(?:is|was)|[ \t]+se[ \t]+llamaba|[ \t]+se[ \t]+llama"
    rf"|[ \t]+called[ \t]+himself|[ \t]+named)[ \t]+(?P<name>{_NAME_WORD})",
    re.IGNORECASE,
)


def _listed_refs(text: str) -> list[_Ref]:
    refs = []
    for match in _PLURAL_RANK_NAMES.finditer(text):
        for group in ("first", "second"):
            name = _plausible_name(match.group(group), text)
            if name is not None:
                start = match.start() if group == "first" else match.start(group)
                refs.append(_Ref(start, match.end(group), rank=match.group("rank"), name=name))
    for match in _NAMED_AFTER.finditer(text):
        name = _plausible_name(match.group("name"), text)
        if name is not None:
            refs.append(_Ref(match.start(), match.end(), rank=match.group("rank"), name=name))
    return refs


def _badge_refs(text: str) -> list[_Ref]:
    return [_Ref(m.start(), m.end(), badge=m.group("badge")) for m in _BADGE.finditer(text)]


def _unit_refs(text: str) -> list[_Ref]:
    police_text = _POLICE_CONTEXT.search(text) is not None or not _HOUSING_CONTEXT.search(text)
    refs = []
    for match in _UNIT.finditer(text):
        kind = fold(match.group("kind"))
        unambiguous = kind.startswith(_UNIQUE_KINDS)
        before = text[max(0, match.start() - 40) : match.start()]
        if not unambiguous and (
            not police_text or _ADDRESS_BEFORE.search(before) or _STREET_BEFORE.search(before)
        ):
            continue
        kind_key = "unit" if ("unit" in kind or "unidad" in kind) else "car"
        unit = f"{kind_key}-{match.group('number').lower()}"
        refs.append(_Ref(match.start(), match.end(), unit=unit))
    return refs


def _merge(text: str, refs: list[_Ref]) -> list[_Ref]:
    """Join a name reference with the badge/unit written right after it; drop overlaps."""
    refs.sort(key=lambda r: (r.start, -r.end))
    merged: list[_Ref] = []
    for ref in refs:
        if merged and ref.start < merged[-1].end:
            continue  # overlapped by an earlier, longer reference
        if merged and _JOINER.match(text[merged[-1].end : ref.start]):
            previous = merged[-1]
            if previous.name and ref.name is None and not (previous.badge and ref.badge):
                gap = text[previous.end : ref.start]
                closes = "(" in gap and text[ref.end : ref.end + 1] == ")"
                previous.end = ref.end + 1 if closes else ref.end
                previous.badge = previous.badge or ref.badge
                previous.unit = previous.unit or ref.unit
                continue
        merged.append(ref)
    return merged


def _key(ref: _Ref) -> str:
    if ref.badge:
        return f"badge:{ref.badge.lower().lstrip('0') or '0'}"
    if ref.unit:
        return f"unit:{ref.unit}"
    surname = fold((ref.name or "").split()[-1])
    return "name:" + re.sub(r"[^\w-]", "", surname)


def find_officers(text: str) -> list[OfficerRef]:
    """Officer references in `text`, in order ("Officer J. Ramirez", "badge #4471", "unit 3")."""
    refs = _name_refs(text) + _listed_refs(text) + _badge_refs(text) + _unit_refs(text)
    refs = _merge(text, refs)
    return [
        OfficerRef(
            text=text[r.start : r.end],
            start=r.start,
            end=r.end,
            key=_key(r),
            rank=r.rank,
            name=r.name,
            badge=r.badge,
            unit=r.unit,
        )
        for r in refs
    ]
