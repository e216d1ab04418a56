"""The text the classifier reads: the report without the reporter's contact details.

"My name is Ana Lopez, call me at 555-201-7788" says nothing about what happened, yet it pulls a
mean-pooled sentence embedding towards whatever the training examples with names were about
(thank-you notes). So the classifier reads the text with each personal-data span removed, along
with the cue words that introduce it ("my name is", "call me at", "me llamo", …). It never sees
the personal data at all, which is also what the council sees.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.types import Entity

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


def text_for_classification(text: str, entities: Sequence[Entity]) -> str:
    """`text` without its personal-data spans and the cue words that introduce them."""
    if not entities:
        return text
    pieces: list[str] = []
    cursor = 0
    for entity in sorted(entities, key=lambda e: e.start):
        if entity.start < cursor:
            continue
        before = text[cursor : entity.start]
        cue = _CUE.search(before[-40:])
        if cue is not None:
            before = before[: len(before) - (len(before[-40:]) - cue.start())]
        pieces.append(before)
        cursor = entity.end
    pieces.append(text[cursor:])
    joined = "".join(pieces)
    # Tidy what removal leaves behind: ". , ." runs of punctuation and doubled spaces.
    joined = re.sub(r"([.!?,;])(?:[ \t]*[.!?,;])+", r"\1", joined)
    joined = re.sub(r"[ \t]{2,}", " ", joined)
    return joined.strip(" \t,;.")
