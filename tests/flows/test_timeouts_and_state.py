"""Idle timeouts (the clock job wakes the conversation; the outbox texts the result), and the
state's JSON round trip (a restart resumes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from flows.conversation.catalog import Catalog
from flows.conversation.engine import step
from flows.conversation.events import Screening, TextReceived, Tick
from flows.conversation.flowdef import Flow
from flows.conversation.state import ConversationState
from nlp.types import Language
from tests.flows.resident import Resident, msg

DAY = timedelta(hours=24)


def restarted(state: ConversationState) -> ConversationState:
    """The state as a new process reads it back from the database."""
    return ConversationState.from_dict(json.loads(json.dumps(state.to_dict())))


def test_idle_intake_with_a_story_is_submitted_with_safe_defaults(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("A cruiser has been parked outside our school every morning, staring at kids")
    resident.send("Kessler High School", after=10)  # quick: joins the story
    assert resident.tick(after=DAY - timedelta(minutes=1)) == []
    assert resident.filed() == []
    replies = resident.tick(after=timedelta(minutes=2))
    (report,) = resident.filed()
    assert (report.anonymous, report.contact_ok, report.consent_checkins) == (True, False, False)
    assert report.story.count("\n") == 1
    # No keyword of the test analyser in the story: unsure, so the triage desk.
    assert report.destinations == ("triage",)
    assert replies == [
        msg(catalog, "filed_after_timeout", ref=report.ref, destinations="the Triage Desk")
    ]
    assert resident.state.phase == "idle"
    assert resident.tick(after=DAY) == [] and len(resident.filed()) == 1


def test_timeout_keeps_the_answers_given(resident: Resident) -> None:
    resident.send("A cruiser has been parked outside our school every morning")
    resident.send("2")
    resident.send("Kessler High School", district="d1")
    resident.tick(after=DAY * 2)
    (report,) = resident.filed()
    assert (report.anonymous, report.contact_ok) == (False, True)
    assert report.district == "d1" and report.place_text == "Kessler High School"
    assert report.consent_checkins is False


def test_idle_without_a_story_closes_quietly(resident: Resident) -> None:
    resident.send("hi")
    resident.send("DELETE")
    assert resident.tick(after=DAY) == []
    assert resident.filed() == [] and resident.state.pending is None


def test_activity_postpones_the_timeout(resident: Resident) -> None:
    resident.send("A cruiser has been parked outside our school every morning")
    resident.tick(after=timedelta(hours=20))
    resident.send("HELP")
    assert resident.tick(after=timedelta(hours=20)) == []
    assert resident.filed() == []
    assert resident.tick(after=timedelta(hours=5)) != [] and len(resident.filed()) == 1


def test_state_round_trips_through_json_at_every_step(flow: Flow, catalog: Catalog) -> None:
    """Stop after each step, resume from the stored JSON in a fresh state: same outcome."""
    t = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    script: list[tuple[str, Language, str | None]] = [
        ("hola", "other", None), ("Me pararon en la calle Flores sin razón", "es", "d3"),
        ("y me gritaron", "es", None), ("AYUDA", "es", None), ("1", "es", None),
        ("calle Flores", "es", "d3"), ("ayer", "es", None), ("ENGLISH", "en", None),
    ]  # fmt: skip
    straight = ConversationState()
    resumed = ConversationState()
    for index, (text, language, district) in enumerate(script):
        event = TextReceived(
            text, t + timedelta(seconds=30 * index), Screening(language, "none", district)
        )
        a = step(straight, event, flow=flow, catalog=catalog)
        b = step(resumed, event, flow=flow, catalog=catalog)
        assert (a.replies, a.effects) == (b.replies, b.effects)
        straight = a.state
        stored = json.dumps(b.state.to_dict())  # must be JSON-serialisable as is
        resumed = ConversationState.from_dict(json.loads(stored))
        assert resumed == straight
    assert straight.phase == "intake" and straight.step == "consent"
    assert straight.language == "en" and straight.story_district == "d3"


def test_to_dict_is_plain_json_with_iso_datetimes(resident: Resident) -> None:
    resident.send("They searched my car without asking at the Harbor Point ferry")
    data = resident.state.to_dict()
    assert isinstance(data["last_story_at"], str)
    assert datetime.fromisoformat(data["last_story_at"]) == resident.state.last_story_at
    assert data["story"] == list(resident.state.story)
    assert data["version"] == 1
    assert json.loads(json.dumps(data)) == data


def test_from_dict_ignores_unknown_keys_and_fills_missing() -> None:
    state = ConversationState.from_dict({"phase": "idle", "language": "es", "from_v9": 1})
    assert state == ConversationState(language="es")
    assert restarted(state) == state


def test_state_on_a_step_the_city_removed_resumes_at_the_first_question(
    flow: Flow, catalog: Catalog
) -> None:
    old = ConversationState(
        phase="intake", step="removed_step", language="en", story=("the story",),
        last_activity_at=datetime(2026, 5, 1, tzinfo=UTC),
    )  # fmt: skip
    event = TextReceived("2", datetime(2026, 5, 1, 0, 5, tzinfo=UTC), Screening("en"))
    result = step(old, event, flow=flow, catalog=catalog)
    assert result.replies == (msg(catalog, "ask_place"),)
    assert result.state.contact_ok is True


def test_tick_on_a_fresh_state_does_nothing(flow: Flow, catalog: Catalog) -> None:
    result = step(
        ConversationState(), Tick(datetime(2026, 5, 1, tzinfo=UTC)), flow=flow, catalog=catalog
    )
    assert result.state == ConversationState() and result.replies == result.effects == ()
