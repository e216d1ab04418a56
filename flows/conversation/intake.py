"""The intake: turning ordinary texts (not keywords) into a story, answers and a filed report.

Rules that are easy to get wrong, in one place:
- Quick texts join the story SILENTLY: while the story is still open (no answer accepted since the
  last story text) a substantive text within `story_window` of the previous one is appended with no
  reply, so four texts in a minute make one report and one question. A valid answer ("1") is never
  swallowed. Free-text questions (place, when) accept anything as their answer, which is why the
  first question after the story is a numbered one.
- More story as an answer to a numbered question is appended, not rejected, and the question is
  re-asked briefly.
- After filing, a substantive text within `append_after_filing` of the filing is added to that
  report (AppendToReport, with a reply saying how to start a separate one); later, it starts a new
  report. NEW always starts a new one.
- Nothing the person wrote is ever put into a reply.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flows.conversation.answers import bare_words, is_skip, is_substantive, normalise, parse_number
from flows.conversation.effects import AppendToReport, FileReport, SetLanguage
from flows.conversation.events import Screened, Screening, TextReceived
from flows.conversation.flowdef import FlowStep
from flows.conversation.state import ConversationState, FilingReason, most_urgent
from flows.conversation.turn import Turn


def on_idle_text(state: ConversationState, event: TextReceived, turn: Turn) -> ConversationState:
    text = event.text
    bare = turn.flow.bare
    if event.screening.no_story or not is_substantive(text, bare):
        if state.last_ref:
            turn.say(state, "idle_ack", ref=state.last_ref)
        else:
            turn.say(state, "welcome")
        return state
    if (
        state.phase == "idle"  # while filing, last_ref is still the previous report
        and state.last_ref
        and state.filed_at is not None
        and event.at - state.filed_at <= turn.flow.append_after_filing
    ):
        turn.do(AppendToReport(ref=state.last_ref, text=text))
        # One acknowledgement for a burst of quick texts, not one each.
        if state.last_story_at is None or event.at - state.last_story_at > turn.flow.story_window:
            turn.say(state, "appended", ref=state.last_ref)
        return replace(state, last_story_at=event.at)
    urgency = event.screening.urgency
    state = replace(
        state,
        phase="intake",
        story=(),
        story_open=True,
        story_district=event.screening.district,
        story_category=event.screening.category,
        # A new report starts from this text's urgency, not from leftovers of an earlier one.
        urgency=urgency,
        warned=(urgency,) if urgency != "none" else (),
    )
    state = _append_story(state, text, event.at, turn)
    return _advance(state, turn.flow.steps[turn.flow.start], turn)


def on_intake_text(state: ConversationState, event: TextReceived, turn: Turn) -> ConversationState:
    step = turn.current_step(state)
    state = replace(state, step=step.id)
    if step.type == "choice":
        return _on_choice(state, step, event, turn)
    if step.type == "place":
        return _on_place(state, step, event, turn)
    return _on_text_answer(state, step, event, turn)


def file_report(state: ConversationState, reason: FilingReason, turn: Turn) -> ConversationState:
    """Emit FileReport with what the state has; the raw words leave the state with it."""
    defaults = turn.flow.defaults

    def answer(value: bool | None, name: str) -> bool:
        return value if value is not None else defaults[name]

    turn.do(
        FileReport(
            story=state.story_text(),
            anonymous=answer(state.anonymous, "anonymous"),
            contact_ok=answer(state.contact_ok, "contact_ok"),
            place_text=state.place_text,
            when_text=state.when_text,
            consent_checkins=answer(state.consent_checkins, "consent_checkins"),
            language=turn.language(state),
            urgency=state.urgency,
            district=state.district or state.story_district,
        )
    )
    cleared = state.draft_cleared()
    return replace(cleared, phase="filing", filing_reason=reason)


def raise_urgency(state: ConversationState, screening: Screening, turn: Turn) -> ConversationState:
    """Safety first: a new emergency or crisis gets its message before anything else is said."""
    urgency = screening.urgency
    if urgency == "none":
        return state
    if urgency not in state.warned:
        key = "safety_emergency" if urgency == "emergency" else "safety_crisis"
        # In the language of the text that raised it (a Spanish crisis text in an English
        # conversation), and also in the conversation's when they differ (mixed texts).
        for language in dict.fromkeys((screening.language, turn.language(state))):
            if language in turn.catalog.languages:
                turn.say_text(turn.catalog.render(key, language))
        state = replace(state, warned=(*state.warned, urgency))
    return replace(state, urgency=most_urgent(state.urgency, urgency))


def on_screened(state: ConversationState, event: Screened, turn: Turn) -> ConversationState:
    """A text's full screening, after its reply (the worker's models): a crisis or emergency
    the lexicon missed gets its safety message now (safety first); a story still being told
    goes on in the language the full screening reads, if the reply guessed another; a category
    the classifier is sure of lets the story skip the questions that do not fit it."""
    state = raise_urgency(state, event.screening, turn)
    language = event.screening.language
    if (
        event.language_corrected
        and state.phase == "intake"
        and state.story_open
        and state.language_source == "detected"
        and language in turn.catalog.languages
        and language != state.language
    ):
        # Only before the first answer: the language was then read from the story itself.
        state = replace(state, language=language)
        turn.do(SetLanguage(language))
        turn.reask(state, full=True)
    category = event.screening.category
    if state.phase == "intake" and state.story_category is None and category is not None:
        state = replace(state, story_category=category)
    return state


def _on_choice(
    state: ConversationState, step: FlowStep, event: TextReceived, turn: Turn
) -> ConversationState:
    number = parse_number(event.text, words=step.choice_words())
    choice = step.choice(number) if number is not None else None
    if choice is not None:
        answers: dict[str, Any] = dict(choice.sets)
        state = replace(state, story_open=False, **answers)
        return _advance(state, choice.next, turn)
    if is_substantive(event.text, turn.flow.bare):
        quick = (
            state.story_open
            and state.last_story_at is not None
            and event.at - state.last_story_at <= turn.flow.story_window
        )
        state = replace(_append_story(state, event.text, event.at, turn), story_open=True)
        if not quick:
            turn.say_text(turn.joined(state, "story_added", step.reprompt))
        return state
    turn.say_text(turn.joined(state, "not_understood", step.retry or step.reprompt))
    return state


def _on_place(
    state: ConversationState, step: FlowStep, event: TextReceived, turn: Turn
) -> ConversationState:
    text = event.text.strip()
    if step.skippable and is_skip(text, turn.flow.skip_words):
        # SKIP after an unmatched first answer withdraws it: the resident chose not to say
        # where, so the card must not show the attempt they gave up on.
        return _advance(replace(state, story_open=False, place_text=None), step, turn)
    if not normalise(text):
        turn.say_text(turn.joined(state, "not_understood", step.reprompt))
        return state
    # Both attempts are kept: the first unmatched answer may still help a moderator.
    place = " / ".join(p for p in (state.place_text, text) if p)
    state = replace(state, story_open=False, place_text=place)
    if event.screening.district is not None:
        return _advance(replace(state, district=event.screening.district), step, turn)
    if state.place_attempts == 0:
        state = replace(state, place_attempts=1)
        if step.retry:
            turn.say(state, step.retry)
        return state
    return _advance(state, step, turn)


def _on_text_answer(
    state: ConversationState, step: FlowStep, event: TextReceived, turn: Turn
) -> ConversationState:
    text = event.text.strip()
    if step.skippable and is_skip(text, turn.flow.skip_words):
        return _advance(replace(state, story_open=False), step, turn)
    if not normalise(text):
        turn.say_text(turn.joined(state, "not_understood", step.retry or step.reprompt))
        return state
    assert step.save_as is not None  # validated by load_flow
    saved: dict[str, Any] = {step.save_as: text}
    state = replace(state, story_open=False, **saved)
    return _advance(state, step, turn)


def _advance(state: ConversationState, target: FlowStep | str, turn: Turn) -> ConversationState:
    """Go on to `target` (a step id, or the step after `target`), past questions that do not
    fit the story's category."""
    if isinstance(target, FlowStep):
        assert target.next is not None  # validated by load_flow
        target = target.next
    nxt = turn.flow.step(target)
    while state.story_category in nxt.skip_for and nxt.next is not None:
        nxt = turn.flow.step(nxt.next)
    if nxt.type == "submit":
        return file_report(state, "complete", turn)
    state = replace(state, step=nxt.id, place_attempts=0)
    _ask(state, nxt, turn)
    return state


def _ask(state: ConversationState, step: FlowStep, turn: Turn) -> None:
    if step.prompt:
        turn.say(state, step.prompt)


def _append_story(
    state: ConversationState, text: str, at: datetime, turn: Turn
) -> ConversationState:
    """Add a text to the story, up to the flow's cap (the state must stay a bounded size)."""
    room = turn.flow.max_story_chars - sum(len(part) for part in state.story)
    piece = text.strip()[: max(room, 0)]
    story = (*state.story, piece) if piece else state.story
    return replace(state, story=story, last_story_at=at)


def greeting_language(text: str, turn: Turn) -> str | None:
    """The language a bare greeting is in ("hola" → es), when its words say so unambiguously."""
    words = bare_words(text, turn.flow.bare)
    if not words:
        return None
    votes = {
        lang: sum(word in greetings for word in words)
        for lang, greetings in turn.flow.greetings.items()
        if lang in turn.catalog.languages
    }
    best = max(votes.values(), default=0)
    winners = [lang for lang, count in votes.items() if count == best]
    return winners[0] if best > 0 and len(winners) == 1 else None
