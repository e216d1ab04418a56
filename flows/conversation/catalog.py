"""Message catalogues: every word the bot says, one YAML file per language
(flows/conversation/catalog/en.yaml…).

No reply text lives in code. `load_catalog` fails at start-up, naming the file and key, when a
language lacks a message another language has, when the placeholders of one message differ between
languages, or when a message the engine needs is missing or has the wrong placeholders. Placeholders
are `str.format` fields: "Your report {ref} goes to {destinations}."
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
DEFAULT_LANGUAGES = ("en", "es")

# Messages the engine itself renders, with exactly the placeholders it fills in.
ENGINE_MESSAGES: Mapping[str, frozenset[str]] = {
    "welcome": frozenset(),
    "help": frozenset(),
    "safety_emergency": frozenset(),
    "safety_crisis": frozenset(),
    "opted_out": frozenset(),
    "opted_in": frozenset(),
    "sender_limited": frozenset(),
    "story_added": frozenset(),
    "not_understood": frozenset(),
    "filed": frozenset({"ref", "destinations"}),
    "filed_after_timeout": frozenset({"ref", "destinations"}),
    "appended": frozenset({"ref"}),
    "idle_ack": frozenset({"ref"}),
    "new_report": frozenset(),
    "new_report_discarded": frozenset(),
    "language_set": frozenset(),
    "delete_confirm": frozenset(),
    "delete_done": frozenset(),
    "delete_cancelled": frozenset(),
    "status_none": frozenset(),
    "status_not_found": frozenset({"ref"}),
    "status_one": frozenset({"ref", "status", "destinations"}),
    "status_list": frozenset({"reports"}),
    "status_item": frozenset({"ref", "status"}),
    "destination_item": frozenset({"name"}),
    "destination_pending": frozenset(),
    "list_and": frozenset(),
    "status_new": frozenset(),
    "status_routed": frozenset(),
    "status_acknowledged": frozenset(),
    "status_in_progress": frozenset(),
    "status_resolved": frozenset(),
    "status_closed": frozenset(),
    "status_unknown": frozenset(),
    "answer_relayed": frozenset({"ref"}),
    # The latest published decision on a report: STATUS, and the one text when it is published.
    "decision": frozenset({"ref", "date", "summary"}),
    # Answers to a check-in (flows/conversation/checkin_answers.py).
    "checkin_thanks": frozenset(),
    "checkin_added": frozenset({"ref"}),
}

# Messages the moderators' relay renders (flows.reports.moderation): a moderator's words in a frame.
RELAY_MESSAGES: Mapping[str, frozenset[str]] = {
    "relay_question": frozenset({"ref", "text"}),
    "relay_reply": frozenset({"ref", "text"}),
    "relay_resolved": frozenset({"ref", "note"}),
}


class CatalogError(ValueError):
    """A catalogue that cannot be used; the message names the file and the key."""


def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@dataclass(frozen=True)
class Catalog:
    # language → key → template; the first language is the default.
    messages: Mapping[str, Mapping[str, str]]
    languages: tuple[str, ...]

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def keys(self) -> frozenset[str]:
        return frozenset(self.messages[self.default_language])

    def render(self, key: str, language: str, **params: str) -> str:
        lang = language if language in self.messages else self.default_language
        return self.messages[lang][key].format(**params)

    def join(self, items: Sequence[str], language: str) -> str:
        """ "A", "A and B", "A, B and C" in the given language."""
        if len(items) <= 1:
            return "".join(items)
        conjunction = self.render("list_and", language)
        return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def load_catalog(
    directory: Path | str = DEFAULT_CATALOG_DIR, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> Catalog:
    """Load `<directory>/<lang>.yaml` for each language and check they agree with each other."""
    if not languages:
        raise CatalogError("at least one language is needed")
    folder = Path(directory)
    messages: dict[str, dict[str, str]] = {}
    for lang in languages:
        file = folder / f"{lang}.yaml"
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CatalogError(f"{file}: cannot read: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise CatalogError(f"{file}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise CatalogError(f"{file}: must map message keys to texts")
        for key, text in data.items():
            if not isinstance(text, str) or not text.strip():
                raise CatalogError(f"{file}: {key}: must be a non-empty text")
            try:
                placeholders(text)
            except ValueError as exc:
                raise CatalogError(f"{file}: {key}: bad placeholder: {exc}") from None
        messages[lang] = {str(k): v for k, v in data.items()}
    _check(folder, messages, tuple(languages))
    return Catalog(messages=messages, languages=tuple(languages))


def _check(
    folder: Path, messages: Mapping[str, Mapping[str, str]], languages: Sequence[str]
) -> None:
    reference = languages[0]
    for key, expected in {**ENGINE_MESSAGES, **RELAY_MESSAGES}.items():
        if key not in messages[reference]:
            raise CatalogError(f"{folder / reference}.yaml: {key}: missing (the engine needs it)")
        found = placeholders(messages[reference][key])
        if found != expected:
            raise CatalogError(
                f"{folder / reference}.yaml: {key}: placeholders {sorted(found)}, "
                f"the engine fills {sorted(expected)}"
            )
    for lang in languages[1:]:
        file = f"{folder / lang}.yaml"
        for key in sorted(set(messages[reference]) - set(messages[lang])):
            raise CatalogError(f"{file}: {key}: missing (translation of {reference}.yaml)")
        for key in sorted(set(messages[lang]) - set(messages[reference])):
            raise CatalogError(f"{file}: {key}: not in {reference}.yaml")
        for key, text in messages[lang].items():
            theirs, ours = placeholders(messages[reference][key]), placeholders(text)
            if theirs != ours:
                raise CatalogError(
                    f"{file}: {key}: placeholders {sorted(ours)} differ from "
                    f"{reference}.yaml's {sorted(theirs)}"
                )
