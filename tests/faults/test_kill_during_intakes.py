"""The web process killed (SIGKILL) during concurrent intakes, and started again (issue #13).

The real service runs as a subprocess (`cpps serve --clock`: one process with the scheduler, so
the abandoned-message sweep and the outbox run in it, as on the embedded default) on a real
database, its outbound texts going to a local fake of Twilio's API. Residents text it
concurrently through the real webhook, signed as Twilio signs. Twice, at a seeded moment
mid-load, the process is killed with SIGKILL and started again on the same database and port.
A resident whose request got no answer sends the same signed request again (Twilio retries with
the same MessageSid); a few residents give up instead, and their last text, when it was stored,
must be answered through the outbox by the sweep.

Then, from the database (the project's Store) and the fake Twilio's captured requests:
- nothing acknowledged is lost: every text that got an HTTP 200 is stored, body and all;
- nothing is sent twice: no reply reaches a resident twice (TwiML and Twilio API together);
- every conversation finishes: each resident who kept texting filed a report whose reference
  they were told, and no stored text is left unanswered.
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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlmodel import col, select
from twilio.request_validator import RequestValidator

from bot.chat import replies_of
from flows.clocks import SystemClock
from flows.handling.runner import ABANDONED_AFTER
from flows.models import Contact, InboundMessage, OutboundMessage, Report
from flows.privacy import Vault
from flows.statuses import InboundState, OutboundStatus
from flows.store import Store, make_engine
from tests.fakes.twilio_api import FakeTwilioAPI

REPO = Path(__file__).resolve().parents[2]
ACCOUNT_SID = "AC" + "7" * 32
AUTH_TOKEN = "fault-test-auth-token"
FROM_NUMBER = "+15550002222"
REF = re.compile(r"R-[2-9A-HJ-NP-Z]{4}")
RESIDENTS = 10
# Residents 0 and 1 give up when a text of theirs gets no answer (no retry, no more texts).
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
                pytest.fail(f"the service exited at start: see {self.log}")
            time.sleep(0.2)
        pytest.fail(f"the service did not become healthy: see {self.log}")

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
                if self.number in QUITTERS:
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


@pytest.mark.slow
def test_killed_mid_intakes_loses_nothing_sends_nothing_twice_and_finishes(
    database_url: str, master_key: str, tmp_path: Path
) -> None:
    began = time.monotonic()
    rng = random.Random(SEED)
    with FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as twilio:
        port = _free_port()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
            "CPPS_ENV": "development",
            "CPPS_DATA_DIR": str(tmp_path),
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
        service = Service(env=env, port=port, log=tmp_path / "service.log")
        try:
            service.start()
            residents = [Resident(number=n, service=service) for n in range(RESIDENTS)]
            threads = [threading.Thread(target=r.run, daemon=True) for r in residents]
            for thread in threads:
                thread.start()
            # Two kills at seeded moments while texts are in flight (about 60 texts in all).
            for low, high in ((6, 14), (8, 16)):
                _wait_for_acks(residents, _acks(residents) + rng.randint(low, high), threads)
                service.kill()
                service.start()
            for thread in threads:
                thread.join(timeout=150)
            assert not any(t.is_alive() for t in threads), "residents still waiting"
            # Texts stored but never answered (a quitter's) are answered by the sweep, by the
            # outbox: wait for that, then for the outbox to be empty.
            store = Store(
                engine=make_engine(database_url, pool_size=1),
                vault=Vault(keys=[master_key]),
                clock=SystemClock(),
            )
            deadline = time.monotonic() + ABANDONED_AFTER.total_seconds() + 40
            while time.monotonic() < deadline and _unfinished(store) != ([], []):
                time.sleep(0.5)
            try:
                check(store, residents, twilio)
            finally:
                store.engine.dispose()
        finally:
            service.stop()
        # Shown with `pytest -s`: what the faults did this run.
        print(
            f"\n{database_url.split(':')[0]}: {time.monotonic() - began:.1f} s, starts "
            f"{', '.join(f'{s:.1f}' for s in service.start_seconds)} s, retried "
            f"{sum(r.retries for r in residents)}, "
            f"gave up {[r.number for r in residents if r.gave_up]}, "
            f"sent by the API {len(twilio.created)}: {[m['Body'][:30] for m in twilio.created]}"
        )


def _unfinished(store: Store) -> tuple[list[str], list[int]]:
    """Stored texts not yet answered (MessageSids), and outbound texts not yet sent (ids)."""
    with store.reading() as session:
        unanswered = session.exec(
            select(InboundMessage.provider_id).where(InboundMessage.state == InboundState.RECEIVED)
        ).all()
        unsent = session.exec(
            select(OutboundMessage.id).where(
                col(OutboundMessage.status).in_(
                    [OutboundStatus.QUEUED, OutboundStatus.SENDING, OutboundStatus.UNCERTAIN]
                )
            )
        ).all()
    return list(unanswered), [i for i in unsent if i is not None]


def check(store: Store, residents: list[Resident], twilio: FakeTwilioAPI) -> None:
    errors = {r.number: r.error for r in residents if r.error}
    assert not errors, errors
    with store.reading() as session:
        inbound = {m.provider_id: m for m in session.exec(select(InboundMessage)).all()}
        contacts = {c.id: c for c in session.exec(select(Contact)).all()}
        reports = session.exec(select(Report)).all()

    # Nothing acknowledged is lost: each text that got a 200 is stored, with its body.
    for resident in residents:
        for sid, body in resident.acked.items():
            assert sid in inbound, f"resident {resident.number}: acknowledged {sid} not stored"
            message = inbound[sid]
            contact = contacts[message.contact_id]
            assert message.body_enc is not None
            assert store.vault.decrypt(contact.wrapped_key, message.body_enc) == body

    # Nothing is left unanswered, and nothing is sent twice: every reply a resident received,
    # in a webhook's TwiML or through Twilio's API, reached them once.
    assert _unfinished(store) == ([], []), "texts unanswered, or replies never sent"
    created = twilio.created
    for resident in residents:
        received = resident.replies + [m["Body"] for m in created if m["To"] == resident.phone]
        twice = {body: n for body, n in Counter(received).items() if n > 1}
        assert not twice, f"resident {resident.number} got these more than once: {twice}"
    assert {m["To"] for m in created} <= {r.phone for r in residents}

    # Every conversation of a resident who kept texting finishes: a report is filed, under the
    # reference they were told, for their contact.
    refs = {report.ref: report for report in reports}
    for resident in residents:
        if resident.gave_up:
            continue
        assert resident.finished_ref is not None, f"resident {resident.number} did not finish"
        report = refs.get(resident.finished_ref)
        assert report is not None, f"resident {resident.number}: {resident.finished_ref} unfiled"
        first = inbound[next(iter(resident.acked))]
        assert report.contact_id == first.contact_id
    # One report per resident at most: a replayed filing text files nothing again.
    by_contact = Counter(report.contact_id for report in reports)
    assert max(by_contact.values(), default=0) <= 1, by_contact
    kept_texting = [r for r in residents if not r.gave_up]
    assert len(reports) >= len(kept_texting)
    # The faults were real: some requests were cut off and sent again.
    assert sum(r.retries for r in residents) + sum(r.gave_up for r in residents) > 0
