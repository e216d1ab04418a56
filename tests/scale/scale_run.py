"""The service scaled out, and residents doing whole intakes on it: the machinery of
tests/scale/test_scale_out.py.

The production processes run as subprocesses on one PostgreSQL schema, as the Procfile runs
them: two `cpps web --workers 1` on two ports (two web processes behind one public URL, as a
load balancer puts them), two `cpps worker` and one `cpps clock`. Outbound texts go to a local
fake of Twilio's API. Residents text concurrently through the real webhook, signed as Twilio
signs for the one public URL, each of their texts to either web process in turn (the web
processes keep nothing between texts).

The residents start as soon as the web processes answer /healthz, while the workers are still
loading their models: filing must not wait for them.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func
from sqlmodel import col, select
from twilio.request_validator import RequestValidator

from bot.chat import replies_of
from flows.models import InboundMessage, ModelJob, OutboundMessage, Report
from flows.statuses import InboundState, JobState, OutboundStatus, ReportState
from flows.store import Store
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.faults.kill_run import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, REF, REPO, STORIES
from tests.faults.kill_run import service_env as kill_run_env

# The one public URL Twilio signs for (a load balancer's, in front of both web processes).
PUBLIC_BASE_URL = "http://cpps-scale.test"
RESIDENTS = 200
# Requests in flight at once, across both web processes.
CONCURRENCY = 32
SEED = int(os.environ.get("CPPS_SCALE_SEED", "1515"))
# A resident's pause before each answer, in seconds (reading and typing, shortened): without
# it every filing would come a moment after its story was complete.
THINK = (0.2, 1.0)
# Residents start texting at random moments over this many seconds: the first ones while the
# workers are still loading their models (their reports are filed unrouted, and routed later),
# the last ones once the workers are up (routed at filing, when the workers keep up).
ARRIVALS = 80.0
# After the last text: the workers finish loading and catch up, the clock sends what they
# queued (every 5 s).
SETTLE_SECONDS = 180


@dataclass
class Resident:
    number: int
    webs: Sequence[str]
    texts: dict[str, str] = field(default_factory=dict)  # MessageSid -> body, answered (200)
    replies: list[str] = field(default_factory=list)  # every reply read from the TwiML
    seconds: list[float] = field(default_factory=list)  # each webhook's latency
    ref: str | None = None
    filing_reply: str = ""
    error: str | None = None

    @property
    def phone(self) -> str:
        return f"+1555{7_200_000 + self.number:07d}"

    @property
    def story(self) -> str:
        return STORIES[self.number % len(STORIES)].format(n=100 + self.number)

    def answer(self, asked: str) -> str:
        """The next text, for the question the last reply asks (residents differ by number:
        anonymous or not, a place the gazetteer knows, one it does not, or none, a time or
        not, check-ins or not)."""
        n, kind = self.number, self.number % 4
        asked = asked.lower()
        if "anonymous" in asked:
            return "1" if n % 2 == 0 else "2"
        if "which part of town" in asked:  # the place was not recognised: asked once more
            return "SKIP"
        if "where did it happen" in asked:
            places = [f"Millbrook Avenue near number {n}", "SKIP", f"behind the bakery at {n}"]
            return places[kind] if kind < len(places) else "skip"
        if "when did it happen" in asked:
            return f"last Tuesday around {n % 12 + 1} in the afternoon" if kind < 2 else "SKIP"
        if "check in with you later" in asked:
            return "1" if n // 2 % 2 == 0 else "2"
        raise AssertionError(f"resident {n}: an unexpected question: {asked!r}")

    def signed(self, body: str, sid: str) -> tuple[dict[str, str], dict[str, str]]:
        form = {
            "MessageSid": sid,
            "SmsSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": self.phone,
            "To": FROM_NUMBER,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE_URL + "/sms", form)
        return form, {"X-Twilio-Signature": signature}


async def _intake(
    resident: Resident, client: httpx.AsyncClient, slots: asyncio.Semaphore, rng: random.Random
) -> None:
    await asyncio.sleep(rng.uniform(0, ARRIVALS))
    text = resident.story
    for turn in range(8):
        if turn:
            await asyncio.sleep(rng.uniform(*THINK))
        sid = f"SM{resident.number:08d}{turn:04d}{'e' * 20}"
        form, headers = resident.signed(text, sid)
        web = resident.webs[(resident.number + turn) % len(resident.webs)]
        async with slots:
            began = time.monotonic()
            try:
                response = await client.post(f"{web}/sms", data=form, headers=headers)
            except httpx.TransportError as exc:
                raise AssertionError(f"text {sid} to {web}: {exc!r}") from exc
            resident.seconds.append(time.monotonic() - began)
        assert response.status_code == 200, (response.status_code, response.text[:200])
        resident.texts[sid] = text
        replies = replies_of(response.text)
        assert replies, f"text {sid} was answered with no reply"
        resident.replies.extend(replies)
        said = " ".join(replies)
        if found := REF.search(said):
            resident.ref, resident.filing_reply = found.group(0), said
            return
        text = resident.answer(replies[-1])
    raise AssertionError(f"no reference after 8 texts: {resident.replies}")


async def _load(residents: list[Resident]) -> None:
    slots = asyncio.Semaphore(CONCURRENCY)
    # Idle connections are dropped before the server's keep-alive timeout (uvicorn's 5 s, also
    # httpx's default here): at equal timeouts a request sent on a connection the server is
    # closing fails with ReadError.
    limits = httpx.Limits(
        max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY, keepalive_expiry=2
    )
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        outcomes = await asyncio.gather(
            *(_intake(r, client, slots, random.Random(SEED * 1000 + r.number)) for r in residents),
            return_exceptions=True,
        )
    for resident, outcome in zip(residents, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            resident.error = repr(outcome)


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports (bound all at once, so none is handed out twice)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Fleet:
    """The processes of one scaled-out service, each in a process group of its own, its output
    in `<logs>/<name>.log`."""

    def __init__(self, *, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> None:
        with (self.logs / f"{name}.log").open("ab") as out:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-c", "from bot.cli import main; main()", *args],
                env=self.env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def wait_healthy(self, url: str, *, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            self.check_running()
            time.sleep(0.2)
        raise RuntimeError(f"{url} did not become healthy in {seconds} s")

    def check_running(self) -> None:
        exited = {n: p.returncode for n, p in self.processes.items() if p.poll() is not None}
        if exited:
            raise RuntimeError(f"processes exited: {exited}")

    def stop(self) -> None:
        """SIGTERM to every group, then SIGKILL to any left after 10 s."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def tails(self, lines: int = 40) -> str:
        parts = []
        for name in self.processes:
            text = (self.logs / f"{name}.log").read_text(errors="replace").splitlines()
            parts.append(f"--- {name}: last {lines} lines ---\n" + "\n".join(text[-lines:]))
        return "\n".join(parts)


def left_to_do(store: Store) -> dict[str, int]:
    """What the service has not finished: reports not routed, model jobs not done, outbound
    texts not sent, inbound texts not answered."""
    counts = {
        "reports new": select(func.count()).where(col(Report.status) == ReportState.NEW),
        "model jobs": select(func.count())
        .select_from(ModelJob)
        .where(col(ModelJob.state).in_([JobState.QUEUED, JobState.RUNNING])),
        "outbox": select(func.count())
        .select_from(OutboundMessage)
        .where(
            col(OutboundMessage.status).in_(
                [OutboundStatus.QUEUED, OutboundStatus.SENDING, OutboundStatus.UNCERTAIN]
            )
        ),
        "unanswered": select(func.count())
        .select_from(InboundMessage)
        .where(col(InboundMessage.state) == InboundState.RECEIVED),
    }
    with store.reading() as session:
        return {name: int(session.exec(query).one()) for name, query in counts.items()}


@dataclass
class ScaleRun:
    residents: list[Resident]
    fleet: Fleet
    started_at: datetime  # the first text (wall clock: the rows' times)
    load_seconds: float  # the first text to the last reply
    settle_seconds: float  # the last reply to nothing left to do


def run_scaled_out(
    *, database_url: str, master_key: str, data_dir: Path, twilio: FakeTwilioAPI, store: Store
) -> ScaleRun:
    """Start the fleet, run RESIDENTS concurrent intakes, wait until the service has nothing
    left to do (bounded), stop the fleet. The caller checks, and reads `fleet.tails()` when a
    check fails."""
    web_ports = free_ports(2)
    env = kill_run_env(
        database_url=database_url,
        master_key=master_key,
        data_dir=data_dir,
        port=web_ports[0],
        twilio=twilio,
    )
    fleet = Fleet(env={**env, "PUBLIC_BASE_URL": PUBLIC_BASE_URL}, logs=data_dir)
    webs = [f"http://127.0.0.1:{port}" for port in web_ports]
    try:
        for n, port in enumerate(web_ports, start=1):
            fleet.start(
                f"web{n}", "web", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"
            )
        for name in ("worker1", "worker2"):
            fleet.start(name, "worker")
        fleet.start("clock", "clock")
        for web in webs:
            fleet.wait_healthy(web)
        residents = [Resident(number=n, webs=webs) for n in range(RESIDENTS)]
        started_at, began = datetime.now(UTC), time.monotonic()
        asyncio.run(_load(residents))
        loaded = time.monotonic()
        while any(left_to_do(store).values()) and time.monotonic() < loaded + SETTLE_SECONDS:
            fleet.check_running()
            time.sleep(0.5)
        return ScaleRun(
            residents=residents,
            fleet=fleet,
            started_at=started_at,
            load_seconds=loaded - began,
            settle_seconds=time.monotonic() - loaded,
        )
    except BaseException:
        print(fleet.tails(), file=sys.stderr)
        raise
    finally:
        fleet.stop()
