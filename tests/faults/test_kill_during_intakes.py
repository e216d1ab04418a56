"""The web process killed (SIGKILL) during concurrent intakes, and started again (issue #13).

Twice, at a seeded moment mid-load, the real service (`cpps serve --clock`, a subprocess on a
real database, Twilio faked over HTTP) is killed and started again while residents text it
concurrently (tests/faults/kill_run.py). Then, from the database and the fake Twilio's captured
requests:
- nothing acknowledged is lost: every text that got an HTTP 200 is stored, body and all;
- nothing is sent twice: no reply reaches a resident twice (TwiML and Twilio API together);
- every conversation finishes: each resident who kept texting filed a report whose reference
  they were told, and no stored text is left unanswered.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from flows.models import Report
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.faults.kill_figures import KillFigures
from tests.faults.kill_run import ACCOUNT_SID, AUTH_TOKEN, KillRun, run_with_kills


@pytest.mark.slow
def test_killed_mid_intakes_loses_nothing_sends_nothing_twice_and_finishes(
    database_url: str, master_key: str, tmp_path: Path
) -> None:
    began = time.monotonic()
    with FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as twilio:
        run = run_with_kills(
            database_url=database_url, master_key=master_key, data_dir=tmp_path, twilio=twilio
        )
        try:
            check(run)
        finally:
            run.store.engine.dispose()
    residents = run.residents
    # Shown with `pytest -s`: what the faults did this run.
    print(
        f"\n{database_url.split(':')[0]}: {time.monotonic() - began:.1f} s, starts "
        f"{', '.join(f'{s:.1f}' for s in run.service.start_seconds)} s, retried "
        f"{sum(r.retries for r in residents)}, "
        f"gave up {[r.number for r in residents if r.gave_up]}, "
        f"sent by the API {len(twilio.created)}: {[m['Body'][:30] for m in twilio.created]}"
    )


def check(run: KillRun) -> None:
    residents = run.residents
    errors = {r.number: r.error for r in residents if r.error}
    assert not errors, errors
    figures = run.figures
    assert figures.acknowledged > 0
    assert figures == KillFigures(
        kills=2, acknowledged=figures.acknowledged, lost=0, sent_twice=0, unanswered=0, unfinished=0
    )
    assert {m["To"] for m in run.twilio.created} <= {r.phone for r in residents}
    kept_texting = [r for r in residents if not r.gave_up]
    assert all(r.finished_ref is not None for r in kept_texting)
    # One report per resident at most: a replayed filing text files nothing again.
    with run.store.reading() as session:
        reports = session.exec(select(Report)).all()
    by_contact = Counter(report.contact_id for report in reports)
    assert max(by_contact.values(), default=0) <= 1, by_contact
    assert len(reports) >= len(kept_texting)
    # The faults were real: some requests were cut off and sent again.
    assert sum(r.retries for r in residents) + sum(r.gave_up for r in residents) > 0
