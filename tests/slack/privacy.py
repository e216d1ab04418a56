"""The scan every Slack test ends with: no phone number in anything sent to Slack."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from tests.fakes.slack_api import FakeSlackAPI

# Phone-number shapes: +15558675309, (555) 867-5309, 555-867-5309, 555 867 5309, 5558675309.
PHONE_SHAPES = re.compile(r"\+?\d?[\s.-]?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}")
# Slack message timestamps ("1772460000.000001") are not phone numbers.
SLACK_TS = re.compile(r"\d{10}\.\d{6}")


def phone_numbers_sent_to_slack(api: FakeSlackAPI, *known: str) -> list[str]:
    """Every phone-number-like string (or known number, however formatted) Slack received."""
    found: list[str] = []
    for raw in api.raw_payloads():
        text = SLACK_TS.sub(" ", unquote_plus(raw))
        found.extend(PHONE_SHAPES.findall(text))
        digits = re.sub(r"\D", "", text)
        found.extend(number for number in known if number[-10:] in digits)
    return found
