"""Speed of the classification pieces on a 160-character SMS, with baselines in the same run.

Usage: PYTHONPATH=. python benchmarks/classify_speed.py

Prints single-message latency and batched throughput for:
- one MiniLM forward pass (the baseline the analyse() budget is expressed in),
- one USE forward pass (what the Spanish view adds),
- Classifier.predict for English (MiniLM + head) and Spanish (USE + head),
- detect_urgency,
with ratios to the MiniLM forward pass. Times are medians over repeated runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.classify import get_default_classifier
from nlp.runtime.encoders import MINILM_ID, USE_ID, get_encoder
from nlp.urgency import detect_urgency

SMS_EN = (
    "Cops stopped me outside the laundromat on 5th tonight, searched my bag for no reason "
    "and cursed at me when I asked why. I want to report it pls"
)[:160]
SMS_ES = (
    "La policía me paró afuera de la lavandería anoche, revisó mi bolsa sin razón y me "
    "insultó cuando pregunté por qué. Quiero poner una queja"
)[:160]


def median_ms(action: Callable[[], object], repeats: int = 40) -> float:
    action()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def throughput(action: Callable[[list[str]], object], texts: list[str]) -> float:
    action(texts[:8])
    start = time.perf_counter()
    action(texts)
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    minilm, use = get_encoder(MINILM_ID), get_encoder(USE_ID)
    classifier = get_default_classifier()
    base = median_ms(lambda: minilm.encode([SMS_EN]))
    rows = [
        ("MiniLM forward (baseline)", base),
        ("USE forward", median_ms(lambda: use.encode([SMS_ES]))),
        (
            "Classifier.predict en",
            median_ms(lambda: classifier.predict([SMS_EN], languages=["en"])),
        ),
        (
            "Classifier.predict es",
            median_ms(lambda: classifier.predict([SMS_ES], languages=["es"])),
        ),
        ("detect_urgency", median_ms(lambda: detect_urgency(SMS_EN), repeats=500)),
    ]
    print("single 160-char SMS, median ms (ratio to one MiniLM forward):")
    for name, ms in rows:
        print(f"  {name:<28} {ms:8.3f} ms  {ms / base:5.2f}x")
    batch_en, batch_es = [SMS_EN] * 256, [SMS_ES] * 256
    print("batched (256 messages), messages per second:")
    print(f"  MiniLM forward               {throughput(minilm.encode, batch_en):8.1f}")
    print(f"  USE forward                  {throughput(use.encode, batch_es):8.1f}")
    for language, batch in (("en", batch_en), ("es", batch_es)):

        def predict(texts: list[str], lang: str = language) -> object:
            return classifier.predict(texts, languages=[lang] * len(texts))

        print(f"  Classifier.predict {language}        {throughput(predict, batch):8.1f}")


if __name__ == "__main__":
    main()
