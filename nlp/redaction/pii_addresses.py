"""Street addresses, PO boxes and postal codes, in the forms residents and forms write them.

Structural patterns, each anchored on something an address has and ordinary prose rarely has:
- number first, street-type word last: "1234 Oak St", "22 Pollen Crescent", "12 N Main Street";
- street name, then house number, where the name carries a street word: "calle Flores 23",
  "Rua Diadema 1903", "Via Tasso 129", "ul. Jesionowa 127", "Rákóczi út 13", or ends in one:
  "Pohlstrasse 9", "Hersnapvej 18", "Kiannonkatu 98";
- a long leading number, a name and a house number: "28245 Puruntie 82";
- PO boxes and military mail: "P.O. Box 287", "apartado 12", "PSC 1437, Box 3833 APO AA 66791";
- a postal code after its label: "zip code 60614", "código postal 06600".
A match then grows over what follows it on the same or the next lines: unit designators
("Apt. 5", "Suite 282", "piso 3"), town, region and postal code, and a country name.

A street name without a house number ("on Oak Street", "500 block of Oak Street") is where an
incident happened, a fact the council needs, and is not matched.
"""

from __future__ import annotations

import re

from nlp.redaction.common_words import is_common_word

_WORD = r"[^\W\d_][^\W\d_'’.-]*\.?"
_NUM = r"\d{1,6}[A-Za-z]?(?:-\d{1,5})?"
# Street-type words written after the name ("Oak Street") — English forms.
_TYPE_AFTER = (
    r"street|st|str|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl"
    r"|terrace|ter|circle|cir|crescent|cres|parkway|pkwy|highway|hwy|route|rte|loop|trail|trl"
    r"|square|sq|bypass|crossing|crossroad|row|alley|close|grove|gardens|mews|walk|path|pike"
    r"|plaza|expressway|freeway|turnpike|ridge|forks|lodge|dale|hills?|heights|points?|green"
)
# Street-type words written before the name ("calle Flores", "Rua Diadema", "ul. Jesionowa").
_TYPE_BEFORE = (
    r"calle|c/|avenida|avda\.?|av\.|paseo|plaza|pza\.?|privada|cerrada|callej[oó]n|camino"
    r"|carretera|calzada|rua|r[uú]a|rue|via|viale|corso|piazza|piazzetta|largo|pra[cç]a|travessa"
    r"|carrer|ul\.|ulica|trg|avenue|boulevard|chauss[ée]e|all[ée]e|chemin|impasse|quai"
)
# Words that end street names in many European languages ("Pohlstrasse", "Ringvej").
_STREET_ENDINGS = (
    "strasse",
    "straße",
    "str.",
    "straat",
    "stræti",
    "straeti",
    "gasse",
    "weg",
    "laan",
    "vej",
    "gade",
    "gata",
    "gatan",
    "väg",
    "vägen",
    "veien",
    "vegen",
    "vegur",
    "braut",
    "katu",
    "tie",
    "hove",
    "plein",
    "kade",
    "gracht",
    "platz",
    "allee",
    "damm",
    "utca",
    "útja",
)
# Standalone street words that sit between name and number ("Rákóczi út 13", "Piroska u. 97").
_MID_TYPE = r"út|utca|útja|tér|u\.|körút|sétány|sokak|cad\.|cd\.|str\.|ulica"

_NUMBER_FIRST = re.compile(
    rf"\b(?:{_NUM}[ \t]+)?{_NUM}[ \t]+(?:[NSEW]\.?[ \t]+)?(?P<words>(?:{_WORD}[ \t]+){{1,3}})"
    rf"(?:{_TYPE_AFTER})\b\.?",
    re.IGNORECASE,
)
# The same, shortest street first: "419 Walnut St. kids walk" when the longer reading fails.
_NUMBER_FIRST_SHORT = re.compile(_NUMBER_FIRST.pattern.replace("{1,3})", "{1,3}?)"), re.IGNORECASE)
_TYPE_FIRST = re.compile(
    rf"(?:\b{_NUM}[ \t]+)?(?<![\w])(?:{_TYPE_BEFORE})(?:(?<=[./])|(?![\w]))[ \t]*"
    rf"(?:(?:de|del|de la|do|da|dos|das|des|di|delle|della|du|de los|de las)[ \t]+)?"
    rf"(?P<words>(?:{_WORD}[ \t]+){{0,3}}{_WORD})"
    rf"[ \t]+{_NUM}\b\.?",
    re.IGNORECASE,
)
_NUMBER_THEN_TYPE_FIRST = re.compile(
    rf"\b(?:{_NUM}[ \t]+)?{_NUM}[ \t]+(?:{_TYPE_BEFORE})(?![\w])[ \t]+"
    rf"(?P<words>(?:(?:de|du|des|la|le|del|di|da|do)[ \t]+)*{_WORD}(?:[ \t]+{_WORD}){{0,3}})",
    re.IGNORECASE,
)
_NAME_THEN_NUMBER = re.compile(
    rf"(?:\b(?P<lead>\d{{3,6}})[ \t]+)?(?P<words>(?:{_WORD}[ \t]+){{0,3}}{_WORD})[ \t]+"
    rf"(?P<number>\d{{1,5}}[A-Za-z]?)\b\.?",
    re.IGNORECASE,
)
_PO_BOX = re.compile(
    r"\b(?:p\.?[ \t]?o\.?[ \t]?box|post[ \t]+office[ \t]+box|apartado(?:[ \t]+postal)?"
    r"|casilla(?:[ \t]+postal)?)[ \t]*#?[ \t]*\d{1,6}",
    re.IGNORECASE,
)
_MILITARY = re.compile(
    r"\b(?:(?:psc|cmr|unit)[ \t]+\d{3,5},?[ \t]+box[ \t]+\d{1,5}"
    r"|(?:uss|usns|usnv|uscgc)[ \t]+[^\W\d_]+(?:[ \t]+[^\W\d_]+)?)"
    r"(?:\s*(?:apo|fpo|dpo)[ \t]+(?:aa|ae|ap)[ \t]+\d{5})?",
    re.IGNORECASE,
)
_POSTAL_LABEL = re.compile(
    r"\b(?:zip(?:[ \t]*code)?|postal[ \t]+code|post[ \t]*code|c[oó]digo[ \t]+postal|c\.p\.)"
    r"(?:[ \t]+(?:is|es|was))?[ \t]*[:#]?[ \t]*(?P<code>\d{3,6}(?:-\d{4})?)\b",
    re.IGNORECASE,
)
# What may follow an address: a unit designator...
_UNIT_TAIL = re.compile(
    r"[ \t]*,?[ \t]*(?:\n[ \t>?]*)?(?:apt|apartment|suite|ste|unit|fl|floor|room|rm|bldg"
    r"|depto|dpto|departamento|piso|interior|int)\.?[ \t]*#?[ \t]*[\w-]{1,6}\b\.?",
    re.IGNORECASE,
)
# ...and town / region / postal code / country, on the same line after a comma or on next lines.
_PLACE_WORD = r"(?:[^\W\d_][^\W\d_'’.-]*|\([^)\n]{1,30}\))"
_POSTCODE = r"\d{4,6}(?:-\d{4})?|\d{3}[ \t]\d{2}"
_PLACE_TAIL = re.compile(
    r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t>?]*(?:,[ \t]*)?|[ \t]+)"
    rf"(?P<part>{_PLACE_WORD}(?:[ \t]+{_PLACE_WORD}){{0,4}}(?:[ \t]*,?[ \t]+(?:{_POSTCODE}))?"
    rf"|{_POSTCODE})(?=[\s,.?!;]|$)",
)
_MAX_TAIL_PARTS = 4


def _words_plausible(words: str) -> bool:
    """Street-name words: not everyday words ("20 minutes down the road" is no address)."""
    tokens = [w.strip(".'’") for w in words.split()]
    return all(t and not is_common_word(t) for t in tokens)


def _ends_like_street(words: str, *, lower_text: bool) -> bool:
    """The street name's last word is a street word ("Hersnapvej", "Pohlstrasse", "út")."""
    tokens = words.split()
    if not tokens:
        return False
    last = tokens[-1]
    if re.fullmatch(_MID_TYPE, last, re.IGNORECASE) or re.fullmatch(_MID_TYPE, tokens[0], re.I):
        return True
    return (
        len(last) >= 6
        and (last[:1].isupper() or lower_text)
        and last.casefold().endswith(_STREET_ENDINGS)
        and not is_common_word(last)
    )


def _street_cores(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for match in _NUMBER_FIRST.finditer(text):
        if not _words_plausible(match.group("words")):
            match = _NUMBER_FIRST_SHORT.match(text, match.start()) or match
        if _words_plausible(match.group("words")):
            spans.append(match.span())
    for match in _TYPE_FIRST.finditer(text):
        if _words_plausible(match.group("words")):
            spans.append(match.span())
    for match in _NUMBER_THEN_TYPE_FIRST.finditer(text):
        words = match.group("words").split()
        while words and is_common_word(words[-1].strip(".")):
            words.pop()  # "29 rue de Tanger in the old town": stop at "in"
        if words:
            spans.append((match.start(), match.start("words") + len(" ".join(words))))
    for match in _NAME_THEN_NUMBER.finditer(text):
        words = match.group("words")
        # Trim leading everyday words: "lives on Rua Diadema 1903" -> "Rua Diadema 1903".
        tokens = words.split()
        while tokens and is_common_word(tokens[0].strip(".")):
            tokens.pop(0)
        if not tokens:
            continue
        kept = " ".join(tokens)
        streety = _ends_like_street(kept, lower_text=text.islower())
        if streety and not match.group("lead"):
            # "title refers to Loorenstrasse 149": the street is the trailing run of name words.
            run: list[str] = []
            for token in reversed(tokens):
                name_like = token[:1].isupper() or re.fullmatch(_MID_TYPE, token, re.I)
                if is_common_word(token.strip(".")) or not (name_like or text.islower()):
                    break
                run.insert(0, token)
            if not run:
                continue
            tokens = run
        if not streety and not (match.group("lead") and _words_plausible(kept)):
            continue
        start = (
            match.start() if match.group("lead") else match.start("words") + words.index(tokens[0])
        )
        spans.append((start, match.end()))
    return spans


def _grow(text: str, start: int, end: int) -> tuple[int, int]:
    """Extend an address over its unit designators and town/region/postcode/country lines.

    A town written after a plain space is taken only right after a unit designator ("Apt. 5
    Springfield"): after a street ("300 Summer Street crosswalk") the next word is prose.
    """
    after_unit = False
    while unit := _UNIT_TAIL.match(text, end):
        end, after_unit = unit.end(), True
    for _ in range(_MAX_TAIL_PARTS):
        tail = _PLACE_TAIL.match(text, end)
        if not tail or ":" in tail.group() or "@" in tail.group():
            break
        part = tail.group("part")
        tokens = re.findall(r"[^\W\d_]+", part)
        same_line_space = not re.match(r"[ \t]*[,\n]", tail.group())
        if same_line_space and (not after_unit or any(is_common_word(w) for w in tokens)):
            break  # "1234 Oak St in case of ..." is prose, not a town
        if tokens and is_common_word(tokens[0]):
            break
        common = next(
            (w for w in re.finditer(r"[^\W\d_]+", part) if is_common_word(w.group())), None
        )
        if common is not None:  # "Tallinn, Estonia for this card": keep "Estonia", then stop
            end = tail.start("part") + len(part[: common.start()].rstrip())
            break
        end, after_unit = tail.end(), False
        while unit := _UNIT_TAIL.match(text, end):
            end, after_unit = unit.end(), True
    return start, end


def _leading_unit(text: str, start: int) -> int:
    """Include a unit designator written just before the street ("Apt. 675 62314 Mellemvej 32")."""
    before = re.search(
        r"(?:apt|apartment|suite|ste|unit)\.?[ \t]*#?[ \t]*\w{1,6}[ \t]+$",
        text[max(0, start - 20) : start],
        re.IGNORECASE,
    )
    return start - len(before.group()) if before else start


def find_addresses(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of addresses in `text`; may overlap each other (the caller merges)."""
    spans = [_grow(text, _leading_unit(text, start), end) for start, end in _street_cores(text)]
    spans += [_grow(text, *m.span()) for m in _PO_BOX.finditer(text)]
    spans += [_grow(text, *m.span()) for m in _MILITARY.finditer(text)]
    spans += [m.span("code") for m in _POSTAL_LABEL.finditer(text)]
    return spans
