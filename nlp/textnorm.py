"""Text normalisation shared by the matchers: accent folding and word tokens with offsets.

Officer keys and gazetteer lookups must agree on what "the same word" means ("Pérez" = "perez",
"JUÁREZ" = "juarez"), so the folding lives in one place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

# Letters, digits and in-word apostrophes/hyphens ("O'Brien", "Foxhollow-Lane" stays two words).
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower-case and strip diacritics: "Juárez" -> "juarez", "Ñandú" -> "nandu"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (folded word, start, end) for each word of `text`, offsets into `text`."""
    for match in _WORD.finditer(text):
        yield fold(match.group()), match.start(), match.end()
