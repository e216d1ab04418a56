"""Keywords a person may text at any time, recognised before anything else.

A keyword is the WHOLE message: one word, any case, with surrounding spaces and punctuation
ignored ("stop.", " Stop ", "STOP!" all count; "stop it please" does not). Only STATUS/ESTADO takes
an argument, a report reference ("STATUS R-7KQ2", "estado r 7kq2").

Carrier keywords are the ones Twilio and US carriers act on themselves (opt-out, opt-in, help); we
honour the same words so our records agree with the carrier's. Our own keywords add Spanish
equivalents. Choices, documented because they touch carrier semantics:

- YES is an opt-in word for carriers, so we never ask a resident to answer YES (questions are
  numbered); we do not treat YES as a keyword either, so it can still answer a yes/no question.
- ALTO and PARAR (Spanish "stop") opt out too. Carriers do not act on them, so no carrier
  confirmation is sent and the carrier does not block us, but our service stops sending, which is
  what the person asked for. START or UNSTOP opts back in, like any opt-out.
- CANCEL is a carrier opt-out, so no prompt ever suggests "cancel" (DELETE is confirmed with 1 and
  anything else keeps the data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from flows.conversation.answers import fold_words
from flows.reports.refs import find_ref

KeywordKind = Literal["opt_out", "opt_in", "help", "status", "delete", "new", "language"]

CARRIER_OPT_OUT = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
CARRIER_OPT_IN = frozenset({"START", "UNSTOP"})

# word → (kind, argument, language the word is written in; None when it says nothing about it)
_WORDS: dict[str, tuple[KeywordKind, str | None, str | None]] = {
    **{word: ("opt_out", None, None) for word in CARRIER_OPT_OUT},
    "ALTO": ("opt_out", None, "es"),
    "PARAR": ("opt_out", None, "es"),
    **{word: ("opt_in", None, None) for word in CARRIER_OPT_IN},
    "HELP": ("help", None, "en"),
    "INFO": ("help", None, None),
    "AYUDA": ("help", None, "es"),
    "DELETE": ("delete", None, "en"),
    "BORRAR": ("delete", None, "es"),
    "NEW": ("new", None, "en"),
    "NUEVO": ("new", None, "es"),
    "ESPANOL": ("language", "es", "es"),
    "SPANISH": ("language", "es", "es"),
    "ENGLISH": ("language", "en", "en"),
    "INGLES": ("language", "en", "en"),
}
_STATUS_WORDS = {"STATUS": "en", "ESTADO": "es"}
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


@dataclass(frozen=True)
class Keyword:
    kind: KeywordKind
    # The report reference for STATUS, the language code for a language switch.
    argument: str | None = None
    # The language the keyword itself is written in, when it tells (AYUDA → es).
    language: str | None = None


def parse_keyword(text: str) -> Keyword | None:
    """The keyword `text` consists of, or None when it is anything else."""
    core = _EDGE_PUNCTUATION.sub("", text.strip())
    if not core:
        return None
    # Upper case without accents: "Español" → "ESPANOL", "inglés" → "INGLES".
    words = fold_words(core).upper().split()
    if len(words) == 1 and words[0] in _WORDS:
        kind, argument, language = _WORDS[words[0]]
        return Keyword(kind, argument, language)
    if words and words[0] in _STATUS_WORDS:
        rest = core.split(maxsplit=1)[1] if len(words) > 1 else ""
        ref = find_ref(rest) if rest else None
        # "status of my report" is a sentence, not the keyword; "STATUS R-7KQ2" is.
        if rest and ref is None:
            return None
        return Keyword("status", ref, _STATUS_WORDS[words[0]])
    return None
