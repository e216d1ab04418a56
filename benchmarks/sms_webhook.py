"""Benchmark: the SMS webhook under load, next to two baselines measured in the same run.

Starts, each on loopback as the Procfile's `web` process runs (`bot/web.py`, `--workers 2` by
default, one per core):
- the real service (`bot.app:asgi` on a file SQLite database, real NLP models, console SMS);
- *bare*: a FastAPI endpoint that only validates the signature and returns static TwiML;
- *floor*: bare plus what any webhook must do before answering if it keeps every message (the
  sender's HMAC pseudonym, the body encrypted, one committed INSERT unique per MessageSid): the
  price of "persisted before it is answered" alone, with no conversation and no NLP.

Then, from a separate load process, it sends Twilio-signed webhooks at concurrency 1, 8 and 32.
Each simulated resident walks through a real intake conversation (story, answers…), so the
service does its full work: contact lookup, persistence, screening, the engine, filing.

Prints requests/s and p50/p99 latency, and the ratios to bare. Targets (2 cores, concurrency
32): throughput ≥ 0.5× the bare endpoint, p99 < 250 ms.

The residents send back to back, with no time to type: every report's full analysis (spaCy, the
sentence encoder, redaction) competes with the webhooks, and a filing text arrives before its
analysis ahead
(flows/handling/analysis_ahead.py) can finish. This is the service saturated, not a resident's
experience of it; the last table is closer to that.

    PYTHONPATH=. .venv/bin/python benchmarks/sms_webhook.py [--requests 600] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
from cryptography.fernet import Fernet
from twilio.request_validator import RequestValidator

REPO = Path(__file__).resolve().parent.parent
TOKEN = "benchmark-auth-token"
# Each resident's texts differ ({n}: a number per resident), as real reports do: the service
# keeps analyses by text, and identical stories would all be analysed once.
CONVERSATION = [
    "The officer at the traffic stop on the {n} block of Millbrook Avenue yelled at me and "
    "searched my car without asking.",
    "It happened after school, my kids were in the back seat and they were scared.",
    "1",
    "Millbrook Avenue near number {n}",
    "last Tuesday around {n} in the afternoon",
    "2",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"server exited early: {' '.join(cmd)}")
        time.sleep(0.5)
    process.kill()
    raise SystemExit("server did not become healthy")


def _signed_requests(public: str, concurrency: int, total: int) -> list[list[bytes]]:
    """Every request of the run, signed in advance: the load process then only sends and reads.

    Request n goes to resident n % concurrency; each resident walks through CONVERSATION and
    then starts again as a new resident (a new phone number).
    """
    validator = RequestValidator(TOKEN)
    host = urlsplit(public).netloc
    run_id = int(secrets.token_hex(3), 16)
    per_connection: list[list[bytes]] = [[] for _ in range(concurrency)]
    for n in range(total):
        requests = per_connection[n % concurrency]
        turn = len(requests)
        resident = (run_id + (n % concurrency) * 10_000 + turn // len(CONVERSATION)) % 10**7
        form = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "AccountSid": "AC" + "0" * 32,
            "From": f"+1555{resident:07d}",
            "To": "+15550000000",
            "Body": CONVERSATION[turn % len(CONVERSATION)].format(n=resident),
            "NumMedia": "0",
        }
        body = urlencode(form).encode()
        signature = validator.compute_signature(public + "/sms", form)
        head = (
            f"POST /sms HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        requests.append(head.encode() + body)
    return per_connection


async def _load(url: str, concurrency: int, total: int, pause_ms: float = 0) -> dict[str, float]:
    """`concurrency` keep-alive connections, each a resident sending its texts one at a time
    (after `pause_ms`, time to read and type, before each).

    A plain asyncio HTTP/1.1 client: an HTTP library's per-request overhead made the load
    process, not the server under test, the bottleneck at concurrency 32.
    """
    per_connection = _signed_requests(url, concurrency, total)
    parts = urlsplit(url)
    latencies: list[float] = []
    filing: list[float] = []  # the last text of each intake, whose reply names the destinations
    failures = 0

    async def resident(requests: list[bytes]) -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        for turn, request in enumerate(requests):
            if pause_ms:
                await asyncio.sleep(pause_ms / 1000)
            start = time.perf_counter()
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if turn % len(CONVERSATION) == len(CONVERSATION) - 1:
                filing.append(latencies[-1])
            if b" 200 " not in status:
                failures += 1
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(resident(requests) for requests in per_connection))
    elapsed = time.perf_counter() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": _percentile(latencies, 0.5),
        "p99_ms": _percentile(latencies, 0.99),
        "filing_p50_ms": _percentile(filing, 0.5),
        "filing_p99_ms": _percentile(filing, 0.99),
        "failures": failures,
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def _load_in_subprocess(
    url: str, concurrency: int, total: int, pause_ms: float = 0
) -> dict[str, float]:
    """The load generator runs in its own process, as the issue asks."""
    code = (
        f"import asyncio, json, sys; sys.path.insert(0, {str(REPO)!r}); "
        "from benchmarks.sms_webhook import _load; "
        f"print(json.dumps(asyncio.run(_load({url!r}, {concurrency}, {total}, {pause_ms}))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _web(app: str, port: int, workers: int, *, factory: bool = False) -> list[str]:
    """Every server runs as the Procfile's `web` does (bot/web.py: workers, TCP_NODELAY)."""
    call = (
        "from bot.web import run_web; "
        f"run_web(host='127.0.0.1', port={port}, workers={workers}, log_level='warning', "
        f"app={app!r}, factory={factory})"
    )
    return [sys.executable, "-c", call]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="web workers for every server (the Procfile's WEB_CONCURRENCY default: 2 cores)",
    )
    parser.add_argument(
        "--pause-ms",
        type=float,
        default=500,
        help="for the last table: residents' pause between texts (reading, typing)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ports = {name: _free_port() for name in ("bare", "floor", "cpps")}
        base_env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "CPPS_LOG_LEVEL": "WARNING"}

        def env(name: str, **extra: str) -> dict[str, str]:
            return {**base_env, "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[name]}", **extra}

        service_env = env(
            "cpps",
            CPPS_DATA_DIR=tmp,
            DATABASE_URL=f"sqlite:///{tmp}/bench.db",
            # Every worker must hold the same keys (the embedded default would make its own).
            CPPS_SECRET_KEYS=Fernet.generate_key().decode(),
        )
        cpps = str(Path(sys.executable).parent / "cpps")
        subprocess.run([cpps, "db", "upgrade"], env=service_env, cwd=REPO, check=True)
        servers = {
            # The Procfile's web process on the embedded default's file SQLite.
            "cpps": _start(
                _web("bot.app:asgi", ports["cpps"], args.workers, factory=True),
                service_env,
                ports["cpps"],
            ),
            "bare": _start(
                _web("benchmarks.bare_sms_app:app", ports["bare"], args.workers),
                env("bare"),
                ports["bare"],
            ),
            "floor": _start(
                _web("benchmarks.persisting_sms_app:app", ports["floor"], args.workers),
                env("floor", PERSIST_DATABASE=f"{tmp}/floor.db"),
                ports["floor"],
            ),
        }
        try:
            print(
                f"{args.workers} workers per server; bare: signature + static TwiML; floor: "
                "bare + pseudonym, encrypted body, one committed INSERT (no conversation)"
            )
            print(
                f"{'concurrency':>11} | {'bare rps':>9} {'p99':>7} | {'floor rps':>9} {'p99':>7} "
                f"| {'cpps rps':>9} {'p50':>7} {'p99':>7} | {'cpps/bare':>9} {'floor/bare':>10}"
            )
            for concurrency in (1, 8, 32):
                total = args.requests if concurrency > 1 else max(100, args.requests // 3)
                r = {
                    name: _load_in_subprocess(f"http://127.0.0.1:{ports[name]}", concurrency, total)
                    for name in ("bare", "floor", "cpps")
                }
                b, f, c = r["bare"], r["floor"], r["cpps"]
                failures = {name: int(x["failures"]) for name, x in r.items() if x["failures"]}
                print(
                    f"{concurrency:>11} | {b['rps']:>9.1f} {b['p99_ms']:>5.1f}ms | "
                    f"{f['rps']:>9.1f} {f['p99_ms']:>5.1f}ms | "
                    f"{c['rps']:>9.1f} {c['p50_ms']:>5.1f}ms {c['p99_ms']:>5.1f}ms | "
                    f"{c['rps'] / b['rps']:>9.2f} {f['rps'] / b['rps']:>10.2f}"
                    + (f"  (failures: {failures})" if failures else "")
                )
            print("targets at concurrency 32: cpps/bare >= 0.5, cpps p99 < 250 ms")
            # A resident's experience: texts a little apart, as people send them.
            print(
                f"\n8 residents pausing {args.pause_ms:.0f} ms before each text "
                f"({args.requests // 3} texts):"
            )
            print(f"{'':>11} | {'all p50':>8} {'all p99':>8} | {'filing p50':>10} {'p99':>8}")
            for name in ("bare", "cpps"):
                x = _load_in_subprocess(
                    f"http://127.0.0.1:{ports[name]}", 8, args.requests // 3, args.pause_ms
                )
                print(
                    f"{name:>11} | {x['p50_ms']:>6.1f}ms {x['p99_ms']:>6.1f}ms | "
                    f"{x['filing_p50_ms']:>8.1f}ms {x['filing_p99_ms']:>6.1f}ms"
                )
        finally:
            for process in servers.values():
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
