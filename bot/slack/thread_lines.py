"""The lines the bot posts in a card's thread (pure): what a moderator relayed or published, a
text that never reached the reporter, the reporter's (redacted) answer. Everything anyone wrote is
escaped, as on the card."""

from __future__ import annotations

from bot.slack.cards import actor_mention, quote

_LINE_TITLES = {
    "asked": "Question relayed to the reporter",
    "replied": "Message relayed to the reporter",
    "resolved": "Resolved; note relayed to the reporter",
    "decision": "Decision published",
}


def moderator_line(kind: str, actor: str, text: str) -> str:
    """A thread line recording what a moderator relayed (their words, escaped)."""
    return f"{_LINE_TITLES.get(kind, kind)} by {actor_mention(actor)}:\n{quote(text)}"


_NOT_SENT_WHAT = {
    "asked": "The question",
    "replied": "The message",
    "resolution": "The resolution note",
    "checkin": "A follow-up check-in",
    "decision": "The text about the published decision",
}
_NOT_SENT_WHY = {
    "opted out": "the reporter texted STOP before it went out",
    "erased": "the reporter erased their data before it went out",
    "expired": "the SMS provider could not take it before the retry budget ran out",
    "refused": "the SMS provider refused it",
}


def not_sent_line(purpose: str, reason: str) -> str:
    """A thread line correcting an earlier "relayed": the text never reached the reporter."""
    what = _NOT_SENT_WHAT.get(purpose, "A message")
    why = _NOT_SENT_WHY.get(reason, reason)
    return f":no_entry_sign: *Not sent.* {what} did not reach the reporter: {why}."


def reporter_line(text: str) -> str:
    """A thread line with the reporter's answer (already redacted; escaped here)."""
    return f":speech_balloon: *The reporter answered:*\n{quote(text)}"
