"""Benchmark: dispatching a due batch of check-ins among 100,000 pending, and the clock's start-up.

In a throwaway schema of the local PostgreSQL: 100,000 pending check-ins (bulk-loaded with COPY),
1,000 of them due. Measures, each next to a baseline measured in the same run:

- claim + render + queue the 1,000 due check-ins (`FollowUps.dispatch_due`), against a bare
  `SELECT … FOR UPDATE SKIP LOCKED` + `UPDATE` of 1,000 rows and a bare loop inserting 1,000 rows;
- sending them through the real OutboxDispatcher + TwilioSender to the fake Twilio API (a real
  HTTP server on loopback), against a bare loop of 1,000 `messages.create` calls with the same
  client; with 1 dispatcher and with 4 concurrent ones (safe: rows are claimed);
- (the fake Twilio API runs in a process of its own, like the real one on another machine);
- the clock's start-up: `build_services` + APScheduler start with its SQLAlchemy job store,
  against opening an engine and running `SELECT 1`. With a stub analyser (the NLP models are
  loaded lazily by nothing else in the clock) and, when `nlp.analyse` is importable, with the
  real models.

Target: the due batch of 1,000, through to the fake Twilio API, in under 2 seconds.

    PYTHONPATH=. .venv/bin/python benchmarks/checkins.py [--pending 100000 --due 1000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import text
from twilio.rest import Client

from bot.clock import build_scheduler
from bot.outbox import OutboxDispatcher, TwilioSender
from bot.settings import Settings
from bot.wiring import build_services
from flows.checkins.jobs import FollowUps
from flows.city import load_city_config
from flows.clocks import FixedClock
from flows.conversation.catalog import load_catalog
from flows.conversation.events import Screening
from flows.privacy import Vault
from flows.reports.notices import LoggingNotifier
from flows.store import Store, make_engine
from flows.store.db import upgrade
from nlp.types import Analysis
from tests.fakes.twilio_api import FakeTwilioAPI

POSTGRES_URL = os.environ.get(
    "CPPS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ACCOUNT = "AC" + "3" * 32
TOKEN = "bench-token"
FROM = "+15550001111"
# Monday 2026-03-02 11:00 in Chicago: daytime, so quiet hours do not hold the batch back.
NOW = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
CONTACTS = 10_000


class StubAnalyser:
    def screen(self, text: str) -> Screening:
        return Screening(language="en")

    def analyse(self, text: str) -> Analysis:
        return Analysis(language="en", redacted=text)

    def analyse_batch(self, texts: Sequence[str], *, categorise: bool = True) -> list[Analysis]:
        return [self.analyse(text) for text in texts]


@contextmanager
def throwaway_schema() -> Iterator[str]:
    schema = f"cpps_bench_{secrets.token_hex(4)}"
    admin = make_engine(POSTGRES_URL, pool_size=1)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _copy(store: Store, table: str, columns: list[str], rows: Iterator[list[Any]]) -> None:
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def load(store: Store, *, pending: int, due: int) -> None:
    """Bulk-load contacts, one consenting report per check-in, and the check-ins."""
    vault = store.vault
    wrapped = [vault.new_wrapped_key() for _ in range(CONTACTS)]
    _copy(
        store,
        "contact",
        ["id", "channel", "pseudonym", "wrapped_key", "address_enc", "language", "opted_out",
         "created_at"],
        (
            [i + 1, "sms", secrets.token_hex(32), wrapped[i],
             vault.encrypt(wrapped[i], f"+1555{i:07d}"), "en" if i % 3 else "es", False, NOW]
            for i in range(CONTACTS)
        ),
    )  # fmt: skip
    destinations = json.dumps(["oversight"])
    _copy(
        store,
        "report",
        ["id", "ref", "contact_id", "channel", "language", "status", "anonymous", "contact_ok",
         "consent_checkins", "urgent", "redacted_text", "analysis", "destinations", "triage",
         "urgency", "created_at", "updated_at"],
        (
            [i + 1, f"R-{i:06d}", i % CONTACTS + 1, "sms", "en", "routed", True, False, True,
             False, "redacted", "{}", destinations, False, "none", NOW, NOW]
            for i in range(pending)
        ),
    )  # fmt: skip
    _copy(
        store,
        "checkin",
        ["id", "report_id", "contact_id", "kind", "due_at", "state", "attempts", "created_at"],
        (
            [i + 1, i + 1, i % CONTACTS + 1, "contacted" if i % 2 else "satisfaction",
             NOW - timedelta(minutes=1) if i < due else NOW + timedelta(days=1 + i % 13),
             "pending", 0, NOW]
            for i in range(pending)
        ),
    )  # fmt: skip
    with store.engine.begin() as connection:
        for table in ("contact", "report", "checkin"):
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                     f"(SELECT max(id) FROM {table}))")
            )  # fmt: skip
        connection.execute(text("ANALYZE"))


class RemoteTwilio:
    """The fake Twilio API in a process of its own, as the real one is on another machine: the
    benchmark's threads then do not share the interpreter with the server's."""

    def __init__(self) -> None:
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve_twilio, args=(child,), daemon=True)
        self._process.start()
        self.base_url: str = self._conn.recv()

    @property
    def created_count(self) -> int:
        self._conn.send("count")
        return int(self._conn.recv())

    def reset(self) -> None:
        self._conn.send("reset")
        self._conn.recv()

    def close(self) -> None:
        self._conn.send("stop")
        self._process.join(timeout=10)


def _serve_twilio(conn: Connection) -> None:
    with FakeTwilioAPI(account_sid=ACCOUNT, auth_token=TOKEN) as api:
        conn.send(api.base_url)
        while (command := conn.recv()) != "stop":
            if command == "count":
                conn.send(len(api.created))
            else:
                api.reset()
                conn.send("ok")


def timed(run: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def baseline_claim(store: Store, due: int) -> float:
    """A bare claim: lock `due` due rows, skipping locked ones, and update them (rolled back)."""
    with store.engine.connect() as connection:
        start = time.perf_counter()
        with connection.begin() as transaction:
            ids = connection.execute(
                text("SELECT id FROM checkin WHERE state = 'pending' AND due_at <= :now "
                     "ORDER BY due_at, id LIMIT :n FOR UPDATE SKIP LOCKED"),
                {"now": NOW.replace(tzinfo=None), "n": due},
            ).scalars().all()  # fmt: skip
            connection.execute(
                text("UPDATE checkin SET state = 'claimed' WHERE id = ANY(:ids)"), {"ids": ids}
            )
            elapsed = time.perf_counter() - start
            transaction.rollback()
    return elapsed


def baseline_inserts(store: Store, rows: int) -> float:
    """A bare loop inserting `rows` rows in one transaction (rolled back)."""
    with store.engine.connect() as connection:
        start = time.perf_counter()
        with connection.begin() as transaction:
            for i in range(rows):
                connection.execute(
                    text("INSERT INTO periodicrun (job, period, done_at) VALUES (:j, :p, :t)"),
                    {"j": "bench", "p": str(i), "t": NOW.replace(tzinfo=None)},
                )
            elapsed = time.perf_counter() - start
            transaction.rollback()
    return elapsed


def baseline_sends(api: RemoteTwilio, count: int) -> float:
    client = Client(ACCOUNT, TOKEN)
    client.api.base_url = api.base_url
    start = time.perf_counter()
    for i in range(count):
        client.messages.create(to=f"+1666{i:07d}", from_=FROM, body="baseline")
    return time.perf_counter() - start


def send_all(store: Store, api: RemoteTwilio, *, dispatchers: int, limit: int) -> float:
    def run() -> None:
        sender = TwilioSender(
            account_sid=ACCOUNT, auth_token=TOKEN, from_number=FROM, api_base_url=api.base_url
        )
        outbox = OutboxDispatcher(store=store, senders={"sms": sender})
        while outbox.dispatch_due(limit=limit).sent:
            pass

    threads = [threading.Thread(target=run) for _ in range(dispatchers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def reset_batch(store: Store, due: int) -> None:
    """Put the due batch back to pending and forget its messages, for the next measurement."""
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM reportevent WHERE action LIKE 'checkin_%'"))
        connection.execute(text("UPDATE checkin SET outbound_id = NULL WHERE id <= :n"), {"n": due})
        connection.execute(text("DELETE FROM outboundmessage"))
        connection.execute(
            text("UPDATE checkin SET state = 'pending', sent_at = NULL, claimed_at = NULL, "
                 "attempts = 0 WHERE id <= :n"),
            {"n": due},
        )  # fmt: skip


def startup(url: str, key: str, api: RemoteTwilio, *, real_nlp: bool) -> float:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        cpps_data_dir=Path(tempfile.mkdtemp()),
        cpps_secret_keys=key,  # type: ignore[arg-type]
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,  # type: ignore[arg-type]
        twilio_from_number=FROM,
        twilio_api_base_url=api.base_url,
    )
    start = time.perf_counter()
    services = build_services(settings=settings, analyser=None if real_nlp else StubAnalyser())
    scheduler = build_scheduler(jobs=services.jobs(), blocking=False, database_url=url)
    scheduler.start(paused=True)  # started (job store created and loaded), no job runs
    elapsed = time.perf_counter() - start
    scheduler.shutdown(wait=False)
    services.store.engine.dispose()
    return elapsed


def baseline_startup(url: str) -> float:
    start = time.perf_counter()
    engine = make_engine(url)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def row(label: str, seconds: float, baseline: float) -> str:
    ms, base_ms, ratio = seconds * 1000, baseline * 1000, seconds / baseline
    return f"  {label:<58} {ms:9.1f} ms   baseline {base_ms:8.1f} ms   ×{ratio:6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()
    key = Fernet.generate_key().decode()
    city = load_city_config()
    api = RemoteTwilio()
    with throwaway_schema() as url:
        upgrade(url)
        store = Store(engine=make_engine(url), vault=Vault(keys=[key]), clock=FixedClock(NOW))
        load_time, _ = timed(lambda: load(store, pending=args.pending, due=args.due))
        print(f"loaded {args.pending:,} pending check-ins ({args.due:,} due) in {load_time:.1f} s")
        followups = FollowUps(
            store=store, city=city, catalog=load_catalog(), notifier=LoggingNotifier(),
            batch_size=args.due,
        )  # fmt: skip
        claim_base = baseline_claim(store, args.due)
        insert_base = baseline_inserts(store, args.due)
        send_base = baseline_sends(api, args.due)
        print(f"\nDue batch of {args.due:,} among {args.pending:,} pending (PostgreSQL):")
        results = []
        for dispatchers in (1, 2, 4, 8):
            queue_time, queued = timed(followups.dispatch_due)
            assert queued == args.due, queued
            api.reset()
            send_time = send_all(store, api, dispatchers=dispatchers, limit=100)
            assert api.created_count == args.due, api.created_count
            results.append((dispatchers, queue_time, send_time))
            reset_batch(store, args.due)
        for dispatchers, queue_time, send_time in results:
            print(f" with {dispatchers} outbox dispatcher(s):")
            print(row("claim + render + queue (FollowUps.dispatch_due)", queue_time, claim_base))
            print(
                row("  (vs a bare loop inserting the same number of rows)", queue_time, insert_base)
            )
            print(row("send through OutboxDispatcher + TwilioSender", send_time, send_base))
            total = queue_time + send_time
            print(
                row(
                    "TOTAL due batch → fake Twilio API (target < 2000 ms)",
                    total,
                    claim_base + send_base,
                )
            )
        print("\nClock start-up (build_services + APScheduler with its SQLAlchemy job store):")
        base = baseline_startup(url)
        print(row("stub analyser", startup(url, key, api, real_nlp=False), base))
        try:
            import nlp.analyse  # noqa: F401
        except ImportError:
            print("  real NLP analyser: nlp.analyse not on this branch, not measured")
        else:
            print(
                row(
                    "real NLP analyser (models loaded)", startup(url, key, api, real_nlp=True), base
                )
            )
        store.engine.dispose()
    api.close()


if __name__ == "__main__":
    main()
