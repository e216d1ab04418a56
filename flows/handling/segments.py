"""How many SMS segments a text costs: GSM-7 (GSM 03.38) versus UCS-2.

A text made only of GSM 03.38 characters is sent as 7-bit septets: 160 in one segment, 153 per
segment once it is split (the rest carries the concatenation header). The extension-table
characters (€ [ ] { } \\ ~ ^ | and form feed) take two septets (ESC + char) and a carrier never
splits that pair across segments. A single other character (á, í, ó, ú, an emoji, a curly quote)
switches the whole message to UCS-2: 70 UTF-16 code units in one segment, 67 per segment once
split, and a surrogate pair (most emoji) is never split either.

Spanish matters here: é, ñ, Ñ, ü, Ü, à, ¿ and ¡ are in the GSM basic set; á, í, ó and ú are not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 basic character set, in table order (0x1B, the escape, is left out on purpose).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters reached through the escape: two septets each.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67


# Accented letters outside GSM 03.38 and the nearest letter inside it (é, ñ, ü and à are in).
_GSM7_FOLD = str.maketrans("áíóúÁÍÓÚ", "aiouAIOU")


def gsm7_friendly(text: str) -> str:
    """`text` with á, í, ó, ú (and capitals) written without the accent, for names put into a
    text message: one of them would make the whole message UCS-2 (less than half the room)."""
    return text.translate(_GSM7_FOLD)


def encoding(text: str) -> Encoding:
    """The encoding a carrier uses for `text`: GSM-7 when every character allows it."""
    for char in text:
        if char not in GSM7_BASIC and char not in GSM7_EXTENSION:
            return "UCS-2"
    return "GSM-7"


def _units(text: str, enc: Encoding) -> list[int]:
    """The indivisible units of `text`, each as its size in septets or UTF-16 code units."""
    if enc == "GSM-7":
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def count_segments(text: str) -> int:
    """Number of SMS segments `text` is sent as (0 for the empty string)."""
    if not text:
        return 0
    enc = encoding(text)
    units = _units(text, enc)
    single, part = (GSM7_SINGLE, GSM7_PART) if enc == "GSM-7" else (UCS2_SINGLE, UCS2_PART)
    if sum(units) <= single:
        return 1
    # Fill segments greedily; a unit that does not fit whole starts the next segment.
    segments, used = 1, 0
    for size in units:
        if used + size > part:
            segments += 1
            used = 0
        used += size
    return segments


ELLIPSIS = "..."  # three dots, not "…": one character outside GSM 03.38 would make it UCS-2


def fit_segments(render: Callable[[str], str], text: str, *, max_segments: int) -> str:
    """`render(text)`, with `text` shortened (at a word where it can be, ending in "...") until
    the whole fits in `max_segments` SMS segments."""
    whole = render(text)
    if count_segments(whole) <= max_segments:
        return whole
    low, high = 0, len(text)  # the longest cut that fits lies in [low, high)
    while low + 1 < high:
        middle = (low + high) // 2
        if count_segments(render(_cut(text, middle))) <= max_segments:
            low = middle
        else:
            high = middle
    return render(_cut(text, low))


def _cut(text: str, length: int) -> str:
    head = text[:length].rstrip()
    words = head.rsplit(" ", 1)
    # Back to the last word boundary, unless that would throw most of the text away.
    if len(words) == 2 and len(words[0]) >= length * 2 // 3:
        head = words[0].rstrip(" ,;:.-")
    return head + ELLIPSIS if head else ELLIPSIS
