"""Phone numbers in free text, national and international.

Two sources: libphonenumber's matcher (lenient, with the city's default region) finds numbers in
the city's own formats and any "+country" number; a digit-group pattern finds the many foreign
national formats it does not know ("0494 92 82 32", "78 651 450"). The digit-group matches are
`weak`: they lose against an address or a date when the redactor resolves overlaps, and short ones
(7–8 digits) count only next to a phone word ("call me", "mobile", "llámame").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from phonenumbers import Leniency, PhoneNumberMatcher

_DIGIT_GROUPS = re.compile(
    r"(?<![\w@/.:,+-])"
    r"(?:(?:\+|00)\d{1,3}[ .-]?)?"
    r"(?:\(\d{1,5}\)[ .-]?)?"
    r"\d{1,5}(?:(?:[ .-]|\)\s?|\s?\()\d{1,5}){1,5}\)?"
    r"(?:\s?(?:x|ext\.?|ext)\s?\d{1,5})?"
    r"(?![\w/:@]|[.,-]\d)",
    re.IGNORECASE,
)
_PHONE_WORD = re.compile(
    r"\b(?:phone|ph|tel|telephone|mobile|mob|cell|cellphone|fax|desk|office|home|work|call|"
    r"calling|text|texts|txt|reach|contact|number|whatsapp|sms|messages?|answer\w*|dial\w*|ring|"
    r"tel[eé]fono|celular|cel|m[oó]vil|n[uú]mero|ll[aá]m[aeo]\w*|marca\w*)\b",
    re.IGNORECASE,
)
# Numbers introduced as some other identifier: "case number 2023-45678", "license 2270-66-1551".
_OTHER_ID_WORD = re.compile(
    r"\b(?:licen[cs]e|ssn|social\s+security|passport|account|acct|card|iban|routing|policy|"
    r"case|report|claim|order|tracking|ticket|invoice|badge|placa|plate|vin|serial|"
    r"caso|expediente|licencia|cuenta|tarjeta|pasaporte)\b[^\n\d]{0,20}$",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$|^\d{1,2}[.-]\d{1,2}[.-]\d{2,4}$")
_IP_ADDRESS = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_SSN_LIKE = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_MIN_DIGITS, _MAX_DIGITS = 7, 15
# A seven-digit local number written as one ("555-0182", "555.0182") needs no phone word.
_LOCAL_NUMBER = re.compile(r"\d{3}[-.]\d{4}")
# Short digit groups need a phone word within this many characters on either side.
_CUE_WINDOW = 40


@dataclass(frozen=True)
class PhoneMatch:
    start: int
    end: int
    weak: bool

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _near_phone_word(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - _CUE_WINDOW) : start]
    after = text[end : end + 12]
    return bool(_PHONE_WORD.search(before) or _PHONE_WORD.search(after))


def _looks_like_other_number(text: str, start: int, candidate: str, digits: str) -> bool:
    """Dates, SSNs, IP addresses, card and case numbers are digit groups too, but not phones."""
    if _OTHER_ID_WORD.search(text, max(0, start - 40), start):
        return True
    if any(p.match(candidate) for p in (_DATE_LIKE, _SSN_LIKE, _IP_ADDRESS)):
        return True
    return len(digits) >= 13 and not candidate.startswith("+") and _luhn_valid(digits)


def find_phones(text: str, *, region: str) -> list[PhoneMatch]:
    """Phone-number spans in `text`; `region` (e.g. "US") reads numbers without a country code."""
    found: list[PhoneMatch] = []
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        digits = re.sub(r"\D", "", match.raw_string)
        if _looks_like_other_number(text, match.start, match.raw_string, digits):
            continue
        cued = _near_phone_word(text, match.start, match.end)
        if len(digits) < 9 and not cued:
            continue  # "79063 63": a short number with no phone word is more likely not a phone
        strong = len(digits) >= 10 or cued
        found.append(PhoneMatch(match.start, match.end, weak=not strong))
    for group in _DIGIT_GROUPS.finditer(text):
        candidate = group.group()
        digits = re.sub(r"\D", "", candidate)
        if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
            continue
        if _looks_like_other_number(text, group.start(), candidate, digits):
            continue
        local = _LOCAL_NUMBER.fullmatch(candidate) is not None
        if len(digits) < 9 and not local and not _near_phone_word(text, group.start(), group.end()):
            continue
        found.append(PhoneMatch(group.start(), group.end(), weak=True))
    return found
