"""The conversation engine: (state, event) → (new state, replies, effects), pure, channel-agnostic.

No database, no HTTP, no NLP, no clock: the service screens each text, applies the effects in
order, feeds their results back in (FileReport → ReportFiled, LookUpStatus → StatusFound,
EraseContact → ContactErased), hands it the full screening of a text the worker's models read
after the reply (Screened), and sends the replies, which are final strings in the person's
language, one SMS each.

Order of precedence for an inbound text:
0. While the sender is opted out (STOP), only START and STOP act; any other text is stored by
   the service and changes nothing here.
1. Keywords (whole-message, see flows.conversation.keywords), at any point; mid-intake they
   answer and then re-ask the pending question. A keyword also cancels a pending DELETE
   confirmation.
2. A pending DELETE confirmation: 1 erases, anything else keeps the data.
3. Safety: a new emergency or crisis reading puts the 911 / 988 message first.
4. The intake in progress (flows.conversation.intake).
5. Outside an intake, the answer to a moderator's relayed question (AnswerExpected → RelayAnswer),
   unless the text is a numbered answer to an open check-in.
6. Outside an intake, the answer to an open check-in (flows.conversation.checkin_answers).
7. Otherwise the intake starts (flows.conversation.intake).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import assert_never

from flows.conversation.answers import is_substantive, parse_number
from flows.conversation.catalog import Catalog
from flows.conversation.checkin_answers import on_checkin_text
from flows.conversation.effects import (
    Effect,
    EraseContact,
    LookUpStatus,
    OptIn,
    OptOut,
    RelayAnswer,
    SetLanguage,
)
from flows.conversation.events import (
    AnswerExpected,
    ContactErased,
    Event,
    ReportFiled,
    Screened,
    StatusFound,
    TextReceived,
    Tick,
)
from flows.conversation.flowdef import Flow
from flows.conversation.intake import (
    file_report,
    greeting_language,
    on_idle_text,
    on_intake_text,
    on_screened,
    raise_urgency,
)
from flows.conversation.keywords import Keyword, parse_keyword
from flows.conversation.state import ConversationState
from flows.conversation.status_reply import on_status
from flows.conversation.turn import Turn

# How long after a moderator's question the reporter's next text still counts as the answer.
ANSWER_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Step:
    state: ConversationState
    replies: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()


def step(
    state: ConversationState,
    event: Event,
    *,
    flow: Flow,
    catalog: Catalog,
    city_help: Mapping[str, str] | None = None,
) -> Step:
    """Advance one reporter's conversation by one event."""
    turn = Turn(flow=flow, catalog=catalog, city_help=city_help)
    new_state: ConversationState
    match event:
        case TextReceived():
            new_state = _on_text(state, event, turn)
        case ReportFiled():
            new_state = _on_filed(state, event, turn)
        case StatusFound():
            new_state = on_status(state, event, turn)
        case ContactErased():
            turn.say(state, "delete_done")
            new_state = ConversationState()
        case AnswerExpected():
            # Nothing to say: the service relays the question itself (flows.reports.moderation).
            new_state = replace(state, awaiting_answer=event.ref, awaiting_since=event.at)
        case Screened():
            new_state = on_screened(state, event, turn)
        case Tick():
            new_state = _on_tick(state, event, turn)
        case _:
            assert_never(event)
    return Step(state=new_state, replies=tuple(turn.replies), effects=tuple(turn.effects))


def _on_text(state: ConversationState, event: TextReceived, turn: Turn) -> ConversationState:
    keyword = parse_keyword(event.text)
    if keyword and keyword.kind == "language" and keyword.argument not in turn.catalog.languages:
        keyword = None  # ESPAÑOL in a city without Spanish is just a word
    if event.opted_out and (keyword is None or keyword.kind not in ("opt_in", "opt_out")):
        # Until START nothing a person texts becomes part of a report, an answer or a request:
        # they asked not to be in a conversation, and a story told then would otherwise open
        # the next report after START.
        return state
    state = _settle_language(replace(state, last_activity_at=event.at), event, keyword, turn)
    if keyword is not None:
        return _on_keyword(state, keyword, turn)
    if state.pending == "delete":
        state = replace(state, pending=None)
        if parse_number(event.text) == 1:
            turn.do(EraseContact())
            return state
        turn.say(state, "delete_cancelled")
        if not is_substantive(event.text, turn.flow.bare):
            turn.reask(state)
            return state
    state = raise_urgency(state, event.screening, turn)
    if state.phase == "intake":
        return on_intake_text(state, event, turn)
    # A moderator's open question takes any text except a numbered answer to an open check-in.
    if state.awaiting_answer is not None and not _numbered_checkin_answer(event):
        return _on_answer(state, event, turn)
    answered = on_checkin_text(state, event, turn)
    if answered is not None:
        return answered
    return on_idle_text(state, event, turn)


def _numbered_checkin_answer(event: TextReceived) -> bool:
    number = parse_number(event.text)
    return event.checkin is not None and number is not None and 1 <= number <= event.checkin.choices


def _on_answer(state: ConversationState, event: TextReceived, turn: Turn) -> ConversationState:
    """The text after a relayed question answers it (keywords were handled before this).

    Only while no new report is being told: a question that arrives mid-intake waits for the
    intake to finish. After the answer window, or for a text with no words (an emoji), the text
    is an ordinary one; the emoji leaves the question open.
    """
    ref = state.awaiting_answer
    assert ref is not None
    if state.awaiting_since is None or event.at - state.awaiting_since > ANSWER_WINDOW:
        return on_idle_text(replace(state, awaiting_answer=None, awaiting_since=None), event, turn)
    if not any(ch.isalnum() for ch in event.text):
        return on_idle_text(state, event, turn)
    turn.do(RelayAnswer(ref=ref, text=event.text))
    turn.say(state, "answer_relayed", ref=ref)
    return replace(state, awaiting_answer=None, awaiting_since=None)


def _on_keyword(state: ConversationState, keyword: Keyword, turn: Turn) -> ConversationState:
    if state.pending == "delete" and keyword.kind not in ("delete", "opt_out"):
        turn.say(state, "delete_cancelled")
    state = replace(state, pending=None)
    kind = keyword.kind
    if kind == "opt_out":
        turn.do(OptOut())
        turn.say(state, "opted_out")
    elif kind == "opt_in":
        turn.do(OptIn())
        turn.say(state, "opted_in")
        turn.reask(state)
    elif kind == "help":
        turn.say_text(turn.help_text(state))
        turn.reask(state)
    elif kind == "status":
        # The reply comes with StatusFound, which also re-asks the pending question.
        turn.do(LookUpStatus(ref=keyword.argument))
    elif kind == "delete":
        state = replace(state, pending="delete")
        turn.say(state, "delete_confirm")
    elif kind == "new":
        opening = "new_report_discarded" if state.phase == "intake" else "new_report"
        turn.say_text(turn.joined(state, opening, turn.flow.steps[turn.flow.start].prompt))
        # Closing the append window too: what comes next is a separate report.
        state = replace(state.draft_cleared(), filed_at=None)
    else:
        assert keyword.argument is not None
        state = replace(state, language=keyword.argument, language_source="explicit")
        turn.do(SetLanguage(keyword.argument))
        turn.say(state, "language_set")
        turn.reask(state, full=True)
    return state


def _settle_language(
    state: ConversationState, event: TextReceived, keyword: Keyword | None, turn: Turn
) -> ConversationState:
    """Pick the language from the first message; a weak first guess yields to the first story."""
    if state.language_source in ("explicit", "detected") and state.language is not None:
        return state
    languages = turn.catalog.languages
    chosen, source = state.language, state.language_source
    if keyword is not None:
        if state.language is None and keyword.language in languages:
            chosen, source = keyword.language, "greeting"
    elif is_substantive(event.text, turn.flow.bare):
        if event.screening.language in languages:
            chosen, source = event.screening.language, "detected"
    elif state.language is None:
        greeted = greeting_language(event.text, turn)
        if greeted is not None:
            chosen, source = greeted, "greeting"
    if chosen is None:
        chosen, source = turn.catalog.default_language, "default"
    if chosen != state.language:
        turn.do(SetLanguage(chosen))
    return replace(state, language=chosen, language_source=source)


def _on_filed(state: ConversationState, event: ReportFiled, turn: Turn) -> ConversationState:
    lang = turn.language(state)
    names = [turn.catalog.render("destination_item", lang, name=n) for n in event.destinations]
    if not names:
        names = [turn.catalog.render("destination_pending", lang)]
    key = "filed_after_timeout" if state.filing_reason == "timeout" else "filed"
    turn.say(state, key, ref=event.ref, destinations=turn.catalog.join(names, lang))
    for note in dict.fromkeys(event.notes):
        turn.say_text(note)
    if state.phase == "filing":
        state = state.draft_cleared()
    # (If a new story began while filing, it is kept; only the last report is remembered.)
    return replace(state, last_ref=event.ref, filed_at=event.at, last_story_at=None)


def _on_tick(state: ConversationState, event: Tick, turn: Turn) -> ConversationState:
    last = state.last_activity_at
    if last is None or event.at - last < turn.flow.idle_timeout:
        return state
    if state.phase == "intake" and state.story:
        # Submitted with what it has; FileReport fills unanswered questions with the defaults.
        return file_report(replace(state, pending=None), "timeout", turn)
    if state.phase == "intake" or state.pending is not None:
        return replace(state.draft_cleared(), pending=None)  # closed quietly
    return state
