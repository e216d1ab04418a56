"""Public places, landmarks, businesses, schools and organisations named in a report: kept.

"the Riverton library", "escuela Roosevelt", "the 7-Eleven on Main", "Almeida Hardware" say where
something happened; the small NER model often reads their first word as a person. Two kinds:
- `strong` spans, from patterns and lexicons that rarely fire on a private person: a capitalised
  name with a place noun ("Lincoln High", "Riverton courthouse"), a place noun then a name
  ("escuela Roosevelt", "tienda La Michoacana"), a street named without a house number ("Water
  St", "on Oak", "5th and Grand"), a town after "in"/"en"/"a", a chain store, the city's
  gazetteer and the city's own name;
- `weak` spans, spaCy's ORG/FAC/GPE/LOC/NORP entities: they overrule only the weaker name
  detectors, because the small model also tags people as organisations ("Janelle" as ORG).
A street ADDRESS (with a house number) is personal data: the redactor lets addresses win.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from nlp.places import Gazetteer
from nlp.redaction.common_words import is_common_word
from nlp.redaction.first_names import is_given_name

_PLACE_NOUNS_EN = (
    r"library|school|high|elementary|middle|academy|college|university|campus|park|playground"
    r"|courthouse|court|bridge|overpass|underpass|tunnel|station|hospital|clinic|church|mosque"
    r"|temple|synagogue|cathedral|chapel|mall|market|supermarket|store|shop|hardware|pharmacy"
    r"|laundromat|center|centre|plaza|square|hall|pier|stadium|field|arena|gym|pool|rec|bar|pub"
    r"|restaurant|cafe|café|diner|deli|bakery|motel|hotel|inn|apartments|towers?|building|garage"
    r"|depot|terminal|airport|shelter|precinct|headquarters|hq|jail|prison|bank|grocery|foods"
    r"|mart|lounge|club|theater|theatre|cinema|museum|zoo|cemetery|lake|river|creek|beach|trail"
    r"|woods|projects|homes|commons|ymca|dmv|plant|factory|warehouse|auto|motors|tires"
    r"|barbershop|salon|liquors?|bodega|laundry|cleaners|pizza|pizzeria|tacos|taqueria|kitchen"
    r"|grill|cafeteria|stop"
)
_PLACE_NOUNS_ES = (
    r"escuela|secundaria|primaria|preparatoria|prepa|colegio|universidad|biblioteca|parque"
    r"|tienda|iglesia|mezquita|templo|hospital|cl[ií]nica|mercado|supermercado|farmacia"
    r"|lavander[ií]a|panader[ií]a|taquer[ií]a|restaurante|puente|estaci[oó]n|plaza|centro"
    r"|cancha|gasolinera|c[aá]rcel|corte|tribunal|oficina|edificio|departamentos|apartamentos"
    r"|colonia|barrio|calle|avenida|carnicer[ií]a|tortiller[ií]a|paleter[ií]a|super|abarrotes"
    r"|cafeter[ií]a|refugio|bar|caf[eé]|sal[oó]n|club|taller|gimnasio|hotel|motel|museo|cine"
    r"|estadio|cantina|discoteca|antro|lonchería|fonda|puesto"
)
_STREET_WORDS = (
    r"st|street|ave|avenue|av|rd|road|blvd|boulevard|dr|drive|ln|lane|way|ct|court|pl|place|hwy"
    r"|highway|pkwy|parkway|terrace|ter|circle|cir|trail|pike|expressway|freeway"
)
_CAP = r"(?:[A-Z][\w'’&.-]*|\d+(?:st|nd|rd|th)|\d{1,2}-Eleven)"
_NAME_THEN_NOUN = re.compile(
    rf"\b(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,3}})[ \t]+(?P<noun>(?i:{_PLACE_NOUNS_EN}))\b"
)
# Schools are often named after a person ("Martin Luther King Elementary"); other places whose
# "name" is a person's full name are more likely a surname ("Tyler James Hall", "Jenna Lee Park").
_SCHOOL_NOUNS = frozenset({"school", "high", "elementary", "middle", "academy", "college"})
_NOUN_THEN_NAME = re.compile(
    rf"\b(?i:{_PLACE_NOUNS_ES})[ \t]+(?i:(?:de|del|de[ \t]+la|de[ \t]+los)[ \t]+)?"
    rf"(?i:(?:la|el|los|las)[ \t]+)?(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,3}})"
)
_STREET = re.compile(
    rf"(?<![\d#][ \t])(?<!\d)\b(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,2}})[ \t]+"
    rf"(?i:{_STREET_WORDS})\b\.?"
)
# "on Oak", "down Hale", "5th and Grand", "corner of Oak and Pine": a street by its name alone.
_LOCATIVE = re.compile(
    rf"\b(?:on|along|down|up|off|onto|across|crossing|past|corner[ \t]+of|between|at|esquina"
    rf"[ \t]+de|entre)[ \t]+(?:the[ \t]+)?(?P<name>{_CAP}(?:[ \t]+(?:and|&|y)[ \t]+{_CAP})?)"
    rf"(?![\w'’])"
)
_PLACE_SUFFIXES = (
    "ton", "ville", "burg", "field", "wood", "side", "dale", "ford", "port", "view", "gate",
    "brook", "haven", "hills", "heights", "land", "park", "town", "city",
)  # fmt: skip
_TOWN = re.compile(
    rf"\b(?:in|en|a|to|from|de|near|around|outside|cerca[ \t]+de|hacia|desde)[ \t]+"
    rf"(?P<name>{_CAP}(?:[ \t]+{_CAP})?)"
)
_CHAINS = re.compile(
    r"\b(?:walgreens|cvs|rite[ \t]aid|walmart|wal-mart|target|costco|kroger|safeway|aldi|publix"
    r"|7-eleven|seven[ \t]eleven|mcdonald['’]?s|burger[ \t]king|wendy['’]?s|taco[ \t]bell"
    r"|starbucks|dunkin['’]?(?:[ \t]donuts)?|chipotle|home[ \t]depot|lowe['’]?s"
    r"|dollar[ \t](?:general|tree)|family[ \t]dollar|kfc|popeyes|circle[ \t]k|shell|chevron"
    r"|exxon|speedway|wawa|sheetz|whole[ \t]foods|trader[ \t]joe['’]?s|best[ \t]buy|denny['’]?s"
    r"|ihop|applebee['’]?s|chili['’]?s|arby['’]?s|papa[ \t]john['’]?s|domino['’]?s"
    r"|little[ \t]caesars|subway|waffle[ \t]house|dairy[ \t]queen|sonic|jack[ \t]in[ \t]the"
    r"[ \t]box|kohl['’]?s|macy['’]?s|dillard['’]?s|casey['’]?s|city[ \t]hall|town[ \t]hall"
    r"|post[ \t]office|dmv|ymca|ywca|amtrak|greyhound|planned[ \t]parenthood|salvation[ \t]army"
    r"|goodwill|food[ \t]bank)\b",
    re.IGNORECASE,
)
_WEAK_LABELS = frozenset({"ORG", "FAC", "GPE", "LOC", "NORP"})
_ORG_WORD = re.compile(
    r"\b(?:inc|llc|ltd|corp|co|company|department|dept|church|school|bank|association|foundation"
    r"|center|centre|university|college|hospital|police|council|committee|union|club|group"
    r"|services|agency|office|society|institute|ministries|coalition|network|alliance|fund)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PlaceSpans:
    strong: tuple[tuple[int, int], ...]
    weak: tuple[tuple[int, int], ...]


def _named(text: str, start: int, end: int) -> bool:
    """The name part holds a word that is not everyday and is not a lone given name."""
    tokens = [re.sub(r"['’]s$", "", t) for t in re.findall(r"[\w'’]+", text[start:end])]
    if not tokens or all(is_common_word(t) for t in tokens):
        return False
    return not (len(tokens) == 1 and is_given_name(tokens[0]))


def _person_named(name: str) -> bool:
    """A given name and another capitalised word: a person's full name."""
    tokens = name.split()
    return len(tokens) >= 2 and is_given_name(tokens[0]) and not is_common_word(tokens[1])


def _drop_leading_common(text: str, start: int, end: int) -> int:
    """Skip everyday words at the start of a name part ("The Riverton library")."""
    while (lead := re.match(r"[\w'’]+[ \t]+", text[start:end])) and is_common_word(
        lead.group().strip()
    ):
        start += lead.end()
    return start


def _pattern_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in (_NAME_THEN_NOUN, _STREET):
        for match in pattern.finditer(text):
            start = _drop_leading_common(text, *match.span("name"))
            school = pattern is _NAME_THEN_NOUN and match.group("noun").lower() in _SCHOOL_NOUNS
            if not school and _person_named(text[start : match.end("name")]):
                continue  # "Isaac Lodge Street", "Tyler James Hall": a person's full name
            if pattern is _STREET or _named(text, start, match.end("name")):
                spans.append((start, match.end()))
    for match in _NOUN_THEN_NAME.finditer(text):
        if _named(text, *match.span("name")):
            spans.append(match.span())
    for match in _LOCATIVE.finditer(text):
        parts = re.split(r"[ \t]+(?:and|&|y)[ \t]+", match.group("name"))
        if match.group("name").endswith(("'s", "’s")):
            continue  # "at Okonkwo's (house)": a person's home, not a street
        if all(_named(part, 0, len(part)) for part in parts):
            spans.append(match.span("name"))
    for match in _TOWN.finditer(text):
        name = match.group("name")
        if name.casefold().endswith(_PLACE_SUFFIXES) and not is_common_word(name):
            spans.append(match.span("name"))
    spans += [m.span() for m in _CHAINS.finditer(text)]
    return spans


def _named_spans(text: str, names: Sequence[str]) -> list[tuple[int, int]]:
    spans = []
    for name in names:
        if name.strip():
            pattern = rf"(?<![\w]){re.escape(name.strip())}(?![\w])"
            spans += [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]
    return spans


def find_public_places(
    text: str,
    *,
    doc: Doc | None,
    gazetteer: Gazetteer | None = None,
    place_names: Sequence[str] = (),
) -> PlaceSpans:
    """Spans of public places in `text` (see the module docstring for strong and weak)."""
    strong = _pattern_spans(text) + _named_spans(text, place_names)
    if gazetteer is not None:
        strong += [(m.start, m.end) for m, _score in gazetteer.matches(text)]
    weak: list[tuple[int, int]] = []
    if doc is not None:
        for ent in doc.ents:
            # The small model also calls people organisations: an ORG needs an organisation word.
            organisation = ent.label_ != "ORG" or _ORG_WORD.search(ent.text) is not None
            if ent.label_ in _WEAK_LABELS and organisation and any(c.isalpha() for c in ent.text):
                weak.append((ent.start_char, ent.end_char))
    return PlaceSpans(tuple(sorted(set(strong))), tuple(weak))
