"""Intake behaviour: quick texts, more story as an answer, safety first, places, after filing."""

from __future__ import annotations

from dataclasses import replace

from flows.conversation.catalog import Catalog
from tests.flows.resident import Resident, msg


def test_four_quick_texts_become_one_report_and_one_question(
    resident: Resident, catalog: Catalog
) -> None:
    parts = [
        "So last night two officers came up to me at the bus stop on Oak Street",
        "they asked for ID and I gave it to them but they still made me sit on the curb",
        "one of them kept his hand on his taser the whole time",
        "my little brother was with me and he was really scared",
    ]
    assert resident.send(parts[0]) == [msg(catalog, "ask_anonymity")]
    for part in parts[1:]:
        assert resident.send(part, after=20) == []  # silent: the service returns empty TwiML
    assert resident.send("1") == [msg(catalog, "ask_place")]
    resident.send("skip")
    resident.send("skip")
    resident.send("2")
    (report,) = resident.filed()
    assert report.story == "\n".join(parts)


def test_quick_window_is_measured_from_the_previous_story_text(resident: Resident) -> None:
    resident.send("Officer yelled at my kids at the park today")
    assert resident.send("then he told us to leave the park", after=100) == []
    assert resident.send("and said we were not welcome there", after=100) == []  # 200 s after #1


def test_a_number_is_never_swallowed_by_the_quick_window(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("Officer yelled at my kids at the park today")
    assert resident.send("1", after=5) == [msg(catalog, "ask_place")]


def test_more_story_as_an_answer_is_appended_and_the_question_reasked(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("A deputy followed my car for ten blocks")
    late = "I forgot to say he flashed his lights but never pulled me over"
    expected = f"{msg(catalog, 'story_added')} {msg(catalog, 'reask_anonymity')}"
    assert resident.send(late, after=600) == [expected]
    # A burst right after that is quick again: no second re-ask.
    assert resident.send("it happened twice this week", after=10) == []
    resident.send("1")
    resident.send("skip")
    resident.send("skip")
    resident.send("1")
    (report,) = resident.filed()
    assert report.story.splitlines() == [
        "A deputy followed my car for ten blocks",
        late,
        "it happened twice this week",
    ]


def test_a_fumbled_answer_is_asked_again_not_added(resident: Resident, catalog: Catalog) -> None:
    resident.send("A deputy followed my car for ten blocks")
    expected = f"{msg(catalog, 'not_understood')} {msg(catalog, 'reask_anonymity')}"
    assert resident.send("3", after=600) == [expected]
    assert resident.send("", after=5) == [expected]  # a photo with no text
    assert resident.send("1") == [msg(catalog, "ask_place")]
    assert resident.state.story == ("A deputy followed my car for ten blocks",)


def test_tolerant_answers(resident: Resident, catalog: Catalog) -> None:
    resident.send("A deputy followed my car for ten blocks")
    assert resident.send(" 2. ") == [msg(catalog, "ask_place")]
    resident.send("Cedar Heights", district="d1")
    resident.send("skip")
    resident.send("Yes")  # not a prompt we give, but a natural answer to a yes/no question
    (report,) = resident.filed()
    assert (report.contact_ok, report.consent_checkins) == (True, True)


def test_emergency_first_reply_is_call_911(resident: Resident, catalog: Catalog) -> None:
    replies = resident.send("He has a gun and he is outside my door right now", urgency="emergency")
    assert replies == [msg(catalog, "safety_emergency"), msg(catalog, "ask_anonymity")]
    assert "911" in replies[0]
    # Not repeated for every following text of the same report.
    assert resident.send("please hurry", after=10, urgency="emergency") == []
    resident.send("1")
    resident.send("skip")
    resident.send("skip")
    resident.send("2")
    (report,) = resident.filed()
    assert report.urgency == "emergency"


def test_crisis_first_reply_is_988_in_spanish(resident: Resident, catalog: Catalog) -> None:
    replies = resident.send(
        "Ya no puedo más, la policía se llevó a mi hijo y quiero morirme",
        language="es",
        urgency="crisis",
    )
    assert replies == [msg(catalog, "safety_crisis", "es"), msg(catalog, "ask_anonymity", "es")]
    assert "988" in replies[0]


def test_urgency_is_the_highest_seen_and_a_later_emergency_still_warns(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("I feel hopeless since the raid on our building", urgency="crisis")
    replies = resident.send(
        "and now they are back banging on the door", after=15, urgency="emergency"
    )
    assert replies == [msg(catalog, "safety_emergency")]  # safety breaks the silence of the window
    resident.send("1")
    resident.send("skip")
    resident.send("no sé")
    resident.send("2")
    (report,) = resident.filed()
    assert report.urgency == "emergency"


def test_greetings_and_filler_get_the_welcome_not_a_report(
    resident: Resident, catalog: Catalog
) -> None:
    for text in ["hi", "Hello?", "😀", "", "hey there!!"]:
        assert resident.send(text) == [msg(catalog, "welcome")]
    assert resident.state.phase == "idle" and resident.filed() == []


def test_place_matched_at_once_goes_on(resident: Resident, catalog: Catalog) -> None:
    resident.send("They towed my car and the officer laughed at me")
    resident.send("1")
    assert resident.send("Eastgate Plaza", district="d3") == [msg(catalog, "ask_when")]
    assert resident.state.place_text == "Eastgate Plaza" and resident.state.district == "d3"


def test_story_district_is_used_when_place_is_skipped(resident: Resident) -> None:
    resident.send("Police blocked the Eastgate Plaza market for hours", district="d3")
    resident.send("1")
    resident.send("SKIP")
    resident.send("skip")
    resident.send("2")
    (report,) = resident.filed()
    assert report.district == "d3" and report.place_text is None


def test_text_soon_after_filing_is_added_to_that_report(
    resident: Resident, catalog: Catalog
) -> None:
    resident.send("They towed my car and the officer laughed at me")
    for answer in ["1", "skip", "skip", "2"]:
        resident.send(answer)
    ref = resident.last_ref()
    added = "oh and his badge number was 4471"
    assert resident.send(added, after=60) == [msg(catalog, "appended", ref=ref)]
    assert resident.trail(ref, "added_text") == [added]
    (report,) = resident.filed()
    assert report.story == f"They towed my car and the officer laughed at me\n\n{added}"
    assert resident.send("thanks", after=30) == [msg(catalog, "idle_ack", ref=ref)]
    # Much later, a new story is a new report.
    assert resident.send("Different thing: a patrol car hit a parked bike", after=3600) == [
        msg(catalog, "ask_anonymity")
    ]
    assert resident.state.phase == "intake" and resident.trail(ref, "added_text") == [added]


def test_long_texts_are_kept_within_the_cap(resident: Resident) -> None:
    long_text = "word " * 320  # 1,600 characters, the SMS maximum
    resident.send(long_text)
    for _ in range(6):
        resident.send(long_text, after=10)
    assert sum(len(p) for p in resident.state.story) == resident.flow.max_story_chars


def test_skip_on_the_second_place_attempt_withdraws_the_first_answer(resident: Resident) -> None:
    """The resident gave up on saying where: the report does not keep the rejected attempt."""
    resident.send("They towed my car and the officer laughed at me")
    resident.send("1")
    resident.send("behind the big church")
    assert resident.state.place_text == "behind the big church"  # kept while they may retry
    resident.send("skip")
    assert resident.state.step == "when" and resident.state.place_text is None
    for answer in ["skip", "2"]:
        resident.send(answer)
    assert resident.filed()[-1].place_text is None


def test_a_text_while_filing_starts_a_new_story_not_an_append(
    resident: Resident, catalog: Catalog
) -> None:
    """If the service crashed between FileReport and ReportFiled, nothing goes to the old report."""
    resident.send("They towed my car and the officer laughed at me")
    for answer in ["1", "skip", "skip", "2"]:
        resident.send(answer)
    ref = resident.last_ref()
    resident.set_state(replace(resident.state, phase="filing", filing_reason="complete"))
    assert resident.send("A second thing happened at the pier today", after=30) == [
        msg(catalog, "ask_anonymity")
    ]
    assert resident.trail(ref, "added_text") == []


def test_the_story_is_ready_to_analyse_once_a_question_is_answered(resident: Resident) -> None:
    resident.send("Two officers stopped me at the bus stop on Oak Street")
    assert resident.state.texts_to_analyse() == ()  # more story may follow
    resident.send("and searched my bag", after=20)
    assert resident.state.texts_to_analyse() == ()
    assert resident.prefetched == []
    resident.send("1")
    story = "Two officers stopped me at the bus stop on Oak Street\nand searched my bag"
    assert resident.state.texts_to_analyse() == (story,)
    assert resident.prefetched == [(story,)]  # the runner started analysing it
    resident.send("skip")
    resident.send("yesterday around 5pm")
    assert resident.state.texts_to_analyse() == (story, "yesterday around 5pm")
    assert resident.prefetched[-2:] == [(story,), ("yesterday around 5pm",)]
    resident.send("2")
    (report,) = resident.filed()
    assert report.story == story  # what was analysed ahead is exactly what is filed
    assert resident.analysed() == [story, "yesterday around 5pm"]  # at filing: what was ahead
    assert resident.state.texts_to_analyse() == ()
