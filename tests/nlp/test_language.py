from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from py3langid.langid import LanguageIdentifier

from nlp import language
from nlp.language import detect_language

ENGLISH = [
    "I need help",
    "yes",
    "thanks",
    "the cop stopped me for no reason",
    "they searched my car",
    "can someone call me back",
    "an officer pushed my son",
    "it happened yesterday near the school",
    "I want to report something",
    "please don't share my name",
    "he was very rude to me",
    "thank you so much",
    "what happens next?",
    "police followed me home again",
    "my neighbor was arrested",
    "no one answered when I called",
    "we feel unsafe at night",
    "there were three cops",
    "why did they stop me",
    "yeah that's right",
    "I was scared",
    "they took my phone",
]
SPANISH = [
    "sí",
    "hola necesito ayuda",
    "gracias",
    "no sé",
    "hola",
    "la policía me paró sin razón",
    "buenas noches",
    "necesito hablar con alguien",
    "me pegaron",
    "tengo miedo",
    "el oficial me gritó",
    "quiero hacer una queja",
    "ayer en la noche",
    "mi hijo fue arrestado",
    "por favor ayúdenme",
    "nadie me ayudó",
    "¿qué pasa ahora?",
    "muchas gracias por su ayuda",
    "vivo en la calle Flores",
    "sí, está bien",
    "estoy bien gracias",
    "me siguieron hasta mi casa",
]


@pytest.mark.parametrize("text", ENGLISH)
def test_short_english(text: str) -> None:
    assert detect_language(text) == "en"
    assert detect_language(text, languages=("es", "en")) == "en"


@pytest.mark.parametrize("text", SPANISH)
def test_short_spanish(text: str) -> None:
    assert detect_language(text) == "es"
    assert detect_language(text, languages=("es", "en")) == "es"


@pytest.mark.parametrize("text", ["ok", "1", "STOP", "", "   ", "👍", "911", "Ok."])
def test_ambiguous_texts_get_the_first_language(text: str) -> None:
    assert detect_language(text, languages=("en", "es")) == "en"
    assert detect_language(text, languages=("es", "en")) == "es"


def test_all_caps_spanish() -> None:
    assert detect_language("LA POLICIA ME PARO EN LA CALLE") == "es"


def test_other_languages() -> None:
    assert detect_language("Der Polizist hat mich ohne Grund angehalten und beleidigt") == "other"
    assert detect_language("Bonjour, je voudrais signaler un problème avec la police") == "other"


def test_unserved_language_is_other() -> None:
    assert detect_language("la policía me paró sin razón", languages=("en",)) == "other"
    assert detect_language("ok", languages=("en",)) == "en"


def test_longer_mixed_text_follows_the_majority() -> None:
    text = "the officer told me to leave pero yo no hice nada, I was just waiting for the bus"
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text", ["a" * 2000, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "https://bit.ly/3xYz9"]
)
def test_text_in_no_language_gets_the_first_language(text: str) -> None:
    assert detect_language(text, languages=("en", "es")) == "en"
    assert detect_language(text, languages=("es", "en")) == "es"


def test_keyboard_mash_is_not_spanish() -> None:
    assert detect_language("asdkjh zxmcnv lkjhg qwrt") == "en"


def test_the_model_is_loaded_once_when_many_threads_need_it_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A web process's first texts are screened at once, each on a thread of its own.
    loads: list[int] = []
    model = language.language_model()

    def slow_load(*_args: object, **_kwargs: object) -> LanguageIdentifier:
        loads.append(1)
        time.sleep(0.2)
        return model

    monkeypatch.setattr(language.LanguageIdentifier, "from_model_file", slow_load)
    language._load.cache_clear()
    try:
        with ThreadPoolExecutor(8) as pool:
            found = list(pool.map(lambda _: language.language_model(), range(8)))
    finally:
        language._load.cache_clear()  # the next caller loads the real one again
    assert loads == [1]
    assert all(f is model for f in found)
