"""The load client of benchmarks/sms_webhook.py: Twilio-signed webhooks from simulated residents,
run in a process of its own so that the client never shares an interpreter with the server.

    python -m benchmarks.sms_load '<json spec>'   → one JSON line on stdout

Two kinds of load (the spec's "mode"):
- "residents": `concurrency` residents, each on its own keep-alive connection, each walking
  through `intakes` intakes of INTAKE (the first `texts` texts of it: 6 files a report, 5 leaves
  it unfiled), one number per intake; `pause` seconds (±20 %, so that residents drift apart)
  before each text, as a person reads and types. Records every text's start time, latency,
  turn in the intake and HTTP status.
- "flood": `texts` texts from one number, each with its own MessageSid, over `connections`
  connections sending back to back. Records each answer: its status and reply.

The driver's side (`start`, `result_of`, the records' latencies) is here too: a load is a spec,
run in a process of its own.

A plain asyncio HTTP/1.1 client, every request signed before the clock starts: an HTTP library's
per-request overhead made the load process, not the server under test, the bottleneck at
concurrency 32.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from twilio.request_validator import RequestValidator

TOKEN = "benchmark-auth-token"
OUR_NUMBER = "+15550000000"
# Each resident's texts differ ({n}: the resident's number), as real reports do: the service
# keeps analyses by text, and identical stories would all be analysed once.
INTAKE = [
    "The officer at the traffic stop on the {n} block of Millbrook Avenue yelled at me and "
    "searched my car without asking.",
    "It happened after school, my kids were in the back seat and they were scared.",
    "1",
    "Millbrook Avenue near number {n}",
    "last Tuesday around {n} in the afternoon",
    "2",
]
FILING_TURN = len(INTAKE) - 1
REPO = Path(__file__).resolve().parent.parent
_MESSAGE = re.compile(rb"<Message>(.*?)</Message>", re.DOTALL)


def number(n: int) -> str:
    """A resident's phone number (a 555 number of the city's region)."""
    return f"+1555{n % 10**7:07d}"


class Signer:
    """Webhooks as Twilio signs them for the service at `url` (its PUBLIC_BASE_URL)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._host = urlsplit(url).netloc
        self._validator = RequestValidator(TOKEN)

    def request(self, sender: str, body: str) -> bytes:
        form = {
            "MessageSid": "SM" + secrets.token_hex(16),
            "AccountSid": "AC" + "0" * 32,
            "From": sender,
            "To": OUR_NUMBER,
            "Body": body,
            "NumMedia": "0",
        }
        encoded = urlencode(form).encode()
        head = (
            f"POST /sms HTTP/1.1\r\nHost: {self._host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {self._validator.compute_signature(self._url + '/sms', form)}"
            f"\r\nContent-Length: {len(encoded)}\r\n\r\n"
        )
        return head.encode() + encoded


class Connection:
    """A keep-alive connection that opens again after the server dropped it (a web worker that
    died or was killed): that request counts as status 0, and the load goes on."""

    def __init__(self, url: str) -> None:
        self._host, self._port = urlsplit(url).hostname, urlsplit(url).port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        """One request: the status code and the body."""
        try:
            if self._streams is None:
                self._streams = await asyncio.open_connection(self._host, self._port)
            reader, writer = self._streams
            writer.write(request)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError):
            self.close()
            return 0, b""
        parts = status.split()
        if len(parts) < 2:  # closed before an answer
            self.close()
            return 0, b""
        return int(parts[1]), body

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def residents(
    url: str, *, concurrency: int, intakes: int, texts: int, pause: float, first_number: int
) -> dict[str, Any]:
    """Resident r's intake i comes from number(first_number + r * intakes + i)."""
    signer = Signer(url)
    plans = [
        [
            signer.request(number(n), INTAKE[turn].format(n=n % 10**7))
            for i in range(intakes)
            for n in [first_number + r * intakes + i]
            for turn in range(texts)
        ]
        for r in range(concurrency)
    ]
    records: list[tuple[float, float, int, int]] = []  # start (epoch s), latency s, turn, status
    jitter = random.Random(first_number)

    async def resident(requests: list[bytes]) -> None:
        connection = Connection(url)
        if pause:  # residents start apart, as they would
            await asyncio.sleep(jitter.uniform(0, pause))
        for k, request in enumerate(requests):
            if pause and k:
                await asyncio.sleep(pause * jitter.uniform(0.8, 1.2))
            started, clock = time.time(), time.perf_counter()
            status, _ = await connection.exchange(request)
            records.append((started, time.perf_counter() - clock, k % texts, status))
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(resident(plan) for plan in plans))
    return {"elapsed": time.perf_counter() - started, "records": records}


async def flood(url: str, *, sender: int, texts: int, connections: int) -> dict[str, Any]:
    """`texts` texts from one number at once; every answer as (status, first reply)."""
    signer = Signer(url)
    requests = [signer.request(number(sender), f"{INTAKE[0]} ({k})") for k in range(texts)]
    answers: list[tuple[int, str]] = []

    async def send(mine: list[bytes]) -> None:
        connection = Connection(url)
        for request in mine:
            status, body = await connection.exchange(request)
            found = _MESSAGE.search(body)
            answers.append((status, found.group(1).decode()[:70] if found else ""))
        connection.close()

    started, clock = time.time(), time.perf_counter()
    await asyncio.gather(*(send(requests[c::connections]) for c in range(connections)))
    return {"start": started, "elapsed": time.perf_counter() - clock, "answers": answers}


# The driver's side: a load as a spec, run in a process of its own, and its records read.


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def start(spec: dict[str, Any]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.sms_load", json.dumps(spec)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )


def result_of(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"load process failed ({process.returncode})")
    return dict(json.loads(out.strip().splitlines()[-1]))


@dataclass
class Numbers:
    """Phone numbers never used twice in one database (a number's limits and intakes persist)."""

    next: int = 1_000_000

    def take(self, count: int) -> int:
        first, self.next = self.next, self.next + count
        return first


def residents_spec(
    url: str, numbers: Numbers, *, concurrency: int, intakes: int, texts: int, pause: float
) -> dict[str, Any]:
    return {
        "mode": "residents",
        "url": url,
        "concurrency": concurrency,
        "intakes": intakes,
        "texts": texts,
        "pause": pause,
        "first_number": numbers.take(concurrency * intakes),
    }


def latencies(result: dict[str, Any], *, turn: int | None = None) -> list[float]:
    return [r[1] for r in result["records"] if turn is None or r[2] == turn]


def failures(result: dict[str, Any]) -> int:
    return sum(1 for r in result["records"] if r[3] != 200)


def main() -> None:
    spec = json.loads(sys.argv[1])
    mode = spec.pop("mode")
    run = residents if mode == "residents" else flood
    print(json.dumps(asyncio.run(run(**spec))))


if __name__ == "__main__":
    main()
