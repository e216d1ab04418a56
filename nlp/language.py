"""Which language a resident wrote in: English, Spanish, or something the city does not serve.

SMS are often one or two words ("ok", "sí", "STOP"), where character n-gram models guess wildly, so
short texts are decided by a small lexicon of words that only one of the two languages uses, and
anything still ambiguous falls back to the city's first language, as does a text written in no
language at all (repeated letters, keyboard mash, a bare link: see `nlp.substance`). Longer
texts go to py3langid.
Runs on the web hot path: no spaCy, one n-gram pass at most (well under a millisecond).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from nlp.substance import has_story
from nlp.textnorm import fold, words
from nlp.types import Language

SUPPORTED: tuple[Language, ...] = ("en", "es")

# Words (accent-folded) that mark one language and are rare or absent in the other. Words shared
# by both or common in Spanglish ("no", "ok", "taxi", "hotel", "a") are deliberately absent.
_SPANISH_WORDS = frozenset(
    str.split(
        """
    si hola gracias necesito ayuda ayudame por favor que el los las del una unos unas es esta estoy
    estaba esta fue son muy pero porque cuando donde quien como tengo tiene tenemos quiero puedo
    puede hay hace nada nadie algo bueno buena buenas buenos dias tardes noches policia policias
    oficial agente patrulla me mi mis yo tu usted ustedes nosotros ellos ella ellas su sus le les lo
    se sabe creo vivo calle casa hijo hija hermano esposo esposa miedo paso pasado ayer hoy manana
    noche anoche aqui ahi alli ahora despues antes tambien sin con para pero solo llamame llamar
    llame gente nuestro nuestra barrio vecino vecinos trabajo escuela carro coche dinero verdad
    claro vale adios perdon disculpe senor senora senorita habla hablo espanol ingles entiendo
    favor urgente emergencia golpe golpeo pego arrestaron detuvieron pararon paro racismo
    discriminacion queja reporte denuncia
    """
    )
)
_ENGLISH_WORDS = frozenset(
    str.split(
        """
    i im i'm you your yours the a an and is are was were be been it it's its this that these
    those what when where who why how yes yeah yep nope please thanks thank need needs want
    police cop cops officer officers stopped car my me we our they them he she his her
    have has had do does did don't didn't can can't could would should will won't not just
    about from with without for of on in at to by after before today yesterday tonight night
    street home house neighbor neighbors hi hello hey okay sure sorry call text report happened
    said told asked because but or so very really still again there here now never always
    """
    )
)
# Past and progressive verb endings that English words do not have ("pegaron", "corriendo").
_SPANISH_VERB_ENDINGS = ("aron", "ieron", "iendo", "amos", "aste", "iste")
# Characters that only Spanish uses among the two.
_SPANISH_MARKS = re.compile(r"[ñ¿¡áéíóú]", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

# Below this many letters, n-gram statistics are not trusted.
_SHORT_TEXT_LETTERS = 25
# Short texts with no lexicon verdict: n-grams decide from this many letters if one language
# holds this share of the en+es probability.
_TIE_BREAK_LETTERS = 6
_TIE_BREAK_SHARE = 0.7
# py3langid confidence (among all its languages) needed to call a long text "other".
_OTHER_CONFIDENCE = 0.9


_LOADING = threading.Lock()


def language_model() -> LanguageIdentifier:
    """The full py3langid model, loaded once per process (read-only afterwards, so safe across
    threads). Its load takes about a second of CPU; threads asking meanwhile wait for that one
    load. Without the lock each of them loaded it again (`functools.cache` does not lock): a
    process's first 16 texts, read at once, took 11 s, and 20-30 s beside workers loading
    their models (seen in tests/scale/test_scale_out.py when web processes still loaded it)."""
    with _LOADING:
        return _load()


@cache
def _load() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _lexicon_votes(text: str) -> tuple[int, int]:
    spanish = english = 0
    for word, _start, _end in words(text):
        if word in _SPANISH_WORDS or (len(word) >= 6 and word.endswith(_SPANISH_VERB_ENDINGS)):
            spanish += 1
        if word in _ENGLISH_WORDS:
            english += 1
    spanish += 2 * len(_SPANISH_MARKS.findall(text))
    return spanish, english


def _served(language: str, languages: Sequence[str]) -> Language:
    if language in languages and language in SUPPORTED:
        return "en" if language == "en" else "es"
    return "other"


def detect_language(
    text: str, *, languages: Sequence[str] = ("en", "es"), ngrams: bool = True
) -> Language:
    """'en', 'es' or 'other' for `text`; ambiguous texts get the city's first language.

    `languages` are the city's languages, first = default. A text clearly in a supported language
    that the city does not serve (Spanish for an English-only city) is 'other'.

    `ngrams=False` decides by the lexicon alone: no py3langid model, whose tables cost a web
    process ~75 MB (issue #15). Measured on the evaluation SMS and crisis posts (2026-12-02):
    99.5% / 99.6% right against 99.8% / 99.9% with n-grams, and never 'other'; the worker's
    full screening corrects a wrong first guess (flows/conversation/intake.py `on_screened`).
    """
    default = _served(languages[0], languages) if languages else "en"
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return default
    spanish, english = _lexicon_votes(text)
    if spanish == english == 0 and not has_story(text):
        # "aaaa…", "jajaja", a bare link, keyboard mash: n-grams would name some language for
        # it (2,000 "a"s read as Spanish), but it is written in none; the city's default serves.
        return default
    if letters < _SHORT_TEXT_LETTERS or not ngrams:
        if spanish > english:
            return _served("es", languages)
        if english > spanish:
            return _served("en", languages)
        if letters >= _TIE_BREAK_LETTERS and ngrams:
            # No lexicon verdict ("me pegaron"): trust n-grams only when they are clear.
            probabilities = dict(language_model().rank(text.lower()))
            p_es, p_en = probabilities.get("es", 0.0), probabilities.get("en", 0.0)
            if max(p_es, p_en) >= _TIE_BREAK_SHARE * (p_es + p_en):
                return _served("es" if p_es > p_en else "en", languages)
        return default

    ranked = language_model().rank(fold(text) if text.isupper() else text)
    probabilities = dict(ranked)
    top_language, top_probability = ranked[0]
    if (
        top_language not in SUPPORTED
        and top_probability >= _OTHER_CONFIDENCE
        and spanish + english <= 1
    ):
        return "other"
    p_es, p_en = probabilities.get("es", 0.0), probabilities.get("en", 0.0)
    # The lexicon breaks near-ties that n-grams cannot (Spanglish, names, numbers).
    if abs(p_es - p_en) < 0.2 * max(p_es, p_en, 1e-9) and spanish != english:
        return _served("es" if spanish > english else "en", languages)
    return _served("es" if p_es > p_en else "en", languages)
