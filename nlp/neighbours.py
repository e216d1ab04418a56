"""The written examples nearest a text vote for their categories (a k-nearest-neighbour view).

A linear head smooths: it draws one boundary per category through every example, so a one-line
text that says something the way only a few examples say it ("the officer pocketed the cash")
is read as the bulk of its neighbours' categories would suggest. The nearest examples
themselves keep that detail. Their vote is blended with the linear views for short texts (see
`CategoryHead.neighbour_weight`); measured on resident-style SMS it adds what the linear views
could not (notes in `nlp/training/categories.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NeighbourVote:
    encoder_id: str
    embeddings: np.ndarray  # (n_examples, dim), rows L2-normalised
    targets: np.ndarray  # (n_examples,) index of each example's label
    k: int
    # Softmax temperature over cosine similarity: small, so a much closer example outvotes
    # several merely related ones.
    temperature: float

    def probabilities(self, features: np.ndarray, n_labels: int) -> np.ndarray:
        """(n_texts, n_labels): each text's k nearest examples' votes, weighted by closeness."""
        features = np.asarray(features, dtype=np.float32)
        features = features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)
        similarity = features @ np.asarray(self.embeddings, dtype=np.float32).T
        k = min(self.k, similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        closeness = np.take_along_axis(similarity, nearest, axis=1)
        # Shifted by each row's best match: the same weights, without overflow.
        weights = np.exp((closeness - closeness.max(axis=1, keepdims=True)) / self.temperature)
        votes = np.zeros((len(features), n_labels), dtype=np.float64)
        rows = np.repeat(np.arange(len(features)), k)
        np.add.at(votes, (rows, self.targets[nearest].ravel()), weights.ravel())
        return votes / votes.sum(axis=1, keepdims=True)
