"""Killing the web process (SIGKILL) during concurrent intakes, and what it cost: the machinery
of tests/faults/test_kill_during_intakes.py, shared with benchmarks/hardening_probes.py.

The real service runs as a subprocess (`cpps serve --clock`: one process with the scheduler, so
the abandoned-message sweep and the outbox run in it, as on the embedded default) on a real
database, its outbound texts going to a local fake of Twilio's API. Residents text it
concurrently through the real webhook, signed as Twilio signs. At seeded moments mid-load, the
process is killed with SIGKILL and started again on the same database and port. A resident whose
request got no answer sends the same signed request again (Twilio retries with the same
MessageSid); a few residents give up instead, and their last text, when it was stored, must be
answered through the outbox by the sweep.

What it cost, counted from the database and the fake Twilio's captured requests, is
tests/faults/kill_figures.py.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from twilio.request_validator import RequestValidator

from bot.chat import replies_of
from flows.clocks import SystemClock
from flows.handling.runner import ABANDONED_AFTER
from flows.privacy import Vault
from flows.store import Store, make_engine
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.faults.kill_figures import KillFigures, count, unfinished

REPO = Path(__file__).resolve().parents[2]
ACCOUNT_SID = "AC" + "7" * 32
AUTH_TOKEN = "fault-test-auth-token"
FROM_NUMBER = "+15550002222"
REF = re.compile(r"R-[2-9A-HJ-NP-Z]{4}")
RESIDENTS = 10
# Residents 0 and 1 of each round give up when a text of theirs gets no answer (no retry,
# no more texts).
QUITTERS = {0, 1}
SEED = int(os.environ.get("CPPS_FAULT_SEED", "1313"))
# Each resident's story differs ({n}), as real reports do.
STORIES = [
    "The officer at the traffic stop on the {n} block of Millbrook Avenue yelled at me and "
    "searched my car without asking.",
    "Two officers pushed my neighbour against the wall outside the laundromat on Pine Street "
    "number {n} and laughed when he asked why.",
    "The streetlights on Cedar Road near house {n} have been out for weeks and a patrol car "
    "drove past a fight there without stopping.",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    """`cpps serve` as a subprocess, killed and started again on the same database and port."""

    def __init__(self, *, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen[bytes] | None = None
        self.up = threading.Event()
        self.start_seconds: list[float] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start and wait until healthy; the seconds it took (model loading, mostly)."""
        started = time.monotonic()
        with self.log.open("ab") as out:
            out.write(f"\n--- start {len(self.start_seconds) + 1} ---\n".encode())
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from bot.cli import main; main()",
                    *("serve", "--host", "127.0.0.1", "--port", str(self.port), "--clock"),
                ],
                env=self.env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = started + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    self.up.set()
                    self.start_seconds.append(time.monotonic() - started)
                    return self.start_seconds[-1]
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited at start: see {self.log}")
            time.sleep(0.2)
        raise RuntimeError(f"the service did not become healthy: see {self.log}")

    def kill(self) -> None:
        assert self.process is not None
        self.up.clear()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass
class Resident:
    number: int
    service: Service
    acked: dict[str, str] = field(default_factory=dict)  # MessageSid -> body, got HTTP 200
    replies: list[str] = field(default_factory=list)  # every reply read from a 200's TwiML
    retries: int = 0
    gave_up: bool = False
    finished_ref: str | None = None
    error: str | None = None

    @property
    def quitter(self) -> bool:
        return self.number % RESIDENTS in QUITTERS

    @property
    def phone(self) -> str:
        return f"+1555{7_000_000 + self.number:07d}"

    def _signed(self, body: str, sid: str) -> tuple[dict[str, str], dict[str, str]]:
        form = {
            "ToCountry": "US",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": body,
            "To": FROM_NUMBER,
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": self.phone,
            "ApiVersion": "2010-04-01",
        }
        signature = RequestValidator(AUTH_TOKEN).compute_signature(self.service.url + "/sms", form)
        return form, {"X-Twilio-Signature": signature}

    def text(self, client: httpx.Client, body: str, sid: str) -> list[str] | None:
        """Send until answered, as Twilio retries (the same request); None: gave up."""
        form, headers = self._signed(body, sid)
        while True:
            try:
                response = client.post(f"{self.service.url}/sms", data=form, headers=headers)
            except httpx.TransportError:
                if self.quitter:
                    self.gave_up = True
                    return None
                self.retries += 1
                self.service.up.wait(timeout=120)
                continue
            assert response.status_code == 200, (response.status_code, response.text)
            self.acked[sid] = body
            replies = replies_of(response.text)
            self.replies.extend(replies)
            return replies

    def run(self) -> None:
        try:
            self._intake()
        except Exception as exc:  # reported by the test, with the resident's number
            self.error = repr(exc)

    def _intake(self) -> None:
        client = httpx.Client(timeout=60)
        story = STORIES[self.number % len(STORIES)].format(n=100 + self.number)
        answer = story
        for turn in range(10):
            replies = self.text(client, answer, f"SM{self.number:04d}{turn:04d}{'f' * 24}")
            if replies is None:
                return
            said = " ".join(replies)
            if found := REF.search(said):
                self.finished_ref = found.group(0)
                return
            if not replies:
                # A retry after a crash takes the dead handler's claim over once CLAIM_LEASE has
                # passed (flows/handling/runner.py), well within its wait: never an empty answer.
                raise AssertionError(f"an acknowledged text got no reply (turn {turn})")
            last = replies[-1].lower()
            answer = "SKIP" if ("where" in last or "when" in last) else "1"
        raise AssertionError(f"no reference after 10 texts: {self.replies}")


def _acks(residents: list[Resident]) -> int:
    return sum(len(r.acked) for r in residents)


def _wait_for_acks(residents: list[Resident], count: int, threads: list[threading.Thread]) -> None:
    while _acks(residents) < count and any(t.is_alive() for t in threads):
        time.sleep(0.02)


@dataclass
class KillRun:
    residents: list[Resident]
    service: Service
    twilio: FakeTwilioAPI
    store: Store  # the caller disposes of its engine
    figures: KillFigures


def service_env(
    *, database_url: str, master_key: str, data_dir: Path, port: int, twilio: FakeTwilioAPI
) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "CPPS_ENV": "development",
        "CPPS_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_API_BASE_URL": twilio.base_url,
        "CPPS_SECRET_KEYS": master_key,
        "SLACK_SIGNING_SECRET": "fault-test-slack-secret",
        "CPPS_LOG_LEVEL": "WARNING",
        # Other work shares this machine's 2 cores.
        "CPPS_NLP_THREADS": "1",
    }


def run_with_kills(
    *,
    database_url: str,
    master_key: str,
    data_dir: Path,
    twilio: FakeTwilioAPI,
    kills: int = 2,
    seed: int = SEED,
) -> KillRun:
    """Rounds of RESIDENTS concurrent intakes (new residents each round), each round killed
    twice at seeded moments (about 60 texts a round), until `kills` kills; then wait for the
    sweep and the outbox, and count."""
    rng = random.Random(seed)
    port = _free_port()
    env = service_env(
        database_url=database_url,
        master_key=master_key,
        data_dir=data_dir,
        port=port,
        twilio=twilio,
    )
    service = Service(env=env, port=port, log=data_dir / "service.log")
    residents: list[Resident] = []
    store = Store(
        engine=make_engine(database_url, pool_size=1),
        vault=Vault(keys=[master_key]),
        clock=SystemClock(),
    )
    try:
        service.start()
        done = 0
        for first in range(0, max(kills, 1), 2):
            wave = [
                Resident(number=first // 2 * RESIDENTS + n, service=service)
                for n in range(RESIDENTS)
            ]
            residents.extend(wave)
            threads = [threading.Thread(target=r.run, daemon=True) for r in wave]
            for thread in threads:
                thread.start()
            # Two kills at seeded moments while this round's texts are in flight.
            for low, high in ((6, 14), (8, 16))[: min(2, kills - done)]:
                _wait_for_acks(wave, _acks(wave) + rng.randint(low, high), threads)
                service.kill()
                service.start()
                done += 1
            for thread in threads:
                thread.join(timeout=150)
            if any(t.is_alive() for t in threads):
                raise RuntimeError("residents still waiting")
        # Texts stored but never answered (a quitter's) are answered by the sweep, by the
        # outbox: wait for that, then for the outbox to be empty.
        deadline = time.monotonic() + ABANDONED_AFTER.total_seconds() + 40
        while time.monotonic() < deadline and unfinished(store) != ([], []):
            time.sleep(0.5)
        figures = count(store, residents, twilio, kills=done)
    except BaseException:
        store.engine.dispose()
        raise
    finally:
        service.stop()
    return KillRun(
        residents=residents, service=service, twilio=twilio, store=store, figures=figures
    )
