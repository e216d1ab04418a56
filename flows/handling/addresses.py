"""A resident's phone number in its one form (E.164), or a refusal.

A contact is found by a pseudonym of its address, so two spellings of one number would be two
contacts (and STATUS from one could not see the other's reports). Every number is written as
E.164 before it is looked up; a national number is read in the city's default region. Anything
that is not a phone number (a Twilio Client identity, a channel address such as `whatsapp:…`,
blank or huge input) is refused, never guessed at.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

# What a phone number can be written with: digits, a leading +, and the usual separators.
# Letters are refused (phonenumbers would read "1-800-FLOWERS" as digits).
_WRITTEN_NUMBER = re.compile(r"\A\+?[0-9 ().\-]{7,24}\Z")
_CHANNEL_PREFIX = re.compile(r"\A[a-z][a-z0-9+.-]{0,15}:", re.IGNORECASE)


class AddressError(ValueError):
    """Not a phone number this service can text; the message never repeats the address."""


def phone_address(raw: str, *, region: str) -> str:
    """`raw` as E.164 (+15557770006), reading a national number in `region` (e.g. "US")."""
    text = raw.strip()
    if _CHANNEL_PREFIX.match(text):
        raise AddressError("a channel address (such as whatsapp:) is not a phone number")
    if not _WRITTEN_NUMBER.match(text):
        raise AddressError("the sender is not a phone number")
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        raise AddressError("the sender is not a phone number") from None
    # Possible, not valid: validity depends on number-plan metadata that lags new ranges, and
    # refusing a real resident is worse than keeping a well-formed number we cannot place.
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        raise AddressError("the sender is not a complete phone number")
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))
