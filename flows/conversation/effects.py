"""What the conversation engine asks the service to do, in order. The engine never does it itself.

After applying `FileReport`, `LookUpStatus` or `EraseContact` the service feeds the result back
into `engine.step` as `ReportFiled`, `StatusFound` or `ContactErased`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from nlp.types import Urgency


@dataclass(frozen=True)
class FileReport:
    """Submit a report. `story` is the reporter's raw words: handle as secret (encrypt, redact)."""

    story: str
    anonymous: bool
    contact_ok: bool
    place_text: str | None
    when_text: str | None
    consent_checkins: bool
    language: str
    urgency: Urgency
    district: str | None


@dataclass(frozen=True)
class AppendToReport:
    """More words for an already filed report (raw text: handle as secret)."""

    ref: str
    text: str


@dataclass(frozen=True)
class LookUpStatus:
    """Find the sender's own reports (one reference, or all of them when `ref` is None)."""

    ref: str | None


@dataclass(frozen=True)
class OptOut:
    """Carrier opt-out: record it; nothing may be sent to this contact until `OptIn`."""


@dataclass(frozen=True)
class OptIn:
    """Carrier opt-in (START / UNSTOP)."""


@dataclass(frozen=True)
class EraseContact:
    """Erase the contact (shred its key) and the raw text of its reports; redacted copies stay."""


@dataclass(frozen=True)
class SetLanguage:
    """Remember the contact's language (for later messages such as check-ins)."""

    language: str


@dataclass(frozen=True)
class RelayAnswer:
    """The reporter's answer to a moderator's question on `ref` (raw text: handle as secret;
    only its redacted form reaches the report's trail and the moderators' thread)."""

    ref: str
    text: str


@dataclass(frozen=True)
class AnswerCheckin:
    """The answer to an open check-in: a choice `number`, or `text` (raw words: handle as secret)
    that is new information for the report."""

    checkin_id: int
    number: int | None
    text: str | None


# A closed union: `EffectPreparer.prepare` matches every member; mypy (assert_never) finds a
# forgotten one.
Effect: TypeAlias = (
    FileReport
    | AppendToReport
    | LookUpStatus
    | OptOut
    | OptIn
    | EraseContact
    | SetLanguage
    | RelayAnswer
    | AnswerCheckin
)
