"""A transport-free stand-in for the service loop, to drive the engine through whole conversations.

`Resident.send` does what the real service does around `engine.step`: it screens nothing itself
(the test says what the screening found), applies each effect in order, feeds the results back in
and concatenates the replies. Between every step the state goes through JSON and back, as if the
process restarted, so every scripted conversation also proves that a restart resumes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flows.conversation.catalog import Catalog
from flows.conversation.effects import (
    AnswerCheckin,
    AppendToReport,
    Effect,
    EraseContact,
    FileReport,
    LookUpStatus,
    OptIn,
    OptOut,
    RelayAnswer,
    SetLanguage,
)
from flows.conversation.engine import Step, step
from flows.conversation.events import (
    ContactErased,
    Event,
    OpenCheckin,
    ReportFiled,
    ReportStatus,
    Screening,
    StatusFound,
    TextReceived,
    Tick,
)
from flows.conversation.flowdef import Flow
from flows.conversation.state import ConversationState
from nlp.types import Language, Urgency

START = datetime(2026, 5, 1, 18, 30, tzinfo=UTC)
DESTINATIONS = ("Community Police Oversight Council",)


def restarted(state: ConversationState) -> ConversationState:
    """The state as a new process reads it back from the database."""
    stored = json.dumps(state.to_dict())
    return ConversationState.from_dict(json.loads(stored))


@dataclass
class Resident:
    flow: Flow
    catalog: Catalog
    city_help: dict[str, str] | None = None
    state: ConversationState = field(default_factory=ConversationState)
    now: datetime = START
    filed: list[FileReport] = field(default_factory=list)
    appended: list[AppendToReport] = field(default_factory=list)
    relayed: list[RelayAnswer] = field(default_factory=list)
    answers: list[AnswerCheckin] = field(default_factory=list)
    # The check-in the service would find open for each text (None: none).
    open_checkin: OpenCheckin | None = None
    effects: list[Effect] = field(default_factory=list)
    # ref → status of this resident's reports, newest last
    own_reports: dict[str, ReportStatus] = field(default_factory=dict)
    opted_out: bool = False
    erased: bool = False
    destinations: tuple[str, ...] = DESTINATIONS
    next_refs: list[str] = field(default_factory=lambda: ["R-7KQ2", "R-AB34", "R-CD56"])

    def send(
        self,
        text: str,
        *,
        after: float = 30,
        language: Language = "en",
        urgency: Urgency = "none",
        district: str | None = None,
    ) -> list[str]:
        """Text the line `after` seconds after the previous event; the replies it gets."""
        self.now += timedelta(seconds=after)
        screening = Screening(language=language, urgency=urgency, district=district)
        return self.feed(
            TextReceived(text=text, at=self.now, screening=screening, checkin=self.open_checkin)
        )

    def tick(self, *, after: timedelta) -> list[str]:
        self.now += after
        return self.feed(Tick(at=self.now))

    def feed(self, event: Event) -> list[str]:
        result = self._step(event)
        replies = list(result.replies)
        for effect in result.effects:
            self.effects.append(effect)
            follow_up = self._apply(effect)
            if follow_up is not None:
                replies.extend(self.feed(follow_up))
        return replies

    def _step(self, event: Event) -> Step:
        result = step(
            self.state, event, flow=self.flow, catalog=self.catalog, city_help=self.city_help
        )
        self.state = restarted(result.state)
        assert self.state == result.state, "state changed through to_dict/from_dict"
        return result

    def _apply(self, effect: Effect) -> Event | None:
        if isinstance(effect, FileReport):
            self.filed.append(effect)
            ref = self.next_refs.pop(0)
            self.own_reports[ref] = ReportStatus(ref, "routed", self.destinations)
            return ReportFiled(ref=ref, destinations=self.destinations, at=self.now)
        if isinstance(effect, AppendToReport):
            self.appended.append(effect)
        elif isinstance(effect, AnswerCheckin):
            self.answers.append(effect)
            self.open_checkin = None  # answered: the service finds it closed next time
        elif isinstance(effect, LookUpStatus):
            newest_first = tuple(reversed(self.own_reports.values()))
            return StatusFound(asked_ref=effect.ref, reports=newest_first, at=self.now)
        elif isinstance(effect, EraseContact):
            self.erased = True
            self.own_reports.clear()
            return ContactErased(at=self.now)
        elif isinstance(effect, OptOut):
            self.opted_out = True
        elif isinstance(effect, OptIn):
            self.opted_out = False
        elif isinstance(effect, RelayAnswer):
            self.relayed.append(effect)
        else:
            assert isinstance(effect, SetLanguage)
        return None

    def languages_set(self) -> list[str]:
        return [e.language for e in self.effects if isinstance(e, SetLanguage)]


def msg(catalog: Catalog, key: str, language: str = "en", **params: str) -> str:
    return catalog.render(key, language, **params)
