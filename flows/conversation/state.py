"""Where one reporter is in the conversation: a frozen value the service stores after every step.

`to_dict()` is JSON-safe (datetimes as ISO strings, tuples as lists) and `from_dict()` reads it
back, so a restarted process resumes exactly where the person was. Both go through one pydantic
`TypeAdapter` of the dataclass: a field added here is stored and read without more code, and
keys a newer version wrote are ignored.

PRIVACY: `story` and `place_text`/`when_text` hold the reporter's raw words while they are being
told. The service must store this state encrypted under the contact's own key (like every other
raw text), never as plaintext JSON, and never log it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal

from pydantic import TypeAdapter

from nlp.types import Urgency

STATE_VERSION = 1

# idle: no unfinished report. intake: a story is being told and questions asked.
# filing: FileReport was emitted; waiting for ReportFiled.
Phase = Literal["idle", "intake", "filing"]
# How the language was chosen; a weak guess (default, greeting) is revised by the first story.
LanguageSource = Literal["default", "greeting", "detected", "explicit"]
Pending = Literal["delete"]
FilingReason = Literal["complete", "timeout"]

_URGENCY_RANK: dict[Urgency, int] = {"none": 0, "crisis": 1, "emergency": 2}


def most_urgent(first: Urgency, second: Urgency) -> Urgency:
    """The higher of two urgency readings (the first on a tie)."""
    return first if _URGENCY_RANK[first] >= _URGENCY_RANK[second] else second


@dataclass(frozen=True)
class ConversationState:
    phase: Phase = "idle"
    step: str | None = None
    language: str | None = None
    language_source: LanguageSource = "default"
    # The unfinished report.
    story: tuple[str, ...] = ()
    # True from a story text until the next accepted answer: quick texts then join the story.
    story_open: bool = False
    last_story_at: datetime | None = None
    story_district: str | None = None
    # The category the screening read in the story, if sure: questions may depend on it.
    story_category: str | None = None
    anonymous: bool | None = None
    contact_ok: bool | None = None
    consent_checkins: bool | None = None
    place_text: str | None = None
    when_text: str | None = None
    district: str | None = None
    place_attempts: int = 0
    urgency: Urgency = "none"
    # Safety messages already sent for this report ("emergency", "crisis").
    warned: tuple[str, ...] = ()
    pending: Pending | None = None
    filing_reason: FilingReason | None = None
    last_activity_at: datetime | None = None
    # The last report filed, for the short append window and STATUS hints.
    last_ref: str | None = None
    filed_at: datetime | None = None
    # A moderator's question was relayed about this report: the next text answers it.
    awaiting_answer: str | None = None
    awaiting_since: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _adapter().dump_python(self, mode="json")
        return {**data, "version": STATE_VERSION}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationState:
        """Read a stored state; unknown keys (from a newer version) are ignored."""
        return _adapter().validate_python(data)

    def story_text(self) -> str:
        """The story as it will be filed: its texts, one per line."""
        return "\n".join(self.story)

    def texts_to_analyse(self) -> tuple[str, ...]:
        """What filing this draft will analyse, once the story is complete (else nothing):
        the story first, then the answers about place and time.

        A story is complete when a question has been answered after it: texts sent before that
        still join it, so analysing it earlier would be wasted.
        """
        if self.phase != "intake" or self.story_open or not self.story:
            return ()
        extras = (t for t in (self.place_text, self.when_text) if t)
        return (self.story_text(), *extras)

    def draft_cleared(self) -> ConversationState:
        """This state with no unfinished report (keeps language, last report, pending)."""
        return ConversationState(
            language=self.language,
            language_source=self.language_source,
            last_activity_at=self.last_activity_at,
            last_ref=self.last_ref,
            filed_at=self.filed_at,
            pending=self.pending,
            awaiting_answer=self.awaiting_answer,
            awaiting_since=self.awaiting_since,
        )


@cache
def _adapter() -> TypeAdapter[ConversationState]:
    return TypeAdapter(ConversationState)
