"""What the conversation engine reacts to: inbound texts, results of its own effects, the clock.

The service computes everything impure (NLP screening, database look-ups, the time) and hands the
engine these plain values, so the engine stays a pure function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

from flows.statuses import ReportState
from nlp.types import Screening

__all__ = [
    "ContactErased",
    "DecisionNote",
    "Event",
    "ReportFiled",
    "ReportStatus",
    "Screened",
    "Screening",
    "StatusFound",
    "TextReceived",
    "Tick",
]


@dataclass(frozen=True)
class OpenCheckin:
    """A follow-up question sent to this reporter and not answered yet (flows/checkins/schedule.py):
    their next numbered answer, or more words, may be its answer."""

    id: int
    kind: str
    ref: str
    choices: int  # answers 1..choices


@dataclass(frozen=True)
class TextReceived:
    """An inbound message (SMS or Slack DM). `text` may be empty, emoji only, or 1,600 chars."""

    text: str
    at: datetime
    screening: Screening
    # Looked up by the service for each text: the reporter's open check-in, if any.
    checkin: OpenCheckin | None = None
    # The sender has texted STOP (and not START since): the text is stored, not acted on.
    opted_out: bool = False


@dataclass(frozen=True)
class ReportFiled:
    """The result of a `FileReport` effect: the new reference and where the report went."""

    ref: str
    destinations: tuple[str, ...]
    at: datetime
    # What the receiving destinations tell every reporter, e.g. a hotline (city file).
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecisionNote:
    """The latest published decision on a report: its redacted summary and the day (in the
    city's time zone) it was published."""

    on: date
    summary: str


@dataclass(frozen=True)
class ReportStatus:
    ref: str
    status: ReportState
    destinations: tuple[str, ...] = ()
    decision: DecisionNote | None = None


@dataclass(frozen=True)
class StatusFound:
    """The result of `LookUpStatus`: ONLY the sender's own reports, newest first."""

    asked_ref: str | None
    reports: tuple[ReportStatus, ...]
    at: datetime


@dataclass(frozen=True)
class ContactErased:
    """The result of `EraseContact`."""

    at: datetime


@dataclass(frozen=True)
class AnswerExpected:
    """A moderator's question about report `ref` was relayed to this reporter: their next text
    (within the answer window) is the answer, passed on to the report (RelayAnswer)."""

    ref: str
    at: datetime


@dataclass(frozen=True)
class Screened:
    """The full screening of a text answered earlier, from the worker's models (the web process
    answers with the model-free part: the lexicon, the gazetteer). Sent only when it adds
    something: a more urgent reading, or a category the classifier is sure of."""

    screening: Screening
    at: datetime
    # The full screening read another language than the reply's model-free one did.
    language_corrected: bool = False


@dataclass(frozen=True)
class Tick:
    """Periodic wake-up for idle timeouts."""

    at: datetime


# A closed union: `engine.step` matches every member, and mypy (assert_never) finds a forgotten one.
Event: TypeAlias = (
    TextReceived | ReportFiled | StatusFound | ContactErased | AnswerExpected | Screened | Tick
)
