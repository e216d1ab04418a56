"""Category classifier: a small linear head over sentence embeddings, with calibrated scores.

The head (`CategoryHead`) is data, not code: labels, one linear "view" per encoder combination,
which view serves which language, a softmax temperature per view and the triage threshold. It is
stored as a small `.npz` file (`nlp/models/category_head.npz`, produced by
`nlp.training.categories`), so a city that replaces the taxonomy retrains the head and nothing
here changes.

Views (chosen by measurement, see `benchmarks/routing_quality.py` and the notes in
`nlp/training/categories.py`):
- English (and the default): MiniLM alone, strongly regularised: it reads long narratives best.
- Short English texts (an SMS one-liner, under `short_chars` after preprocessing) blend that
  view with a "short" view over MiniLM and USE together, fitted with less regularisation: a
  one-liner ("cop pushed me") has few words, and the model that generalises best to long
  reports smooths them towards the most common categories.
- Narratives in English (at least `narrative_chars`) blend the MiniLM view with the USE view
  (weight `narrative_weight`): two encoders trained apart disagree on different reports, and
  their blend reads police-complaint summaries and long posts better than either alone.
- Spanish and other languages: USE multilingual, which MiniLM (English-only) cannot serve.

Scores are softmax(logits / temperature), the temperature fitted by cross-validation on the
training examples, so a score of 0.8 means "right about 80% of the time" on data like the
training examples. `triage` is set when the top score is below the head's threshold.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.neighbours import NeighbourVote
from nlp.runtime.encoders import SentenceEncoder, get_encoder
from nlp.substance import has_story
from nlp.types import CategoryScore

DEFAULT_HEAD_PATH = Path(__file__).parent / "models" / "category_head.npz"
# Texts longer than this are cut before encoding: MiniLM reads 256 tokens anyway, and the
# beginning of a report is where people say what happened.
MAX_CHARS = 4000


@dataclass(frozen=True)
class LinearView:
    """logits = concat(embeddings of `encoder_ids`) @ weights + bias."""

    encoder_ids: tuple[str, ...]
    weights: np.ndarray  # (dim, n_labels)
    bias: np.ndarray  # (n_labels,)
    temperature: float = 1.0

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        logits = (features @ self.weights + self.bias) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))


@dataclass(frozen=True)
class CategoryHead:
    labels: tuple[str, ...]
    views: Mapping[str, LinearView]
    # language code -> view name; languages not listed use `default_view`.
    language_views: Mapping[str, str]
    default_view: str
    triage_threshold: float
    meta: Mapping[str, Any] = field(default_factory=dict)
    # language code -> a view blended in (weight `short_weight`) for texts under `short_chars`.
    short_views: Mapping[str, str] = field(default_factory=dict)
    short_chars: int = 0
    short_weight: float = 0.5
    # The nearest written examples' vote, blended in (weight `neighbour_weight`) wherever the
    # short view is; the long view keeps what is left.
    neighbours: NeighbourVote | None = None
    neighbour_weight: float = 0.0
    # language code -> a second view blended in (weight `narrative_weight`) for texts of at
    # least `narrative_chars` (0: never): a narrative read by two encoders trained apart.
    narrative_views: Mapping[str, str] = field(default_factory=dict)
    narrative_chars: int = 0
    narrative_weight: float = 0.0

    def view_for(self, language: str) -> str:
        return self.language_views.get(language, self.default_view)

    def short_view_for(self, language: str, text: str) -> str | None:
        """The view blended in for a short `text`, if the head has one for `language`."""
        if len(text) >= self.short_chars:
            return None
        return self.short_views.get(language)

    def narrative_view_for(self, language: str, text: str) -> str | None:
        """The second view blended in for a long `text`, if the head has one for `language`."""
        if not self.narrative_chars or len(text) < self.narrative_chars:
            return None
        return self.narrative_views.get(language)

    @property
    def encoder_ids(self) -> tuple[str, ...]:
        ids: dict[str, None] = {}
        for view in self.views.values():
            ids.update(dict.fromkeys(view.encoder_ids))
        if self.neighbours is not None:
            ids[self.neighbours.encoder_id] = None
        return tuple(ids)

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {"labels": np.array(self.labels, dtype=str)}
        for name, view in self.views.items():
            arrays[f"{name}.weights"] = view.weights.astype(np.float32)
            arrays[f"{name}.bias"] = view.bias.astype(np.float32)
        if self.neighbours is not None:
            arrays["neighbours.embeddings"] = self.neighbours.embeddings.astype(np.float16)
            arrays["neighbours.targets"] = self.neighbours.targets.astype(np.int16)
        header = {
            "views": {
                name: {"encoder_ids": list(v.encoder_ids), "temperature": v.temperature}
                for name, v in self.views.items()
            },
            "language_views": dict(self.language_views),
            "default_view": self.default_view,
            "triage_threshold": self.triage_threshold,
            "meta": dict(self.meta),
            "short_views": dict(self.short_views),
            "short_chars": self.short_chars,
            "short_weight": self.short_weight,
            "neighbours": None
            if self.neighbours is None
            else {
                "encoder_id": self.neighbours.encoder_id,
                "k": self.neighbours.k,
                "temperature": self.neighbours.temperature,
            },
            "neighbour_weight": self.neighbour_weight,
            "narrative_views": dict(self.narrative_views),
            "narrative_chars": self.narrative_chars,
            "narrative_weight": self.narrative_weight,
        }
        arrays["header"] = np.array(json.dumps(header, sort_keys=True))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> CategoryHead:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            views = {
                name: LinearView(
                    encoder_ids=tuple(spec["encoder_ids"]),
                    weights=np.asarray(data[f"{name}.weights"], dtype=np.float32),
                    bias=np.asarray(data[f"{name}.bias"], dtype=np.float32),
                    temperature=float(spec["temperature"]),
                )
                for name, spec in header["views"].items()
            }
            labels = tuple(str(label) for label in data["labels"])
            spec = header.get("neighbours")
            neighbours = (
                None
                if spec is None
                else NeighbourVote(
                    encoder_id=spec["encoder_id"],
                    embeddings=np.asarray(data["neighbours.embeddings"], dtype=np.float32),
                    targets=np.asarray(data["neighbours.targets"], dtype=np.int64),
                    k=int(spec["k"]),
                    temperature=float(spec["temperature"]),
                )
            )
        return cls(
            labels=labels,
            views=views,
            language_views=header["language_views"],
            default_view=header["default_view"],
            triage_threshold=float(header["triage_threshold"]),
            meta=header.get("meta", {}),
            short_views=header.get("short_views", {}),
            short_chars=int(header.get("short_chars", 0)),
            short_weight=float(header.get("short_weight", 0.5)),
            neighbours=neighbours,
            neighbour_weight=float(header.get("neighbour_weight", 0.0)),
            narrative_views=header.get("narrative_views", {}),
            narrative_chars=int(header.get("narrative_chars", 0)),
            narrative_weight=float(header.get("narrative_weight", 0.0)),
        )


Prediction = tuple[tuple[CategoryScore, ...], bool]


class Classifier:
    """Ranks the head's labels for each text. Thread-safe: holds no mutable state after init."""

    def __init__(
        self, *, head: CategoryHead, encoders: Mapping[str, SentenceEncoder] | None = None
    ) -> None:
        self.head = head
        self._encoders = dict(encoders or {})

    def _encoder(self, encoder_id: str) -> SentenceEncoder:
        return self._encoders.get(encoder_id) or get_encoder(encoder_id)

    def predict(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str],
        embeddings: Mapping[str, np.ndarray] | None = None,
    ) -> list[Prediction]:
        """Ranked calibrated scores and a triage flag per text (no scores and triage for a text
        with no story, see `nlp.substance`).

        `embeddings` (encoder id -> rows aligned with `texts`) lets a caller that already
        encoded the texts avoid a second forward pass.
        """
        if len(texts) != len(languages):
            raise ValueError("texts and languages must have the same length")
        probabilities = np.full(
            (len(texts), len(self.head.labels)), 1.0 / len(self.head.labels), dtype=np.float32
        )
        # No story (empty, emoji, a bare link, "aaaa", gibberish): no category at all, triaged;
        # a uniform ranking would still put some label first.
        readable = [i for i, text in enumerate(texts) if has_story(text)]
        by_view: dict[str, list[int]] = {}
        by_short_view: dict[str, list[int]] = {}
        by_narrative_view: dict[str, list[int]] = {}
        for i in readable:
            by_view.setdefault(self.head.view_for(languages[i]), []).append(i)
            short_view = self.head.short_view_for(languages[i], texts[i])
            if short_view is not None:
                by_short_view.setdefault(short_view, []).append(i)
            narrative_view = self.head.narrative_view_for(languages[i], texts[i])
            if narrative_view is not None:
                by_narrative_view.setdefault(narrative_view, []).append(i)
        cache: dict[str, np.ndarray] = {}
        for view_name, rows in by_view.items():
            probabilities[rows] = self._view_probabilities(
                view_name, texts, rows, embeddings, cache
            )
        weight = self.head.short_weight
        vote = self.head.neighbours
        vote_weight = self.head.neighbour_weight if vote is not None else 0.0
        for view_name, rows in by_short_view.items():
            short = self._view_probabilities(view_name, texts, rows, embeddings, cache)
            mixed = (1.0 - weight - vote_weight) * probabilities[rows] + weight * short
            if vote is not None:
                features = self._encoded(vote.encoder_id, texts, rows, embeddings, cache)
                mixed += vote_weight * vote.probabilities(features, len(self.head.labels))
            probabilities[rows] = mixed
        share = self.head.narrative_weight
        for view_name, rows in by_narrative_view.items():
            second = self._view_probabilities(view_name, texts, rows, embeddings, cache)
            probabilities[rows] = (1.0 - share) * probabilities[rows] + share * second
        readable_set = set(readable)
        return [self._rank(probabilities[i], readable=i in readable_set) for i in range(len(texts))]

    def _view_probabilities(
        self,
        view_name: str,
        texts: Sequence[str],
        rows: list[int],
        embeddings: Mapping[str, np.ndarray] | None,
        cache: dict[str, np.ndarray],
    ) -> np.ndarray:
        """One view's probabilities for `rows`; each encoder runs at most once per text per
        call (`cache`: encoder id -> embeddings of all texts, rows not yet encoded are zero)."""
        view = self.head.views[view_name]
        parts = [self._encoded(e, texts, rows, embeddings, cache) for e in view.encoder_ids]
        return view.probabilities(np.hstack(parts))

    def _encoded(
        self,
        encoder_id: str,
        texts: Sequence[str],
        rows: list[int],
        embeddings: Mapping[str, np.ndarray] | None,
        cache: dict[str, np.ndarray],
    ) -> np.ndarray:
        """`encoder_id`'s embeddings of `rows`, encoding only the texts not yet encoded."""
        if embeddings is not None and encoder_id in embeddings:
            return np.asarray(embeddings[encoder_id])[rows]
        done = cache.setdefault(f"{encoder_id}:rows", np.zeros(len(texts), dtype=bool))
        missing = [i for i in rows if not done[i]]
        if missing:
            encoder = self._encoder(encoder_id)
            if encoder_id not in cache:
                cache[encoder_id] = np.zeros((len(texts), encoder.dim), dtype=np.float32)
            cache[encoder_id][missing] = encoder.encode([texts[i][:MAX_CHARS] for i in missing])
            done[missing] = True
        return cache[encoder_id][rows]

    def leaning_to(self, prediction: Prediction, label: str, *, weight: float) -> Prediction:
        """`prediction` with `weight` of its evidence moved to `label`: another reading of the
        text (the urgency screen) that points to one category. A text with no story stays
        uncategorised; a label the head does not know changes nothing."""
        categories, _ = prediction
        if not categories or label not in self.head.labels:
            return prediction
        scores = {c.label: c.score for c in categories}
        row = np.array([scores.get(name, 0.0) for name in self.head.labels], dtype=np.float64)
        row *= 1.0 - weight
        row[self.head.labels.index(label)] += weight
        return self._rank(row, readable=True)

    def _rank(self, row: np.ndarray, *, readable: bool) -> Prediction:
        if not readable:
            return (), True
        order = np.argsort(-row, kind="stable")
        scores = tuple(
            CategoryScore(label=self.head.labels[j], score=round(float(row[j]), 4)) for j in order
        )
        return scores, scores[0].score < self.head.triage_threshold


_DEFAULT: Classifier | None = None
_DEFAULT_LOCK = threading.Lock()


def get_default_classifier() -> Classifier:
    """The classifier over the shipped head, loaded once per process (load-once cache)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Classifier(head=CategoryHead.load(DEFAULT_HEAD_PATH))
        return _DEFAULT
