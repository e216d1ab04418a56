"""Catalogue completeness, placeholder agreement, and every reply's SMS length."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from flows.city import load_city_config
from flows.conversation.catalog import (
    DEFAULT_CATALOG_DIR,
    ENGINE_MESSAGES,
    Catalog,
    CatalogError,
    load_catalog,
    placeholders,
)
from flows.conversation.flowdef import Flow
from flows.handling.segments import count_segments

MAX_SEGMENTS = 2
# Typical values for every placeholder: the longest realistic ones from the demo city.
TYPICAL = {
    "ref": "R-7KQ2",
    "name": "Community Police Oversight Council",
    "status": "sent to the council",
    "reports": "R-7KQ2 sent to the council; R-AB34 being worked on; R-CD56 resolved",
}


def _typical_destinations(catalog: Catalog, lang: str) -> str:
    names = ["Community Police Oversight Council", "Eastgate Community Council"]
    items = [catalog.render("destination_item", lang, name=n) for n in names]
    return catalog.join(items, lang)


def _render_typical(catalog: Catalog, key: str, lang: str) -> str:
    template = catalog.messages[lang][key]
    params = {name: TYPICAL.get(name, "") for name in placeholders(template)}
    if "destinations" in params:
        params["destinations"] = _typical_destinations(catalog, lang)
    if "status" in params:
        params["status"] = catalog.render("status_acknowledged", lang)
    return catalog.render(key, lang, **params)


def test_every_language_has_every_message_with_the_same_placeholders(catalog: Catalog) -> None:
    reference = catalog.messages["en"]
    for lang in catalog.languages:
        messages = catalog.messages[lang]
        assert set(messages) == set(reference), lang
        for key, text in messages.items():
            assert placeholders(text) == placeholders(reference[key]), (lang, key)
    assert set(ENGINE_MESSAGES) <= set(reference)


def test_shipped_catalogue_files_are_the_ones_checked() -> None:
    files = sorted(p.stem for p in DEFAULT_CATALOG_DIR.glob("*.yaml"))
    assert files == ["en", "es"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_message_fits_two_segments(catalog: Catalog, lang: str) -> None:
    for key in catalog.messages[lang]:
        text = _render_typical(catalog, key, lang)
        assert count_segments(text) <= MAX_SEGMENTS, (lang, key, len(text), text)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_composed_replies_fit_two_segments(catalog: Catalog, flow: Flow, lang: str) -> None:
    """The engine joins a short prefix and a question into one SMS; those pairs fit too."""
    questions = {k for s in flow.steps.values() for k in (s.prompt, s.reprompt, s.retry) if k}
    start_prompt = flow.steps[flow.start].prompt
    assert start_prompt is not None
    pairs = [(prefix, q) for prefix in ("story_added", "not_understood") for q in questions]
    pairs += [("new_report", start_prompt), ("new_report_discarded", start_prompt)]
    for first, second in pairs:
        text = f"{catalog.render(first, lang)} {catalog.render(second, lang)}"
        assert count_segments(text) <= MAX_SEGMENTS, (lang, first, second, text)


def test_demo_city_help_fits_two_segments() -> None:
    city = load_city_config()
    for lang, text in city.city.help_text.items():
        assert count_segments(text) <= MAX_SEGMENTS, (lang, len(text), text)


def _write(folder: Path, lang: str, messages: dict[str, str]) -> None:
    (folder / f"{lang}.yaml").write_text(yaml.safe_dump(messages, allow_unicode=True), "utf-8")


def _shipped(lang: str) -> dict[str, str]:
    return dict(load_catalog(DEFAULT_CATALOG_DIR, (lang,)).messages[lang])


def test_missing_translation_is_rejected_naming_file_and_key(tmp_path: Path) -> None:
    spanish = _shipped("es")
    del spanish["ask_place"]
    _write(tmp_path, "en", _shipped("en"))
    _write(tmp_path, "es", spanish)
    with pytest.raises(CatalogError, match=r"es\.yaml: ask_place: missing"):
        load_catalog(tmp_path, ("en", "es"))


def test_placeholder_mismatch_is_rejected(tmp_path: Path) -> None:
    spanish = _shipped("es")
    spanish["appended"] = "Lo agregamos a su reporte {referencia}."
    _write(tmp_path, "en", _shipped("en"))
    _write(tmp_path, "es", spanish)
    with pytest.raises(CatalogError, match=r"es\.yaml: appended: placeholders"):
        load_catalog(tmp_path, ("en", "es"))


def test_engine_message_missing_or_with_wrong_placeholders_is_rejected(tmp_path: Path) -> None:
    english = _shipped("en")
    english["filed"] = "Thanks, report {ref}."
    _write(tmp_path, "en", english)
    with pytest.raises(CatalogError, match=r"en\.yaml: filed: placeholders"):
        load_catalog(tmp_path, ("en",))
    del english["filed"]
    _write(tmp_path, "en", english)
    with pytest.raises(CatalogError, match=r"en\.yaml: filed: missing"):
        load_catalog(tmp_path, ("en",))


def test_extra_key_in_a_translation_is_rejected(tmp_path: Path) -> None:
    spanish = _shipped("es")
    spanish["hola_extra"] = "Hola"
    _write(tmp_path, "en", _shipped("en"))
    _write(tmp_path, "es", spanish)
    with pytest.raises(CatalogError, match=r"es\.yaml: hola_extra: not in en\.yaml"):
        load_catalog(tmp_path, ("en", "es"))


def test_missing_language_file_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "en", _shipped("en"))
    with pytest.raises(CatalogError, match=r"es\.yaml: cannot read"):
        load_catalog(tmp_path, ("en", "es"))
