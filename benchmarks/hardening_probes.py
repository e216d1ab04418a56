"""Benchmark: the probes of issue #13 rerun against the real service, counting what went wrong.

Not a timing benchmark: each probe counts attempts and bad outcomes, which must all be 0.
The probes reuse the test suite's harness (a real app on a real database with the shipped NLP,
the fake Twilio and Slack APIs as local HTTP servers, requests signed as the vendors sign them):

1. rewritten signed Twilio requests (tests/support/rewrites.py): a genuine signed inbound SMS,
   rewritten in every way that keeps its signature (text moved between names and values, a
   parameter swallowed by the value before it); bad: accepted as a new message (2xx and a new
   stored inbound row), or a 5xx;
2. fuzz: generated signed bodies (the hypothesis strategies of
   tests/sms|slack/test_fuzz_signed_requests.py) to `/sms`, `/sms/status` and `/slack/events`,
   and one MessageSid sent from a second number; bad: a 5xx, a row stored for a refused request,
   an ERROR log line, a genuine request refused, a borrowed MessageSid accepted;
3. replays: the same signed Twilio message ×4, the same signed Ask modal submission and
   `/cpps reply` ×4 (tests/slack/test_replays.py), and check-ins whose send Twilio carries out
   but answers after the client's timeout; bad: a text stored or sent more than once;
4. kill -9 of the web process during concurrent intakes (tests/faults/kill_run.py), on SQLite
   and on a private schema of the local PostgreSQL; bad: acknowledged texts lost, replies sent
   twice, texts left unanswered, conversations unfinished.

    PYTHONPATH=. .venv/bin/python benchmarks/hardening_probes.py [--quick] [--kills N]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from cryptography.fernet import Fernet

from benchmarks.probe_replays import probe_send_timeouts, probe_slack_replays, probe_sms_replays
from benchmarks.probe_requests import Row, full_service, probe_fuzz, probe_rewrites
from bot.wiring import load_analyser
from flows.city import load_city_config
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.faults.kill_figures import KillFigures
from tests.faults.kill_run import ACCOUNT_SID as KILL_ACCOUNT
from tests.faults.kill_run import AUTH_TOKEN as KILL_TOKEN
from tests.faults.kill_run import run_with_kills
from tests.support.databases import migrated_sqlite, private_postgres_schema

# -- 4. kill -9 ---------------------------------------------------------------------------------


def probe_kills(tmp: Path, master_key: str, *, kills: int) -> list[Row]:
    rows: list[Row] = []
    share = {"SQLite": (kills + 1) // 2, "PostgreSQL": kills // 2}
    for name, n in share.items():
        if n == 0:
            continue
        data = tmp / f"kill-{name}"
        data.mkdir()
        with ExitStack() as stack:
            if name == "SQLite":
                url = migrated_sqlite(data / "cpps.db")
            else:
                url = stack.enter_context(private_postgres_schema())
            twilio = stack.enter_context(
                FakeTwilioAPI(account_sid=KILL_ACCOUNT, auth_token=KILL_TOKEN)
            )
            run = run_with_kills(
                database_url=url, master_key=master_key, data_dir=data, twilio=twilio, kills=n
            )
            run.store.engine.dispose()
        rows.append(_kill_row(name, run.figures))
    return rows


def _kill_row(name: str, figures: KillFigures) -> Row:
    bad = figures.lost + figures.sent_twice + figures.unanswered + figures.unfinished
    return Row(
        f"kill -9 x{figures.kills} during intakes, {name}: acknowledged texts",
        figures.acknowledged,
        bad,
        f"lost {figures.lost}, replies sent twice {figures.sent_twice}, "
        f"left unanswered {figures.unanswered}, conversations unfinished {figures.unfinished}",
        "0 of 3,000 lost; 4 of 20 kills: answered after 120 s",
    )


# -- the run ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer of each (about 3 minutes)")
    parser.add_argument("--kills", type=int, help="kills in all, shared by the two databases")
    args = parser.parse_args()
    quick = args.quick
    kills = args.kills if args.kills is not None else (3 if quick else 20)
    began = time.monotonic()
    logging.basicConfig(level=logging.CRITICAL)
    os.environ.setdefault("CPPS_NLP_THREADS", "1")  # other work shares the machine's cores
    master_key = Fernet.generate_key().decode()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="cpps-probes-") as name:
        tmp = Path(name)
        analyser = load_analyser(load_city_config())
        with full_service(tmp / "fuzz", master_key, analyser) as (services, client, slack, twilio):
            rows += probe_fuzz(
                services,
                client,
                slack,
                twilio,
                per_endpoint=100 if quick else 1400,
                borrowed=10 if quick else 50,
            )
            _progress(began, rows)
        with full_service(tmp / "rewrites", master_key, analyser) as (services, client, _, twilio):
            rows = probe_rewrites(services, client, every=8 if quick else 1) + rows
            rows.append(probe_sms_replays(services, client, twilio, messages=4 if quick else 20))
            _progress(began, rows)
        rows += probe_slack_replays(tmp, master_key, actions=3 if quick else 10)
        rows.append(probe_send_timeouts(tmp, master_key, checkins=20 if quick else 100))
        _progress(began, rows)
        rows += probe_kills(tmp, master_key, kills=kills)
    _print(rows, time.monotonic() - began, quick=quick)


def _progress(began: float, rows: list[Row]) -> None:
    """What has been measured so far, on stderr (a full run takes a quarter of an hour)."""
    done = ", ".join(f"{r.probe}: {r.bad}" for r in rows[-3:])
    print(f"[{time.monotonic() - began:5.0f} s] {done}", file=sys.stderr, flush=True)


def _print(rows: list[Row], seconds: float, *, quick: bool) -> None:
    width = max(len(r.probe) for r in rows)
    print(f"\nissue #13 probes{' (--quick)' if quick else ''}: {os.cpu_count()} cores")
    print(f"{'probe':<{width}}  {'attempts':>8}  {'bad':>4}  detail [issue #13, before the fixes]")
    for row in rows:
        before = f" [{row.before}]" if row.before else ""
        print(f"{row.probe:<{width}}  {row.attempts:>8}  {row.bad:>4}  {row.detail}{before}")
    print(f"bad outcomes in all: {sum(r.bad for r in rows)}; total time {seconds:.0f} s")


if __name__ == "__main__":
    main()
