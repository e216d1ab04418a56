"""Urgency: is someone in danger now (`emergency`) or at risk of suicide or self-harm (`crisis`)?

Two detectors, combined:

- the lexicon (`nlp.urgency_lexicon`): regular expressions, precise on explicit wording ("I want
  to kill myself", "he has a gun outside"), blind to indirect wording ("tonight's the night",
  "took a bunch of pills") and unable to tell a joke from intent;
- a learned head (`nlp/models/urgency_head.npz`, trained by `nlp.training.urgency` on the project's
  own examples only): a 3-way logistic regression (crisis, emergency, none) over multilingual
  USE embeddings for every language (a few ms per SMS; see `nlp.training.urgency` for why not
  MiniLM). `embed` lets `analyse_batch` encode once per encoder for the head and the category
  classifier together: a Spanish text's USE pass serves both.

A class is raised when the head's probability for it reaches a threshold, and a lower threshold
applies when the lexicon matched too: the lexicon's match is strong evidence that the head may
overrule only when it is confident (a joke, a past attempt). Both thresholds per class were
chosen by cross-validation on the training examples (see `nlp.training.urgency`). One statement
the head may not overrule: the writer saying plainly that they are suicidal now
(`nlp.urgency_lexicon.explicit_crisis`; the head reads "suicidal" beside a trivial cause as a
joke). Crisis beats emergency on equal evidence, because the crisis reply also tells people to
call 911 if they are in danger (see `decide`).

Long texts (a Reddit-style post) often state intent in one sentence among many, which a
mean-pooled embedding of the whole dilutes; they are also scored by chunks of a few sentences,
and the highest probability counts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.classify import CategoryHead
from nlp.runtime.encoders import SentenceEncoder, get_encoder
from nlp.types import Urgency
from nlp.urgency_lexicon import explicit_crisis, lexicon_signals

DEFAULT_HEAD_PATH = Path(__file__).parent / "models" / "urgency_head.npz"
LABELS: tuple[str, ...] = ("crisis", "emergency", "none")
# The head reads at most this much of a text, as the classifier does (see classify.MAX_CHARS).
MAX_CHARS = 4000
# Texts up to this long are read whole (an SMS); longer ones are also read by chunks of about
# CHUNK_CHARS characters, at most MAX_CHUNKS of them (the cost stays bounded on a long post).
LONG_TEXT_CHARS = 300
CHUNK_CHARS = 240
MAX_CHUNKS = 12
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\n+|(?<=[a-z])(?=[A-Z][a-z])")
_HAS_WORD = re.compile(r"\w")
_UPPER = re.compile(r"[^\W\d_]")
# A text in capitals ("HE IS HITTING ME") is read in lower case: the encoder sees shouting as a
# different register and the training examples are mostly not shouted.
SHOUTING_SHARE = 0.7


def readable(text: str) -> str:
    """What the head reads: the text cut to MAX_CHARS, in lower case if written in capitals."""
    text = text[:MAX_CHARS]
    letters = _UPPER.findall(text)
    if letters and sum(ch.isupper() for ch in letters) >= SHOUTING_SHARE * len(letters):
        return text.lower()
    return text


@dataclass(frozen=True)
class Thresholds:
    """Head probability needed for each class, alone or with a lexicon match."""

    crisis: float
    crisis_with_lexicon: float
    emergency: float
    emergency_with_lexicon: float

    @classmethod
    def per_view(cls, head: CategoryHead) -> dict[str, Thresholds]:
        """The thresholds stored in the head's meta, one set per view."""
        stored = head.meta.get("thresholds")
        if not isinstance(stored, Mapping) or set(stored) != set(head.views):
            raise ValueError("the urgency head needs one set of thresholds per view")
        return {
            view: cls(**{name: float(values[name]) for name in cls.__dataclass_fields__})
            for view, values in stored.items()
        }


def chunks(text: str) -> list[str]:
    """Groups of whole sentences of about CHUNK_CHARS characters; none for a short text."""
    text = readable(text.strip())
    if len(text) <= LONG_TEXT_CHARS:
        return []
    out: list[str] = []
    current = ""
    for sentence in (s.strip() for s in _SENTENCE_BREAK.split(text)):
        if not sentence:
            continue
        if current and len(current) + 1 + len(sentence) > CHUNK_CHARS:
            out.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out[:MAX_CHUNKS]


def decide(
    probabilities: Sequence[float],
    *,
    lexicon: tuple[bool, bool],
    thresholds: Thresholds,
    explicit: bool = False,
) -> Urgency:
    """The verdict from (p_crisis, p_emergency), the lexicon's (crisis, emergency) matches and
    whether the writer says plainly that they are suicidal now (`explicit`, always a crisis).

    With a lexicon match, the head is asked only whether the text is urgent at all (p_crisis +
    p_emergency): the lexicon knows the kind better ("loaded my dad's gun, I'm in my room" reads
    as danger to the head, the lexicon knows whose). Such a lexicon-backed verdict comes before
    one from the head alone, except that an emergency match yields to a head sure of a crisis
    ("I just cut myself, there's blood everywhere": the crisis reply also says to call 911). On
    equal evidence crisis comes first.
    """
    p_crisis, p_emergency = float(probabilities[0]), float(probabilities[1])
    lex_crisis, lex_emergency = lexicon
    urgent = p_crisis + p_emergency
    head_crisis = p_crisis >= thresholds.crisis
    if explicit or (lex_crisis and urgent >= thresholds.crisis_with_lexicon):
        return "crisis"
    if lex_emergency and urgent >= thresholds.emergency_with_lexicon:
        return "crisis" if head_crisis and p_crisis > p_emergency else "emergency"
    if head_crisis:
        return "crisis"
    if p_emergency >= thresholds.emergency:
        return "emergency"
    return "none"


class UrgencyDetector:
    """Lexicon plus learned head. Thread-safe: holds no mutable state after init."""

    def __init__(
        self, *, head: CategoryHead, encoders: Mapping[str, SentenceEncoder] | None = None
    ) -> None:
        if tuple(head.labels) != LABELS:
            raise ValueError(f"urgency head labels must be {LABELS}, not {head.labels}")
        self.head = head
        self.thresholds = Thresholds.per_view(head)
        self._encoders = dict(encoders or {})

    def encoder_ids_for(self, language: str) -> tuple[str, ...]:
        """The embeddings the head reads for a text in `language`."""
        return self.head.views[self.head.view_for(language)].encoder_ids

    def _encoder(self, encoder_id: str) -> SentenceEncoder:
        return self._encoders.get(encoder_id) or get_encoder(encoder_id)

    def embed(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str],
    ) -> dict[str, np.ndarray]:
        """Whole-text embeddings for this head (encoder id -> rows aligned with `texts`, zero
        where not needed), for a caller that scores the same texts more than once."""
        needs: dict[str, list[int]] = {}
        for i, (text, language) in enumerate(zip(texts, languages, strict=True)):
            if not _HAS_WORD.search(text):
                continue
            for encoder_id in self.encoder_ids_for(language):
                needs.setdefault(encoder_id, []).append(i)
        out: dict[str, np.ndarray] = {}
        for encoder_id, rows in needs.items():
            encoder = self._encoder(encoder_id)
            matrix = np.zeros((len(texts), encoder.dim), dtype=np.float32)
            matrix[rows] = encoder.encode([texts[i][:MAX_CHARS] for i in rows])
            out[encoder_id] = matrix
        return out

    def probabilities(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str],
        embeddings: Mapping[str, np.ndarray] | None = None,
    ) -> np.ndarray:
        """(n, 2): p(crisis), p(emergency) per text, the maximum over the whole and its chunks.

        `embeddings` (encoder id -> rows aligned with `texts`) are the texts' whole-text
        embeddings when the caller has them already (the classifier's); chunks are encoded here.
        """
        if len(texts) != len(languages):
            raise ValueError("texts and languages must have the same length")
        out = np.zeros((len(texts), 2), dtype=np.float32)
        by_view: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            if _HAS_WORD.search(text):
                by_view.setdefault(self.head.view_for(languages[i]), []).append(i)
        for view_name, rows in by_view.items():
            view = self.head.views[view_name]
            pieces = [chunks(texts[i]) for i in rows]
            owner = [k for k, piece in enumerate(pieces) for _ in piece]
            flat = [c for piece in pieces for c in piece]
            # A caller's embedding is of the text as written; a shouted text is read again.
            wholes = [readable(texts[i]) for i in rows]
            whole_parts, chunk_parts = [], []
            for encoder_id in view.encoder_ids:
                given = None if embeddings is None else embeddings.get(encoder_id)
                reuse = [
                    given is not None and w == texts[i][:MAX_CHARS]
                    for w, i in zip(wholes, rows, strict=True)
                ]
                todo = [w for w, r in zip(wholes, reuse, strict=True) if not r] + flat
                encoded = self._encoder(encoder_id).encode(todo) if todo else None
                whole = np.zeros((len(rows), self._encoder(encoder_id).dim), dtype=np.float32)
                fresh = [k for k, r in enumerate(reuse) if not r]
                if given is not None:
                    kept = [k for k, r in enumerate(reuse) if r]
                    whole[kept] = np.asarray(given)[[rows[k] for k in kept]]
                if encoded is not None:
                    whole[fresh] = encoded[: len(fresh)]
                    if flat:
                        chunk_parts.append(encoded[len(fresh) :])
                whole_parts.append(whole)
            scores = view.probabilities(np.hstack(whole_parts))[:, :2]
            if flat:
                chunk_scores = view.probabilities(np.hstack(chunk_parts))[:, :2]
                np.maximum.at(scores, np.asarray(owner), chunk_scores)
            out[rows] = scores
        return out

    def detect_batch(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str],
        embeddings: Mapping[str, np.ndarray] | None = None,
    ) -> list[Urgency]:
        """One verdict per text: the lexicon and the head read the same text."""
        probabilities = self.probabilities(texts, languages=languages, embeddings=embeddings)
        return [
            decide(
                row,
                lexicon=lexicon_signals(text),
                thresholds=self.thresholds[self.head.view_for(language)],
                explicit=explicit_crisis(text),
            )
            for row, text, language in zip(probabilities, texts, languages, strict=True)
        ]

    def detect(self, text: str, *, language: str) -> Urgency:
        return self.detect_batch([text], languages=[language])[0]


_DEFAULT: UrgencyDetector | None = None
_DEFAULT_LOCK = threading.Lock()


def get_default_detector() -> UrgencyDetector:
    """The detector over the shipped head, loaded once per process (load-once cache)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = UrgencyDetector(head=CategoryHead.load(DEFAULT_HEAD_PATH))
        return _DEFAULT


def detect_urgency(text: str, *, language: str | None = None) -> Urgency:
    """'crisis', 'emergency' or 'none' for one text, with the shipped head."""
    if language is None:
        from nlp.language import detect_language

        language = detect_language(text)
    return get_default_detector().detect(text, language=language)
