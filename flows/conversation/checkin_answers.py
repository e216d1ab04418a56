"""The engine's side of check-ins: a reporter's text that answers their open check-in.

The service looks up the reporter's open check-in (sent, unanswered, within the answer window)
for each text and hands it to the engine on `TextReceived.checkin`; nothing about it is kept in
the conversation state, so sending a check-in never has to touch a conversation. Keywords, a
pending DELETE confirmation, safety messages and an intake in progress all come first: a reporter
telling a new story is never taken to be answering last week's question.
"""

from __future__ import annotations

from dataclasses import replace

from flows.conversation.answers import is_substantive, parse_number
from flows.conversation.effects import AnswerCheckin
from flows.conversation.events import TextReceived
from flows.conversation.state import ConversationState
from flows.conversation.turn import Turn


def on_checkin_text(
    state: ConversationState, event: TextReceived, turn: Turn
) -> ConversationState | None:
    """The new state when the text answers the open check-in; None when it does not (a bare
    "ok" or "hi", or a number that is not one of the choices), so the intake handles it."""
    checkin = event.checkin
    if checkin is None or state.phase != "idle":
        return None
    number = parse_number(event.text)
    if number is not None and 1 <= number <= checkin.choices:
        turn.do(AnswerCheckin(checkin_id=checkin.id, number=number, text=None))
        turn.say(state, "checkin_thanks")
        return state
    if not is_substantive(event.text, turn.flow.bare):
        return None
    turn.do(AnswerCheckin(checkin_id=checkin.id, number=None, text=event.text))
    turn.say(state, "checkin_added", ref=checkin.ref)
    # The rest of a long text split by the carrier joins the same report (the append window),
    # without another acknowledgement.
    return replace(state, last_ref=checkin.ref, filed_at=event.at, last_story_at=event.at)
