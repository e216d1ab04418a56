"""Benchmark: /transparency and /transparency/data.csv over 100,000 reports in PostgreSQL.

In a throwaway schema of the local PostgreSQL, 100,000 reports spread over the 12 published
months and the month in progress (through the models' tables: `Report`, `ReportEvent`,
`Checkin`, `Decision`), most acknowledged, many resolved, some spam, with check-in answers,
and a published decision on one resolved report in 50 (one in ten of them corrected), read by
the store's `published_decisions` as the service does. Measures, each
beside a bare `SELECT count(*) FROM report` timed in the same run (as a ratio):

- fresh: the page and the CSV from a service that has no figures yet (every query runs: the
  web process's start, or the day a month settles);
- figures cached, decisions fresh: the figures kept for the published months, the decisions
  read anew (what a visitor gets after the page sat idle for a minute);
- cached: the snapshot of the last 40 s (what nearly every request gets).

Target (issue #14): well under a second for the page and the CSV, a new decision within a
minute (the snapshot lasts 40 s, served 10 s more while the next is computed, and a browser
keeps it 10 s at most).

    PYTHONPATH=. .venv/bin/python benchmarks/transparency_page.py [--reports 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from bot.transparency.routes import build_transparency_router
from flows.city import load_city_config
from flows.clocks import FixedClock
from flows.models import Checkin, Decision, Report, ReportEvent
from flows.privacy import Vault
from flows.store import Store, make_engine
from flows.store.db import upgrade
from flows.transparency.service import CACHE_SECONDS, TransparencyReport

POSTGRES_URL = os.environ.get(
    "CPPS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
CHUNK = 5000


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


def seed(store: Store, n: int) -> None:
    city = load_city_config()
    rng = random.Random(14)
    categories = city.city.categories
    districts = [d.id for d in city.districts] + [None]
    start = NOW - timedelta(days=395)
    parties = [p.id for p in city.destination("oversight").parties]
    reports, events, checkins, decisions = [], [], [], []
    for i in range(1, n + 1):
        filed = start + timedelta(seconds=rng.randrange(int((NOW - start).total_seconds())))
        status = rng.choices(
            ["routed", "acknowledged", "resolved", "closed", "spam"], [20, 30, 40, 7, 3]
        )[0]
        reports.append(
            {
                "id": i,
                "ref": f"B{i:07d}",
                "channel": "sms",
                "language": rng.choice(["en", "es"]),
                "status": status,
                "redacted_text": "",
                "analysis": {},
                "destinations": [],
                "top_category": rng.choice(categories),
                "triage": False,
                "urgency": "none",
                "district": rng.choice(districts),
                "created_at": filed,
                "updated_at": filed,
                # What the store keeps with the status events below (flows/store/milestones.py).
                "first_taken_up_at": None,
                "first_resolved_at": None,
                "first_spam_at": None,
            }
        )
        events.append(_event(i, filed, "filed", {}))
        if status in ("acknowledged", "resolved", "closed"):
            taken = filed + timedelta(hours=rng.uniform(2, 120))
            events.append(_event(i, taken, "status", {"from": "routed", "to": "acknowledged"}))
            reports[-1]["first_taken_up_at"] = taken
            if status != "acknowledged":
                done = taken + timedelta(days=rng.uniform(1, 30))
                events.append(_event(i, done, "status", {"from": "acknowledged", "to": status}))
                if status == "resolved":
                    reports[-1]["first_resolved_at"] = done
                published = done + timedelta(days=2) < NOW  # both versions before now
                if status == "resolved" and published and rng.random() < 0.02:
                    decisions.extend(_decisions(i, done, rng.sample(parties, 2), len(decisions)))
        if rng.random() < 0.3:
            for kind, answer in (
                ("contacted", rng.choice("12")),
                ("satisfaction", rng.choice("12345")),
            ):
                checkins.append(
                    {
                        "report_id": i,
                        "kind": kind,
                        "due_at": filed,
                        "state": "answered",
                        "answer": answer,
                        "created_at": filed,
                    }
                )
    with store.transaction() as session:
        for table, rows in (
            (Report, reports),
            (ReportEvent, events),
            (Checkin, checkins),
            (Decision, decisions),
        ):
            for offset in range(0, len(rows), CHUNK):
                session.execute(insert(table), rows[offset : offset + CHUNK])
    with store.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def _event(report_id: int, at: datetime, action: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"report_id": report_id, "at": at, "actor": "U0MOD", "action": action, "detail": detail}


def _decisions(
    report_id: int, at: datetime, parties: list[str], known: int
) -> list[dict[str, Any]]:
    """A published decision on the report; one in ten corrected by a second version."""
    versions = 2 if report_id % 10 == 0 else 1
    return [
        {
            "id": known + v + 1,
            "report_id": report_id,
            "summary": "The council reviewed the report with the police liaison.",
            "parties": parties,
            "published": True,
            "published_at": at + timedelta(days=v + 1),
            "actor": "U0MOD",
            "corrects_id": known + v if v else None,
            "action_key": None,
            "created_at": at + timedelta(days=v + 1),
        }
        for v in range(versions)
    ]


def timed(prepare: Callable[[], Callable[[], object]], repeat: int) -> float:
    """The median of `repeat` runs, in milliseconds; each run is what `prepare` returns
    (prepared untimed)."""
    times = []
    for _ in range(repeat):
        run = prepare()
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with throwaway_schema() as url:
        upgrade(url)
        engine = make_engine(url, pool_size=2)
        clock = FixedClock(NOW)
        store = Store(
            engine=engine, vault=Vault(keys=[Fernet.generate_key().decode()]), clock=clock
        )
        began = time.perf_counter()
        seed(store, args.reports)
        print(f"seeded {args.reports:,} reports in {time.perf_counter() - began:.1f} s")
        print(f"{len(store.decisions.published_decisions()):,} published decisions")
        city = load_city_config()
        published = store.decisions.published_decisions

        def client(cache_for: timedelta = timedelta(seconds=CACHE_SECONDS)) -> TestClient:
            app = FastAPI()
            report = TransparencyReport(
                store=store, city=city, decisions=published, cache_for=cache_for
            )
            app.include_router(build_transparency_router(report=report))
            return TestClient(app)

        figures_kept = client(cache_for=timedelta(0))  # figures kept, decisions read each time
        cached = client()
        for warm in (figures_kept, cached):
            warm.get("/transparency")  # computed once

        def count() -> None:
            with engine.connect() as connection:
                connection.execute(text("SELECT count(*) FROM report")).scalar_one()

        def get(path: str, make: Callable[[], TestClient]) -> Callable[[], Callable[[], None]]:
            def prepare() -> Callable[[], None]:
                browser = make()

                def run() -> None:
                    response = browser.get(path)
                    assert response.status_code == 200, response.status_code

                return run

            return prepare

        baseline = timed(lambda: count, args.repeat)
        print(f"bare SELECT count(*) FROM report: {baseline:8.1f} ms")
        modes: dict[str, Callable[[], TestClient]] = {
            "fresh": client,  # a new service each time: no figures yet
            "figures cached, decisions fresh": lambda: figures_kept,
            "cached": lambda: cached,
        }
        for name, make in modes.items():
            for path in ("/transparency", "/transparency/data.csv"):
                ms = timed(get(path, make), args.repeat)
                print(f"{path:24} {name:31}: {ms:8.1f} ms  ({ms / baseline:6.1f}× the count)")
        engine.dispose()


if __name__ == "__main__":
    main()
