"""Conversation flows declared as data (flows/conversation/intake.yaml), validated once at start-up.

In the spirit of RapidPro flow definitions: named steps, each with a prompt (a catalogue key), the
answers it expects and the step each answer leads to, plus the flow's timing. A city changes wording
in the catalogues and steps here, without touching code. `load_flow` rejects a bad file with a
`FlowError` that names the file and the step.

Step types:
- `story`: the opening free text (exactly one, the `start` step); texts are joined into the story.
- `choice`: numbered answers; each may `set` report fields and names its `next` step.
- `place`: free text matched to a district by the service's screening; asked once more when
  nothing matched, then taken as written.
- `text`: free text saved as written.
- `submit`: file the report (the end of the flow).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import yaml

from flows.conversation.answers import normalise
from flows.conversation.catalog import DEFAULT_CATALOG_DIR, Catalog, load_catalog, placeholders

DEFAULT_FLOW = Path(__file__).resolve().parent / "intake.yaml"

StepType = Literal["story", "choice", "place", "text", "submit"]
# Report fields a flow may fill, and their kind.
BOOL_FIELDS = frozenset({"anonymous", "contact_ok", "consent_checkins"})
TEXT_FIELDS = frozenset({"place_text", "when_text"})

_STEP_KEYS: dict[str, tuple[set[str], set[str]]] = {  # type → (required, optional)
    "story": ({"prompt", "next"}, set()),
    "choice": ({"prompt", "reprompt", "choices"}, {"retry"}),
    "place": ({"prompt", "reprompt", "retry", "next"}, {"skippable", "skip_for"}),
    "text": ({"prompt", "reprompt", "save_as", "next"}, {"skippable", "retry", "skip_for"}),
    "submit": (set(), set()),
}
_TOP_KEYS = {"name", "start", "settings", "words", "defaults", "steps"}
_SETTINGS = {
    "story_window_seconds": 120.0,
    "idle_timeout_hours": 24.0,
    "append_after_filing_minutes": 10.0,
    "max_story_chars": 8000.0,
}


class FlowError(ValueError):
    """A flow file that cannot be used; the message names the file and the step."""


@dataclass(frozen=True)
class Choice:
    answer: int
    next: str
    sets: tuple[tuple[str, bool], ...] = ()
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlowStep:
    id: str
    type: StepType
    prompt: str | None = None
    reprompt: str | None = None
    retry: str | None = None
    next: str | None = None
    choices: tuple[Choice, ...] = ()
    save_as: str | None = None
    skippable: bool = False
    # Report categories this question does not fit ("where did it happen?" of a budget opinion):
    # a story the screening read as one of them goes straight to the next step.
    skip_for: frozenset[str] = frozenset()

    def choice_words(self) -> dict[str, int]:
        return {word: choice.answer for choice in self.choices for word in choice.words}

    def choice(self, answer: int) -> Choice | None:
        return next((c for c in self.choices if c.answer == answer), None)


@dataclass(frozen=True)
class Flow:
    name: str
    start: str
    steps: Mapping[str, FlowStep]
    story_window: timedelta
    idle_timeout: timedelta
    append_after_filing: timedelta
    max_story_chars: int
    # Words of a bare message by language ("hola" → es); `bare` is all of them plus fillers.
    greetings: Mapping[str, frozenset[str]]
    bare: frozenset[str]
    skip_words: frozenset[str]
    # Report fields never answered (a timeout, or a flow without that question) take these.
    defaults: Mapping[str, bool]

    def step(self, step_id: str) -> FlowStep:
        return self.steps[step_id]

    def first_question(self) -> str:
        first = self.steps[self.start].next
        assert first is not None  # validated by load_flow
        return first


def load_flow(path: Path | str | None = None, *, catalog: Catalog | None = None) -> Flow:
    """Read and validate a flow file (the shipped intake flow when `path` is None).

    Prompt keys are checked against `catalog` (the shipped catalogues when None).
    """
    file = Path(path) if path is not None else DEFAULT_FLOW
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FlowError(f"{file}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise FlowError(f"{file}: not valid YAML: {exc}") from exc
    cat = catalog or load_catalog(DEFAULT_CATALOG_DIR)
    # Prompts are rendered without parameters, so a prompt key must have no placeholders.
    prompt_keys = frozenset(
        k for k, text in cat.messages[cat.default_language].items() if not placeholders(text)
    )
    try:
        return _build(data, prompt_keys)
    except FlowError as exc:
        raise FlowError(f"{file}: {exc}") from None


def _build(data: Any, prompt_keys: frozenset[str]) -> Flow:
    if not isinstance(data, dict):
        raise FlowError("the file must be a mapping with 'start' and 'steps'")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise FlowError(f"unknown top-level keys {unknown}")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, dict) or not raw_steps:
        raise FlowError("'steps' must be a non-empty mapping")
    steps = {str(sid): _step(str(sid), raw, prompt_keys) for sid, raw in raw_steps.items()}
    start = data.get("start")
    if start not in steps:
        raise FlowError(f"start step {start!r} is not defined")
    stories = [s.id for s in steps.values() if s.type == "story"]
    if stories != [start]:
        raise FlowError(f"step {start!r}: the start step must be the only 'story' step")
    for step in steps.values():
        for target in _targets(step):
            if target not in steps:
                raise FlowError(f"step {step.id!r}: unknown next step {target!r}")
            if steps[target].type == "story":
                raise FlowError(f"step {step.id!r}: cannot lead back to the story step")
    first = steps[start].next
    if first is None or steps[first].type == "submit":
        raise FlowError(f"step {start!r}: the story must lead to a question")
    _check_graph(steps, start)
    settings = _settings(data.get("settings") or {})
    words = data.get("words") or {}
    greetings = {
        str(lang): frozenset(normalise(str(w)) for w in ws)
        for lang, ws in (words.get("greetings") or {}).items()
    }
    fillers = frozenset(normalise(str(w)) for w in words.get("fillers") or ())
    defaults = data.get("defaults") or {}
    bad_defaults = sorted(k for k, v in defaults.items() if k not in BOOL_FIELDS or not _bool(v))
    if bad_defaults or set(defaults) != BOOL_FIELDS:
        raise FlowError(f"'defaults' must give true/false for exactly {sorted(BOOL_FIELDS)}")
    return Flow(
        name=str(data.get("name", "intake")),
        start=start,
        steps=steps,
        story_window=timedelta(seconds=settings["story_window_seconds"]),
        idle_timeout=timedelta(hours=settings["idle_timeout_hours"]),
        append_after_filing=timedelta(minutes=settings["append_after_filing_minutes"]),
        max_story_chars=int(settings["max_story_chars"]),
        greetings=greetings,
        bare=frozenset().union(*greetings.values(), fillers) - {""},
        skip_words=frozenset(normalise(str(w)) for w in words.get("skip") or ()),
        defaults={k: bool(v) for k, v in defaults.items()},
    )


def _bool(value: Any) -> bool:
    return isinstance(value, bool)


def _step(sid: str, raw: Any, prompt_keys: frozenset[str]) -> FlowStep:
    def fail(message: str) -> FlowError:
        return FlowError(f"step {sid!r}: {message}")

    if not isinstance(raw, dict):
        raise fail("must be a mapping")
    kind = raw.get("type")
    if kind not in _STEP_KEYS:
        raise fail(f"unknown type {kind!r}; expected one of {sorted(_STEP_KEYS)}")
    required, optional = _STEP_KEYS[kind]
    missing = sorted(required - set(raw))
    if missing:
        raise fail(f"missing {missing}")
    extra = sorted(set(raw) - required - optional - {"type"})
    if extra:
        raise fail(f"unknown keys {extra}")
    for key in ("prompt", "reprompt", "retry"):
        if key in raw and raw[key] not in prompt_keys:
            raise fail(f"unknown catalogue key {raw[key]!r} in {key!r} (or it has placeholders)")
    save_as = raw.get("save_as", "place_text" if kind == "place" else None)
    if save_as is not None and (
        save_as not in TEXT_FIELDS or (kind == "place") != (save_as == "place_text")
    ):
        raise fail(f"cannot save to {save_as!r}")
    skippable = raw.get("skippable", False)
    if not _bool(skippable):
        raise fail("'skippable' must be true or false")
    skip_for = raw.get("skip_for", [])
    if not isinstance(skip_for, list) or not all(isinstance(c, str) for c in skip_for):
        raise fail("'skip_for' must list category names")
    choices = _choices(raw["choices"], fail) if kind == "choice" else ()
    return FlowStep(
        id=sid,
        type=kind,
        prompt=raw.get("prompt"),
        reprompt=raw.get("reprompt"),
        retry=raw.get("retry"),
        next=None if kind == "choice" else raw.get("next"),
        choices=choices,
        save_as=save_as,
        skippable=skippable,
        skip_for=frozenset(skip_for),
    )


def _choices(raw: Any, fail: Any) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise fail("'choices' must list at least two answers")
    choices: list[Choice] = []
    for item in raw:
        if not isinstance(item, dict) or set(item) - {"answer", "next", "set", "words"}:
            raise fail("each choice has 'answer', 'next' and optional 'set' and 'words'")
        answer = item.get("answer")
        if not isinstance(answer, int) or isinstance(answer, bool) or not 1 <= answer <= 9:
            raise fail(f"choice answer {answer!r} must be a number from 1 to 9")
        if any(c.answer == answer for c in choices):
            raise fail(f"choice answer {answer} appears twice")
        if "next" not in item:
            raise fail(f"choice {answer} has no 'next'")
        sets = item.get("set") or {}
        bad = sorted(k for k, v in sets.items() if k not in BOOL_FIELDS or not _bool(v))
        if bad:
            raise fail(f"choice {answer} sets unknown or non-boolean fields {bad}")
        choices.append(
            Choice(
                answer=answer,
                next=str(item["next"]),
                sets=tuple(sorted(sets.items())),
                words=tuple(normalise(str(w)) for w in item.get("words") or ()),
            )
        )
    return tuple(choices)


def _targets(step: FlowStep) -> list[str]:
    if step.type == "choice":
        return [c.next for c in step.choices]
    return [step.next] if step.next else []


def _check_graph(steps: Mapping[str, FlowStep], start: str) -> None:
    reachable: set[str] = set()
    frontier = [start]
    while frontier:
        sid = frontier.pop()
        if sid not in reachable:
            reachable.add(sid)
            frontier.extend(_targets(steps[sid]))
    for sid in steps:
        if sid not in reachable:
            raise FlowError(f"step {sid!r}: unreachable from the start step {start!r}")
    # Every step must be able to end in a submit, or a resident could be stuck forever.
    ends = {sid for sid, s in steps.items() if s.type == "submit"}
    changed = True
    while changed:
        changed = False
        for sid, step in steps.items():
            if sid not in ends and any(t in ends for t in _targets(step)):
                ends.add(sid)
                changed = True
    for sid in steps:
        if sid not in ends:
            raise FlowError(f"step {sid!r}: no path from here reaches a 'submit' step")


def _settings(raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict) or set(raw) - set(_SETTINGS):
        raise FlowError(f"'settings' may only set {sorted(_SETTINGS)}")
    merged = dict(_SETTINGS)
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise FlowError(f"setting {key!r} must be a number >= 0")
        merged[key] = float(value)
    if merged["idle_timeout_hours"] <= 0 or merged["max_story_chars"] < 1:
        raise FlowError("'idle_timeout_hours' and 'max_story_chars' must be positive")
    return merged
