"""Scans of everything sent to Slack: phone numbers (every Slack test ends with it), and all the
text moderators could see."""

from __future__ import annotations

import json
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


def moderators_view(api: FakeSlackAPI, *, reporter: str | None = None) -> str:
    """Every request Slack received, decoded, except those that talk to `reporter` (a Slack
    reporter's own DM: opening it, and our replies in it)."""
    own_dm: set[str] = set()
    if reporter is not None:
        for call in api.calls("conversations.open"):
            if call.params.get("users") == reporter:
                own_dm.add(api.dm_channel(reporter))
    seen: list[str] = []
    for call in api.calls():
        if call.method == "conversations.open" and call.params.get("users") == reporter:
            continue
        if call.method == "chat.postMessage" and call.params.get("channel") in own_dm:
            continue
        seen.append(unquote_plus(call.raw))
        seen.append(json.dumps(call.params, ensure_ascii=False))
    return "\n".join(seen)
