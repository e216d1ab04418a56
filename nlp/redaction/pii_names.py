"""People's names: spaCy PERSON entities plus the cues spaCy misses.

spaCy's small English model misses names after introductions ("my name is eva", "me llamo
Lucía", "soy Marta", "User: Šárka Ottová"), after honorifics ("Sra. Ortega"), in all-lower-case
SMS and in Spanish sentences. Once a name is found, its other mentions in the same text are
found too ("Jožef Albin ... Albin said"), because one missed mention is enough to identify someone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc

from nlp.redaction.common_words import is_common_word
from nlp.redaction.first_names import is_ambiguous_name, is_given_name
from nlp.redaction.pii_names_spacy import STREET_AFTER, spacy_names

# A name word: capitalised or lower-case letters, with inner apostrophes/hyphens ("O'Neil").
_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['’-][^\W\d_])*"
_INITIAL = r"[^\W\d_]\."
# Introductions after which a name follows even when written in lower case.
_STRONG_CUES = (
    r"my\s+name\s+is|my\s+name's|name\s+is|names?\s*:|full\s+name\s*:|nombre\s*:|"
    r"me\s+llamo|mi\s+nombre\s+es|se\s+llama|call\s+me|calls\s+me|ll[aá]m[ae]me|"
    r"user\s*:|name\s*\?|maiden\s+name\s+is|last\s+name\s+is|first\s+name\s+is"
)
# Weaker introductions: the name must be capitalised ("I'm Naomi", not "I'm tired").
_WEAK_CUES = (
    r"called|named|llamad[oa]|i\s+am|i['’]m|this\s+is|it['’]s|soy|habla|signed|sincerely|"
    r"regards|atentamente"
)
_HONORIFICS = (
    r"mr|mrs|ms|miss|mx|dr|prof|sr|sra|srta|don|do[nñ]a|se[nñ]or|se[nñ]ora|se[nñ]orita|"
    r"lic|ing|mister|madam"
)
_STRONG = re.compile(
    rf"\b(?:{_STRONG_CUES})[ \t]*(?P<name>(?:{_INITIAL}[ \t]*|{_NAME_WORD}[ \t]*){{1,4}})",
    re.IGNORECASE,
)
_WEAK = re.compile(
    rf"\b(?:{_WEAK_CUES})[ \t]+(?P<name>[^\W\d_][^\W_]*(?:[ \t]+(?:{_INITIAL}|[^\W\d_]+)){{0,3}})",
    re.IGNORECASE,
)
_HONORIFIC = re.compile(
    rf"\b(?:{_HONORIFICS})\.?[ \t]+(?P<name>(?:{_INITIAL}[ \t]*|{_NAME_WORD}[ \t]*){{1,3}})",
    re.IGNORECASE,
)


def _leading_name(candidate: str, *, need_capital: bool) -> int:
    """Length of the name at the start of `candidate`: name words until an everyday word."""
    end = 0
    for match in re.finditer(rf"{_INITIAL}|{_NAME_WORD}", candidate):
        word = match.group()
        if is_common_word(word.rstrip(".")):
            break
        if need_capital and not word[:1].isupper():
            break
        end = match.end()
    # A name never ends in a bare initial; "eric g." is "eric".
    trimmed = candidate[:end].rstrip()
    while re.search(rf"(?:^|\s){_INITIAL}$", trimmed):
        trimmed = trimmed[: trimmed.rfind(" ")].rstrip() if " " in trimmed else ""
    return len(trimmed)


def _cue_names(text: str) -> list[tuple[int, int]]:
    spans = []
    for pattern, need_capital in ((_STRONG, False), (_WEAK, True), (_HONORIFIC, True)):
        for match in pattern.finditer(text):
            length = _leading_name(match.group("name"), need_capital=need_capital)
            if length:
                spans.append((match.start("name"), match.start("name") + length))
    return spans


def _other_mentions(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every other occurrence of a word of an already-found name (whole word).

    Only capitalised name words spread, and only to capitalised occurrences (any case in an
    all-lower-case text): "Williamson Orchestra" must not turn every "orchestra" into a name.
    """
    lower_text = text.islower()
    words = {
        word
        for start, end in spans
        for word in re.findall(r"[^\W\d_]{3,}", text[start:end])
        if not is_common_word(word) and (lower_text or word[:1].isupper())
    }
    if not words:
        return []
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text) if lower_text or m.group()[:1].isupper()]


_NEXT_NAME_WORD = re.compile(rf"[ \t]+({_INITIAL}|{_NAME_WORD})")


def _lexicon_names(text: str) -> list[tuple[int, int]]:
    """A known given name, capitalised, plus the surname words after it ("Marta Palermo")."""
    lower_text = text.islower()
    spans = []
    for match in re.finditer(rf"(?<![\w]){_NAME_WORD}", text):
        word = match.group()
        if not is_given_name(word) or not (word[:1].isupper() or lower_text):
            continue
        if word.isupper() and len(word) > 1 and not text.isupper():
            continue  # an acronym
        end = match.end()
        # In all-lower-case text nothing marks where a name ends: take one surname word at most.
        for _ in range(1 if lower_text else 3):
            surname = _NEXT_NAME_WORD.match(text, end)
            if surname is None:
                break
            candidate = surname.group(1)
            if is_common_word(candidate.rstrip(".")) or not (candidate[:1].isupper() or lower_text):
                break
            if STREET_AFTER.match(candidate):
                break  # "Summer Street" is a street, not Summer with a surname
            end = surname.end()
        has_surname = end > match.end()
        ambiguous = is_ambiguous_name(word) or is_common_word(word)
        # In lower-case text a "surname" is just the next word ("summer jobs").
        if ambiguous and (lower_text or not has_surname):
            continue
        spans.append((match.start(), end))
    return spans


# Surname endings common across European languages: "Nyström", "Guðmundsdóttir", "Jeknić".
# Compared case-folded but NOT accent-folded: "-ić" is a surname, "-ic" is "Traffic".
_PAIR_ENDINGS = tuple(
    str.split(
        "sson ssen sen son dottir dóttir ová ova eva ovich evich ić ič ski sky wicz enko nen "
        "opoulos poulos oglu oğlu escu ström qvist kvist berg gren ez"
    )
)
# Endings distinctive enough to mark a lone capitalised word as a surname ("Usamov").
_SINGLE_ENDINGS = tuple(
    str.split("sson dottir dóttir ová ova ov ev eva ić vić nen enko wicz ski opoulos")
)
_TITLE_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ſ][^\W\d_]+"
# "Ravil G Yefimov", "Ella H. Snider": given name, initial, surname.
_FIRST_INITIAL_LAST = re.compile(rf"(?<![\w]){_TITLE_WORD}[ \t]+[A-Z]\.?[ \t]+{_TITLE_WORD}")
_TWO_TITLE_WORDS = re.compile(rf"(?<![\w])({_TITLE_WORD})[ \t]+({_TITLE_WORD})(?![\w])")


def _shaped_names(text: str) -> list[tuple[int, int]]:
    """Names recognisable by their shape: first-initial-last, or a surname ending ("-sson")."""
    spans = []
    for match in _FIRST_INITIAL_LAST.finditer(text):
        words = re.findall(r"[^\W\d_]{2,}", match.group())
        if not any(is_common_word(w) for w in words):
            spans.append(match.span())
    for match in _TWO_TITLE_WORDS.finditer(text):
        first, last = match.group(1), match.group(2)
        if is_common_word(first) or is_common_word(last) or last.isupper() or first.isupper():
            continue
        if len(last) >= 5 and last.casefold().endswith(_PAIR_ENDINGS):
            spans.append(match.span())
    for match in re.finditer(rf"(?<![\w]){_TITLE_WORD}(?![\w])", text):
        word = match.group()
        if word.isupper() or is_common_word(word):
            continue
        if len(word) >= 6 and word.casefold().endswith(_SINGLE_ENDINGS):
            spans.append(match.span())
    return spans


# "Danial, can I please ...": a message that opens by addressing someone.
_VOCATIVE = re.compile(
    rf"^[ \t]*({_TITLE_WORD}),[ \t]+(?:can|could|would|will|please|i|we|you|do|did|are|is|thanks|"
    rf"thank|puedes|puede|por|gracias|necesito)\b",
    re.IGNORECASE | re.MULTILINE,
)
# "Franciska's kid", "Matej's address": a possessive naming a relative or personal belonging.
# "the Almeida family", "la familia Ortega": a household by its surname.
_FAMILY = re.compile(
    rf"\b(?:the[ \t]+({_TITLE_WORD})s?[ \t]+(?:family|household|kids|boys|girls|home|house)"
    rf"|(?i:familia)[ \t]+({_TITLE_WORD}))\b"
)
_POSSESSIVE = re.compile(
    rf"(?<![\w])({_TITLE_WORD})['’]s[ \t]+(?:kids?|son|daughter|mother|mom|mum|father|dad|wife|"
    rf"husband|brother|sister|boyfriend|girlfriend|partner|friend|family|address|phone|number|"
    rf"house|home|car|killers?|attorney|lawyer)\b"
)


def _addressed_or_possessed(text: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in (_VOCATIVE, _POSSESSIVE, _FAMILY):
        for match in pattern.finditer(text):
            group = 1 if match.group(1) else 2
            name = match.group(group)
            if name[:1].isupper() and not is_common_word(name):
                spans.append(match.span(group))
    return spans


_LIST_ITEM = r"[A-Z][^\W\d_]+(?:[ \t][A-Z][^\W\d_]+)?"
_NAME_LIST = re.compile(
    rf"{_LIST_ITEM}(?:,[ \t]*{_LIST_ITEM})*,?[ \t]+(?:and|y|&|or|o)[ \t]+{_LIST_ITEM}"
)


def _listed_with_names(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """In "Monjeau, Graves and Reed", one name makes every item of the list a name."""
    found = []
    for listing in _NAME_LIST.finditer(text):
        items = [m.span() for m in re.finditer(_LIST_ITEM, listing.group())]
        items = [(listing.start() + a, listing.start() + b) for a, b in items]
        if any(a < e and s < b for a, b in items for s, e in spans) and not any(
            is_common_word(text[a:b]) for a, b in items
        ):
            found += items
    return found


_SPEAKER = re.compile(r"(?m)^[ \t>]*([A-Z][^\W\d_]+):[ \t]")
_LABELS = frozenset(
    str.split(
        "bot user agent note notes address phone name date time website email mail mobile desk "
        "fax subject re to from cc tel question answer q a customer client support admin system"
    )
)


def _speakers(text: str) -> list[tuple[int, int]]:
    """Speaker names in a written dialogue ("Ubul: What a wife.\nNicole: ...")."""
    labels = [m for m in _SPEAKER.finditer(text) if m.group(1).casefold() not in _LABELS]
    if len({m.group(1) for m in labels}) < 2:
        return []
    return [m.span(1) for m in labels if not is_common_word(m.group(1))]


_RELATIONS = (
    r"son|daughter|kid|child|boy|girl|baby|brother|sister|cousin|uncle|aunt|auntie|nephew|niece"
    r"|mom|mother|mum|dad|father|grandma|grandmother|grandpa|grandfather|grandson|granddaughter"
    r"|husband|wife|partner|boyfriend|girlfriend|fianc[eé]e?|ex|roommate|neighbou?r|friend"
    r"|coworker|co-worker|boss|landlord|landlady|tenant|classmate|step(?:son|daughter|dad|mom)"
    r"|case[ \t]?worker|advocate|counselou?r|teacher|coach|manager|supervisor|caregiver"
    r"|hijo|hija|hermano|hermana|primo|prima|t[ií]o|t[ií]a|sobrino|sobrina|mam[aá]|madre|pap[aá]"
    r"|padre|abuela|abuelo|nieto|nieta|esposo|esposa|marido|pareja|novio|novia|vecino|vecina"
    r"|amigo|amiga|compa[nñ]ero|compa[nñ]era|jefe|jefa|casero|casera|suegra|suegro|cu[nñ]ado"
    r"|cu[nñ]ada|maestra|maestro"
)
# "my son Eli", "mi vecina Lupita", "my trans girlfriend Jade": a relative or neighbour by name.
_RELATION = re.compile(
    rf"\b(?:my|our|his|her|their|mi|mis|su|sus|tu|nuestr[oa]s?)[ \t]+(?:[^\W\d_]+[ \t]+){{0,2}}?"
    rf"(?:{_RELATIONS})s?"
    rf"[ \t]*,?[ \t]+(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})",
    re.IGNORECASE,
)
# "the victim advocate at the courthouse, Janelle, walked me": a role, then a name in commas.
_APPOSITIVE = re.compile(
    rf"\b(?:{_RELATIONS})\b[^,.\n]{{0,40}},[ \t]+(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)"
    rf"[ \t]*,",
    re.IGNORECASE,
)
# "Carly is her name", "Okafor is his last name": capitalised words right before it.
_NAME_FIRST = re.compile(
    rf"(?<![\w])(?P<name>{_TITLE_WORD}(?:[ \t]+{_TITLE_WORD})?)[ \t]+(?i:is[ \t]+(?:his|her|my"
    rf"|their)[ \t]+(?:(?:first|last|full)[ \t]+)?name)\b"
)


def _relation_names(text: str) -> list[tuple[int, int]]:
    """Names introduced by a relation or role ("my sister Tamara") or followed by "is her name".

    Capitalised unless the whole text is lower case; cut at the first everyday word.
    """
    lower_text = text.islower()
    spans = []
    for pattern in (_RELATION, _APPOSITIVE):
        for match in pattern.finditer(text):
            candidate = match.group("name")
            if re.fullmatch(_HONORIFICS, candidate.split()[0], re.IGNORECASE):
                continue  # "my neighbor Mr. Ellison": the honorific detector takes it
            # In lower-case text "my grandpa fell" looks like "my grandpa Fell": trust the lexicon.
            if lower_text and not is_given_name(candidate.split()[0]):
                continue
            length = _leading_name(candidate, need_capital=not lower_text)
            if length:
                spans.append((match.start("name"), match.start("name") + length))
    for match in _NAME_FIRST.finditer(text):
        start, end = match.span("name")
        while (lead := re.match(r"[^\W\d_]+[ \t]+", text[start:end])) and is_common_word(
            lead.group().strip()
        ):
            start += lead.end()
        if not is_common_word(text[start:end].split()[-1]):
            spans.append((start, end))
    return spans


def _words_of(text: str, spans: Sequence[tuple[int, int]]) -> set[str]:
    return {
        w.casefold() for start, end in spans for w in re.findall(r"[^\W\d_]{2,}", text[start:end])
    }


def _outside(
    spans: Sequence[tuple[int, int]], context: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The spans not inside a longer context span ("Jose" in "San Jose"; a lone "Marcus" tagged
    as a place is still a name)."""
    return [
        (s, e) for s, e in spans if not any(a <= s and e <= b and b - a > e - s for a, b in context)
    ]


def find_names(
    text: str,
    *,
    doc: Doc,
    keep: Sequence[tuple[int, int]] = (),
    context: Sequence[tuple[int, int]] = (),
    spanish: bool = False,
) -> list[tuple[int, int]]:
    """(start, end) spans of people's names in `text` (may overlap; the caller merges).

    Names written inside `keep` spans (officer references, places, protected terms) are not names
    to redact, and neither are their later mentions: "Officer Ramirez ... then Ramirez grabbed me"
    keeps both. `context` spans (spaCy's places and organisations: "San Jose", "Santa Rosa")
    overrule only the weaker detectors (spaCy PERSON, a given name from the lexicon), not an
    introduction, a relation or a surname's shape.
    `spanish` says the text is Spanish, where spaCy's English model is least reliable.
    """
    protected = _words_of(text, keep)

    def unprotected(span: tuple[int, int]) -> bool:
        return bool(_words_of(text, [span]) - protected)

    weak = _outside(spacy_names(doc, spanish=spanish) + _lexicon_names(text), context)
    spans = weak + _cue_names(text) + _relation_names(text) + _shaped_names(text)
    spans += _speakers(text) + _addressed_or_possessed(text)
    spans = [s for s in spans if unprotected(s)]
    spans += [s for s in _listed_with_names(text, spans) if unprotected(s)]
    return spans + [s for s in _other_mentions(text, spans) if unprotected(s)]
