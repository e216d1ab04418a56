"""Speed, memory and cold start of `Analyser.analyse()`, each next to a floor measured in this run.

Usage (from the repository root): PYTHONPATH=$PWD python benchmarks/analyse_speed.py [--quick]

The floor is the work analyse() cannot avoid: one MiniLM forward pass (the project's encoder)
plus one spaCy `nlp()` call (the project's trimmed `load_spacy()` pipeline) on the same
160-character SMS.
Everything else analyse() does (language, redaction, officers, places, head, urgency) should cost
little on top, so the targets are ratios or absolute limits from issue 3:

- latency: analyse() p50 and p99 / floor p50 and p99 <= 1.3x (floor and analyse() calls are
  interleaved so that load from other processes hits both alike);
- throughput: analyse_batch() on a few hundred varied English/Spanish SMS >= 80 messages/s
  (printed next to the floor's batched throughput on the same texts);
- memory: RSS with every model loaded (spaCy, MiniLM, USE) <= 900 MB, next to a bare Python
  process and one that imported numpy;
- cold start: a fresh process that imports, loads and analyses one English and one Spanish
  message (USE loads on first Spanish text) <= 10 s, next to a fresh process that only imports
  torch and spacy.

The texts are the benchmark's own invented messages; no evaluation data is read.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nlp.analyse import Analyser

REPO_ROOT = Path(__file__).resolve().parents[1]

MAX_LATENCY_RATIO = 1.3
MIN_MESSAGES_PER_SECOND = 80.0
MAX_RSS_MB = 900.0
MAX_COLD_START_S = 10.0

# An English report with something for every part: an officer and badge (kept), a name and a
# phone number (redacted), a street of the demo city (a district), a stop-and-search category.
SMS = (
    "Officer Diaz badge 4471 stopped me and my son Marcus on Cedar Street last night, searched "
    "his bag for no reason and cursed at us. Call me at 555-201-3344 please"
)
SMS_ES = (
    "El oficial Pérez placa 2210 me paró anoche en la calle Flores, revisó mi bolsa sin razón y "
    "me insultó frente a mis hijos. Me llamo Rosa, llámame al 555-201-3344"
)

_EN_OPENERS = (
    "hi,",
    "Hello, I want to report something.",
    "not sure who else to tell but",
    "This is about what happened",
    "ok so",
    "Good evening.",
    "I live in Millbrook and",
    "My name is Keisha Brown and",
)
_EN_EVENTS = (
    "two cops pulled me over on Kessler Road and made me sit on the curb for an hour",
    "an officer shoved my uncle to the ground outside the Brickyard Rec Center",
    "Sgt. Miller laughed at me when I tried to file a report about my stolen bike",
    "the street lights on Oak Street have been out for weeks and people are scared to walk",
    "there is a car doing donuts in the Eastgate Plaza lot every night until 3am",
    "they searched my car without asking and took my phone, car 12 was there",
    "my neighbor is screaming that he will kill his wife and I hear glass breaking right now",
    "I don't want to live anymore and I have the pills in front of me",
    "the officer at Union Station was really kind and helped my daughter find her bus",
    "why does the city spend more on police overtime than on the youth center",
    "security at Cedar Heights Mall follows only the Black kids around the stores",
    "people are sleeping under the bridge by Harbor Boulevard and nobody helps them",
    "Det. Ana Ortiz never called me back about the break-in, three weeks now",
    "they cuffed my brother during a mental health crisis instead of calling a counselor",
    "someone is selling drugs outside Pinecrest Elementary when school lets out",
)
_EN_CLOSERS = (
    "",
    "Text me back at (555) 310-7788.",
    "my email is kbrown88@example.com",
    "Please do something.",
    "I'm at 214 Summit Road if you need to come by.",
    "this keeps happening",
    "thank you",
    "badge #5521 if that helps",
)
_ES_OPENERS = (
    "hola,",
    "Buenas tardes, quiero hacer una queja.",
    "no sé a quién decirle pero",
    "Vivo en Las Flores y",
    "Me llamo Juan Martínez y",
    "perdón la hora pero",
)
_ES_EVENTS = (
    "dos policías me pararon en la avenida Juárez y me revisaron sin razón",
    "un agente empujó a mi papá contra la patrulla frente a la casa",
    "la policía se burló de mí cuando fui a denunciar el robo de mi carro",
    "no hay luz en la calle Flores y los niños tienen miedo de caminar de noche",
    "mi vecino le está pegando a su esposa ahora mismo y ella grita",
    "ya no quiero vivir, estoy cansada de todo",
    "el oficial Gómez fue muy amable y me ayudó a encontrar a mi hijo",
    "hay gente durmiendo en el parque de Southfield y nadie los ayuda",
    "me detuvieron por hablar español y no me dijeron por qué",
    "venden drogas cerca de la escuela todos los días",
)
_ES_CLOSERS = (
    "",
    "Mi número es 555-440-1298.",
    "escríbanme a juanm@example.com",
    "Por favor hagan algo.",
    "gracias",
    "la placa era 3307",
)


def varied_messages(count: int) -> list[str]:
    """`count` distinct SMS-length reports, two English to one Spanish, in a fixed order.

    Each is an opener, an event and a closer; the combinations are drawn without repetition
    (seeded, so every run measures the same texts).
    """
    rng = random.Random(3)
    english = [(o, e, c) for o in _EN_OPENERS for e in _EN_EVENTS for c in _EN_CLOSERS]
    spanish = [(o, e, c) for o in _ES_OPENERS for e in _ES_EVENTS for c in _ES_CLOSERS]
    rng.shuffle(english)
    rng.shuffle(spanish)
    if count > 3 * min(len(english) // 2, len(spanish)):
        raise ValueError(f"at most {3 * min(len(english) // 2, len(spanish))} distinct messages")
    english_left, spanish_left = iter(english), iter(spanish)
    messages: list[str] = []
    for i in range(count):
        parts = next(spanish_left) if i % 3 == 2 else next(english_left)
        text = " ".join(p for p in parts if p)
        # Some people write with no capitals or punctuation, some shout.
        if i % 11 == 0:
            text = text.upper()
        elif i % 7 == 0:
            text = text.lower().replace(",", "").replace(".", "")
        messages.append(text)
    return messages


@dataclass(frozen=True)
class Percentiles:
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, samples_s: Sequence[float]) -> Percentiles:
        values = np.asarray(samples_s) * 1000.0
        return cls(float(np.percentile(values, 50)), float(np.percentile(values, 99)))


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def proc_status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status ("VmRSS": now, "VmHWM": peak), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"{field} not found in /proc/self/status")


# --- fresh processes: memory and cold-start baselines --------------------------------------------

_RSS_CHILD = """
{imports}
for line in open('/proc/self/status'):
    if line.startswith('VmRSS:'):
        print(int(line.split()[1]) / 1024.0)
"""

_IMPORT_ONLY_CHILD = "import torch, spacy"

_COLD_START_CHILD = f"""
from flows.city import load_city_config
from nlp.analyse import Analyser
city = load_city_config()
analyzer = Analyser.load(
    districts=city.gazetteer_entries(),
    languages=city.city.languages,
    default_region=city.city.default_region,
)
analyzer.analyse({SMS!r})
analyzer.analyse({SMS_ES!r})
"""


def run_child(code: str) -> tuple[float, str]:
    """Wall time of a fresh interpreter running `code` from the repository root, and its stdout."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - start, done.stdout


def child_rss_mb(imports: str) -> float:
    """VmRSS of a fresh interpreter after `imports`."""
    _, out = run_child(_RSS_CHILD.format(imports=imports))
    return float(out.strip())


# --- in-process measurements --------------------------------------------------------------------


def interleaved_latency(
    first: Callable[[], object], second: Callable[[], object], repeats: int
) -> tuple[Percentiles, Percentiles]:
    """Per-call times of two actions, alternated so background load affects both alike."""
    for _ in range(5):
        first()
        second()
    first_samples: list[float] = []
    second_samples: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        first()
        middle = time.perf_counter()
        second()
        first_samples.append(middle - start)
        second_samples.append(time.perf_counter() - middle)
    return Percentiles.of(first_samples), Percentiles.of(second_samples)


def messages_per_second(action: Callable[[list[str]], object], texts: list[str]) -> float:
    start = time.perf_counter()
    action(texts)
    return len(texts) / (time.perf_counter() - start)


def load_analyzer() -> Analyser:
    from flows.city import load_city_config
    from nlp.analyse import Analyser

    city = load_city_config()
    return Analyser.load(
        districts=city.gazetteer_entries(),
        languages=city.city.languages,
        default_region=city.city.default_region,
    )


LABEL_WIDTH = 50


def row(label: str, value: str, target: str = "", passed: bool | None = None) -> None:
    """One aligned line: what, the figure, and (for a target) the target and PASS/MISS."""
    tail = f"   target {target:<10} {verdict(passed)}" if passed is not None else target
    print(f"  {label:<{LABEL_WIDTH}} {value:>20}{tail}")


@dataclass(frozen=True)
class FreshProcessFigures:
    bare_rss_mb: float
    numpy_rss_mb: float
    import_s: float
    cold_start_s: float


def measure_fresh_processes(rounds: int) -> FreshProcessFigures:
    """Baselines and cold start in new interpreters (medians of `rounds` for the timings)."""
    imports = [run_child(_IMPORT_ONLY_CHILD)[0] for _ in range(rounds)]
    cold = [run_child(_COLD_START_CHILD)[0] for _ in range(rounds)]
    return FreshProcessFigures(
        bare_rss_mb=child_rss_mb(""),
        numpy_rss_mb=child_rss_mb("import numpy"),
        import_s=float(np.median(imports)),
        cold_start_s=float(np.median(cold)),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--messages", type=int, default=300, help="texts for the batched figures")
    args = parser.parse_args(argv)
    repeats, rounds = (40, 1) if args.quick else (300, 3)
    results: list[bool] = []

    # Other processes on a 2-core host move every figure; the load average says how much.
    print(
        f"NLP benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"load average at start {os.getloadavg()[0]:.2f}"
    )
    print(f"SMS ({len(SMS)} characters): {SMS}")

    # Fresh processes first, while this one is idle and holds no models.
    fresh = measure_fresh_processes(rounds)

    # `nlp` before torch: importing it sets OpenMP's wait policy, which torch reads on loading.
    from nlp.runtime.encoders import MINILM_ID, get_encoder
    from nlp.runtime.spacy_model import load_spacy

    analyzer = load_analyzer()
    analyzer.analyse(SMS_ES)  # USE (the Spanish encoder) loads on the first Spanish text
    encoder = get_encoder(MINILM_ID)
    spacy_nlp = load_spacy()
    models_rss, peak_rss = proc_status_mb("VmRSS"), proc_status_mb("VmHWM")

    def floor() -> object:
        return encoder.encode([SMS]), spacy_nlp(SMS)

    import torch

    print(
        f"\nLatency, one SMS, {repeats} calls of each, alternated (torch threads "
        f"{torch.get_num_threads()}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}):"
    )
    floor_lat, analyse_lat = interleaved_latency(floor, lambda: analyzer.analyse(SMS), repeats)
    for label, lat in (
        ("floor: MiniLM encode + spaCy nlp()", floor_lat),
        ("Analyser.analyse()", analyse_lat),
    ):
        row(label, f"p50 {lat.p50_ms:6.2f} ms  p99 {lat.p99_ms:6.2f} ms")
    for name, ratio in (
        ("p50", analyse_lat.p50_ms / floor_lat.p50_ms),
        ("p99", analyse_lat.p99_ms / floor_lat.p99_ms),
    ):
        passed = ratio <= MAX_LATENCY_RATIO
        results.append(passed)
        row(f"analyse() / floor, {name}", f"{ratio:.2f}x", f"<= {MAX_LATENCY_RATIO}x", passed)
    _, spanish_lat = interleaved_latency(floor, lambda: analyzer.analyse(SMS_ES), repeats // 3)
    row(
        "(info) analyse() on a Spanish SMS (USE, no MiniLM)",
        f"p50 {spanish_lat.p50_ms:6.2f} ms  p99 {spanish_lat.p99_ms:6.2f} ms",
    )

    texts = varied_messages(args.messages)
    mean_chars = sum(map(len, texts)) / len(texts)
    print(
        f"\nBatched throughput, {len(texts)} varied SMS ({mean_chars:.0f} characters on average, "
        f"1/3 Spanish), median of {rounds}:"
    )

    def floor_batch(batch: list[str]) -> object:
        return encoder.encode(batch), list(spacy_nlp.pipe(batch))

    analyzer.analyse_batch(texts[:16])
    floor_rates: list[float] = []
    analyse_rates: list[float] = []
    for _ in range(rounds):
        floor_rates.append(messages_per_second(floor_batch, texts))
        analyse_rates.append(messages_per_second(analyzer.analyse_batch, texts))
    floor_rate, analyse_rate = float(np.median(floor_rates)), float(np.median(analyse_rates))
    row("floor: MiniLM encode + spaCy pipe()", f"{floor_rate:.1f} messages/s")
    passed = analyse_rate >= MIN_MESSAGES_PER_SECOND
    results.append(passed)
    row(
        f"Analyser.analyse_batch() ({analyse_rate / floor_rate:.2f}x floor)",
        f"{analyse_rate:.1f} messages/s",
        f">= {MIN_MESSAGES_PER_SECOND:.0f}",
        passed,
    )

    print("\nResident memory (VmRSS):")
    row("fresh python, nothing imported", f"{fresh.bare_rss_mb:.1f} MB")
    row("fresh python + numpy", f"{fresh.numpy_rss_mb:.1f} MB")
    passed = models_rss <= MAX_RSS_MB
    results.append(passed)
    row(
        f"all models loaded ({models_rss / fresh.numpy_rss_mb:.0f}x numpy)",
        f"{models_rss:.1f} MB",
        f"<= {MAX_RSS_MB:.0f} MB",
        passed,
    )
    row("(info) peak while loading (VmHWM)", f"{peak_rss:.1f} MB")

    print(f"\nCold start, fresh process, wall time, median of {rounds}:")
    row("import torch + spacy only", f"{fresh.import_s:.2f} s")
    passed = fresh.cold_start_s <= MAX_COLD_START_S
    results.append(passed)
    row(
        f"import, load, analyse en + es ({fresh.cold_start_s / fresh.import_s:.1f}x imports)",
        f"{fresh.cold_start_s:.2f} s",
        f"<= {MAX_COLD_START_S:.0f} s",
        passed,
    )

    print(
        f"\n{sum(results)} of {len(results)} targets met; "
        f"load average at end {os.getloadavg()[0]:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
