"""The conversation state as stored (encrypted JSON in `conversation.state_enc`): a state written
by an earlier version must resume, and what is written now must read back the same."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flows.conversation.state import ConversationState

# What the first hand-written `to_dict()` produced: ISO datetimes with "+00:00", lists for tuples.
FIRST_FORMAT = {
    "phase": "intake",
    "step": "place",
    "language": "es",
    "language_source": "detected",
    "story": ["Me pararon sin motivo", "en la calle 5"],
    "story_open": False,
    "last_story_at": "2026-03-02T15:04:05+00:00",
    "story_district": "d3",
    "anonymous": True,
    "contact_ok": None,
    "consent_checkins": None,
    "place_text": None,
    "when_text": None,
    "district": None,
    "place_attempts": 1,
    "urgency": "crisis",
    "warned": ["crisis"],
    "pending": None,
    "filing_reason": None,
    "last_activity_at": "2026-03-02T15:04:05+00:00",
    "last_ref": None,
    "filed_at": None,
    "awaiting_answer": None,
    "awaiting_since": None,
    "version": 1,
}


def test_a_state_of_the_first_format_resumes() -> None:
    state = ConversationState.from_dict(FIRST_FORMAT)
    at = datetime(2026, 3, 2, 15, 4, 5, tzinfo=UTC)
    assert state == ConversationState(
        phase="intake",
        step="place",
        language="es",
        language_source="detected",
        story=("Me pararon sin motivo", "en la calle 5"),
        last_story_at=at,
        story_district="d3",
        anonymous=True,
        place_attempts=1,
        urgency="crisis",
        warned=("crisis",),
        last_activity_at=at,
    )
    assert state.last_story_at is not None and state.last_story_at.utcoffset() is not None


def test_what_is_written_now_reads_back_the_same() -> None:
    state = ConversationState.from_dict(FIRST_FORMAT)
    data = json.loads(json.dumps(state.to_dict()))
    assert data["version"] == 1 and data["story"] == FIRST_FORMAT["story"]
    assert datetime.fromisoformat(data["last_story_at"]) == state.last_story_at
    assert ConversationState.from_dict(data) == state
