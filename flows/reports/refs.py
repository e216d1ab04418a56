"""Report reference codes: short, read aloud or typed on a basic phone without ambiguity."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: nothing a resident could mistype for something else.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "R-"
_WITH_PREFIX = re.compile(rf"\bR[\s\-_.]*([{ALPHABET}]{{4,8}})\b")
# Without the "R-" a bare code must contain a digit, so ordinary words are not read as codes.
_BARE = re.compile(rf"\b(?=[{ALPHABET}]*\d)([{ALPHABET}]{{4,8}})\b")


def new_ref(length: int = 4) -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(length))


def find_ref(text: str) -> str | None:
    """The reference written in `text`, normalised ("r 7kq2" → "R-7KQ2"), or None."""
    upper = text.upper()
    match = _WITH_PREFIX.search(upper) or _BARE.search(upper)
    return PREFIX + match.group(1) if match else None
