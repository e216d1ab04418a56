"""People's names from spaCy's PERSON entities, with the small English model's misreadings removed.

The model tags verbs and nouns as people in all-lower-case SMS ("me detuvieron por ser moreno"),
capitalised sentence openers in Spanish ("Necesito", "Queremos"), streets ("Adams St") and runs of
everyday words ("Salí de mi"). A known given name keeps an entity; the rest must look like a name.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from nlp.redaction.common_words import is_common_word
from nlp.redaction.first_names import is_ambiguous_name, is_given_name

# Street words after a "name" make it a street ("Adams St", "Dorchester Ave"): a place, kept.
STREET_AFTER = re.compile(
    r"^[ \t]*(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|way|pl|place|"
    r"ct|court|sq|square|pkwy|parkway|hwy)\b",
    re.IGNORECASE,
)


_PARTICLES = frozenset(
    str.split("de del la las los y van von der den da di do dos le du bin al el")
)
_SENTENCE_START = re.compile(r"(?:^|[.!?¿¡\n])[ \t\"'(]*$")


def _spacy_noise(text: str, start: int, words: list[str], *, spanish: bool) -> bool:
    """A PERSON entity that is the small English model misreading a text, not a name.

    In all-lower-case SMS it tags verbs and nouns ("me detuvieron por ser moreno"), and in
    Spanish it tags capitalised sentence openers ("Necesito", "Queremos"): without a known
    given name such an entity is not trusted (the cue and lexicon detectors still find names).
    """
    if any(is_given_name(w) and not is_ambiguous_name(w) and not is_common_word(w) for w in words):
        return False
    if text.islower():
        # "frank freud" passes, "luz de la calle" does not: an ambiguous name and one more word.
        return not (len(words) == 2 and is_given_name(words[0]) and not is_common_word(words[1]))
    # "Salí de mi": an everyday lower-case word inside is not a name particle ("de la", "van").
    if any(w.islower() and w not in _PARTICLES and is_common_word(w) for w in words):
        return True
    opens_sentence = _SENTENCE_START.search(text, 0, start) is not None
    return spanish and opens_sentence and len(words) == 1


def spacy_names(doc: Doc, *, spanish: bool = False) -> list[tuple[int, int]]:
    spans = []
    text = doc.text
    lower_text = text.islower()
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        if any(ch.isdigit() or ch == "@" for ch in ent.text):
            continue
        # The small model sometimes runs a name into the next line ("Zizi Kónya\nEnigmaio").
        first_line = ent.text.split("\n", 1)[0].rstrip()
        start, end = ent.start_char, ent.start_char + len(first_line)
        # Leading everyday or rank words are not part of the name ("The Davis", "Sergeant F").
        while lead := re.match(r"([^\W\d_]+)\.?[ \t]+", text[start:end]):
            if not is_common_word(lead.group(1)):
                break
            start += lead.end()
        if text[start:end].endswith(("'s", "’s")):
            end -= 2
        # Nor trailing ones ("la señora Morales de la panadería" tags "Morales de la").
        while tail := re.search(r"[ \t,]+([^\W\d_]+)$", text[start:end]):
            if not is_common_word(tail.group(1)):
                break
            end -= len(tail.group())
        words = re.findall(r"[^\W\d_]+", text[start:end])
        if not words or all(is_common_word(w) for w in words):
            continue
        # In ordinarily cased text a name has a capital: the English model run on Spanish text
        # tags lower-case verbs as people ("me revisaron la mochila").
        if not lower_text and not any(w[:1].isupper() for w in words if not is_common_word(w)):
            continue
        if STREET_AFTER.match(text, end) or STREET_AFTER.match(words[-1]):
            continue
        if _spacy_noise(text, start, words, spanish=spanish):
            continue
        spans.append((start, end))
    return spans
