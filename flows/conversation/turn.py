"""One call of the engine in progress: its fixed inputs and the replies and effects it collects.

A `Turn` lives only for the duration of one `engine.step` call (nothing global), so the engine
stays a pure function of (state, event, flow, catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flows.conversation.catalog import Catalog
from flows.conversation.effects import Effect
from flows.conversation.flowdef import Flow, FlowStep
from flows.conversation.state import ConversationState


@dataclass
class Turn:
    flow: Flow
    catalog: Catalog
    city_help: Mapping[str, str] | None = None
    replies: list[str] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def language(self, state: ConversationState) -> str:
        if state.language in self.catalog.languages:
            return state.language
        return self.catalog.default_language

    def say(self, state: ConversationState, key: str, **params: str) -> None:
        self.replies.append(self.catalog.render(key, self.language(state), **params))

    def say_text(self, text: str) -> None:
        self.replies.append(text)

    def do(self, effect: Effect) -> None:
        self.effects.append(effect)

    def current_step(self, state: ConversationState) -> FlowStep:
        """The question the person is on; a step a city removed since resumes at the first one."""
        step = self.flow.steps.get(state.step) if state.step is not None else None
        if step is not None and step.type != "submit":
            return step
        return self.flow.steps[self.flow.first_question()]

    def reask(self, state: ConversationState, *, full: bool = False) -> None:
        """Carry on where the person was: re-ask the pending question, if any.

        `full` re-shows the whole prompt (after a language switch), which outside an intake is the
        invitation to tell the story.
        """
        if state.phase == "intake":
            step = self.current_step(state)
            key = step.prompt if full else step.reprompt
        else:
            key = self.flow.steps[self.flow.start].prompt if full else None
        if key:
            self.say(state, key)

    def joined(self, state: ConversationState, *keys: str | None) -> str:
        """Several short catalogue messages as ONE reply (each reply is its own SMS)."""
        lang = self.language(state)
        return " ".join(self.catalog.render(key, lang) for key in keys if key)

    def help_text(self, state: ConversationState) -> str:
        lang = self.language(state)
        if self.city_help and self.city_help.get(lang):
            return self.city_help[lang]
        return self.catalog.render("help", lang)
