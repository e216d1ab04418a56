"""The text the classifier reads: the report without contact details or officers' particulars.

"My name is Ana Lopez, call me at 555-201-7788" says nothing about what happened, yet it pulls a
mean-pooled sentence embedding towards whatever the training examples with names were about
(thank-you notes). So the classifier reads the text with each personal-data span removed, along
with the cue words that introduce it ("my name is", "call me at", "me llamo", …). It never sees
the personal data at all, which is also what the council sees.

Officer references get the same treatment for a different reason: "Officer Smith, badge 4471,
pushed me" was filed as praise, because a named, numbered officer is what thank-you notes are
about. What the officer did decides the category, not who they were, so each reference is read
as its rank word alone ("Officer", "agente", "Sgt.") or, without one, as a plain "the officer" in
the text's language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.types import Entity, OfficerRef

# Words that introduce a name or a way to reach someone, ending right before the span.
_CUE = re.compile(
    r"(?:\b(?:my\s+name\s+is|my\s+name's|name\s*:|i\s*am|i'm|this\s+is|it's|"
    r"call\s+me(?:\s+at|\s+on)?|text\s+me(?:\s+at|\s+on)?|email\s+me(?:\s+at)?|"
    r"reach\s+me(?:\s+at|\s+on)?|contact\s+me(?:\s+at|\s+on)?|"
    r"(?:my\s+)?(?:\w+'s\s+)?(?:cell|phone|number|mobile|email|e-mail)(?:\s+number)?\s*(?:is|:)?|"
    r"at|on|me\s+llamo|mi\s+nombre\s+es|soy|ll[aá]m[ea]me\s+al?|escr[ií]b[ae]me\s+al?|"
    r"mi\s+(?:n[uú]mero|tel[eé]fono|celular|correo)(?:\s+es)?|vivo\s+en(?:\s+la)?)"
    r")[\s,:\-]*$",
    re.IGNORECASE,
)


# What an officer reference without a rank word ("badge 4471", "patrulla 45") reads as.
_GENERIC_OFFICER = {"en": "the officer", "es": "el agente"}


def text_for_classification(
    text: str,
    entities: Sequence[Entity],
    *,
    officers: Sequence[OfficerRef] = (),
    language: str = "en",
) -> str:
    """`text` without its personal-data spans and the cue words that introduce them, and with
    each officer reference reduced to its rank word."""
    if not entities and not officers:
        return text
    edits = sorted(
        [(e.start, e.end, "") for e in entities]
        + [
            (o.start, o.end, o.rank or _GENERIC_OFFICER.get(language, _GENERIC_OFFICER["en"]))
            for o in officers
        ]
    )
    pieces: list[str] = []
    cursor = 0
    for start, end, replacement in edits:
        if start < cursor:
            continue
        before = text[cursor:start]
        cue = _CUE.search(before[-40:]) if not replacement else None
        if cue is not None:
            before = before[: len(before) - (len(before[-40:]) - cue.start())]
        pieces.append(before)
        pieces.append(replacement)
        cursor = end
    pieces.append(text[cursor:])
    joined = "".join(pieces)
    # Tidy what removal leaves behind: ". , ." runs of punctuation and doubled spaces.
    joined = re.sub(r"([.!?,;])(?:[ \t]*[.!?,;])+", r"\1", joined)
    joined = re.sub(r"[ \t]{2,}", " ", joined)
    return joined.strip(" \t,;.")
