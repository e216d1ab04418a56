"""The request probes of benchmarks/hardening_probes.py (issue #13): rewritten signed Twilio
requests, and generated signed bodies to the Twilio and Slack endpoints, against the whole
service (build_services + create_app) with the shipped NLP and both vendors faked."""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.wiring import Services
from flows.city import load_city_config
from flows.clocks import FixedClock
from flows.handling.effect_prep import Analyser
from flows.reports.refs import find_ref
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PUBLIC_URL,
    Resident,
    make_settings,
    settle,
    signed_form,
    start_service,
)
from tests.slack import test_fuzz_signed_requests as slack_fuzz
from tests.slack.conftest import E2E_SLACK_TOKEN
from tests.sms import test_fuzz_signed_requests as sms_fuzz
from tests.support.databases import migrated_sqlite
from tests.support.fuzz import FUZZ
from tests.support.rewrites import Pairs, rewrites, still_signed
from tests.support.rows import count
from tests.support.slack_bench import channel_ids

FORM = "application/x-www-form-urlencoded"
STORY = "I was stopped by Deputy Jones"


@dataclass(frozen=True)
class Row:
    probe: str
    attempts: int
    bad: int
    detail: str = ""
    # What the issue's probes found before the fixes (the baseline), where it said.
    before: str = ""


class ErrorLines(logging.Handler):
    """Counts ERROR log lines (a refused request logs none)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextmanager
def full_service(
    tmp: Path, master_key: str, analyser: Analyser
) -> Iterator[tuple[Services, TestClient, FakeSlackAPI, FakeTwilioAPI]]:
    """The whole service (build_services + create_app) on a fresh SQLite file, with the shipped
    NLP and both vendors faked, as tests/slack/conftest.py's `service` fixture builds it."""
    clock = FixedClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    with ExitStack() as stack:
        channels = channel_ids(load_city_config())
        slack_api = stack.enter_context(
            FakeSlackAPI(token=E2E_SLACK_TOKEN, channels=channels, clock=clock.now)
        )
        twilio_api = stack.enter_context(
            FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN)
        )
        settings_ = make_settings(
            database_url=migrated_sqlite(tmp / "cpps.db"),
            data_dir=tmp,
            master_key=master_key,
            twilio_api_url=twilio_api.base_url,
            slack_bot_token=E2E_SLACK_TOKEN,
            slack_api_url=slack_api.api_url,
        )
        services, client = start_service(settings=settings_, clock=clock, analyser=analyser)
        stack.enter_context(client)
        stack.callback(services.store.engine.dispose)
        yield services, client, slack_api, twilio_api


# -- 1. rewritten signed requests ---------------------------------------------------------------


def _post(client: TestClient, pairs: Pairs, signature: str) -> int:
    headers = {"Content-Type": FORM, "X-Twilio-Signature": signature}
    return client.post("/sms", content=urlencode(pairs), headers=headers).status_code


def _captured(client: TestClient) -> tuple[Pairs, str]:
    """A genuine inbound SMS (a fresh MessageSid each time), sorted as its signature reads it."""
    form = Resident(client, phone="+15557770042").form(STORY)
    return sorted(form.items()), signed_form(form)["X-Twilio-Signature"]


def probe_rewrites(services: Services, client: TestClient, *, every: int) -> list[Row]:
    template, _ = _captured(client)
    tried = accepted = failed = unsigned = 0
    issue_style = issue_accepted = 0
    for index, (label, rewrite) in enumerate(rewrites(template)):
        systematic = " cut at " in label or " moved to " in label
        if systematic and index % every:
            continue
        pairs, signature = _captured(client)
        rewritten = rewrite(pairs)
        if not still_signed(rewritten, signature, token=AUTH_TOKEN, url=PUBLIC_URL + "/sms"):
            unsigned += 1  # the sort order changed: Twilio's validator refuses it anyway
            continue
        before = count(services.store.engine, "inboundmessage")
        status = _post(client, rewritten, signature)
        settle(client)
        new = 200 <= status < 300 and count(services.store.engine, "inboundmessage") > before
        tried += 1
        accepted += new
        failed += status >= 500
        if not systematic:
            issue_style += 1
            issue_accepted += new
    return [
        Row(
            "rewritten signed Twilio requests (the issue's kind)",
            issue_style,
            issue_accepted,
            "accepted as a new message",
            "12 of 12 accepted",
        ),
        Row(
            "rewritten signed Twilio requests (every split point)",
            tried,
            accepted + failed,
            f"accepted {accepted}, 5xx {failed} ({unsigned} other rewrites lost the signature)",
        ),
    ]


# -- 2. fuzz ------------------------------------------------------------------------------------


class Outcome(Protocol):
    @property
    def status(self) -> int: ...

    @property
    def stored_when_refused(self) -> bool: ...


def _fuzz(
    strategy: st.SearchStrategy[Any], examples: int, probe: Callable[[Any], Outcome], ok: int
) -> Counter[str]:
    """Post `examples` generated cases (hypothesis, derandomized: the same ones every run)."""
    tally: Counter[str] = Counter()

    @settings(FUZZ, max_examples=examples)
    @given(case=strategy)
    def run(case: Any) -> None:
        outcome = probe(case)
        status = outcome.status
        tally["requests"] += 1
        tally["5xx"] += status >= 500
        tally["4xx"] += 400 <= status < 500
        tally["stored when refused"] += outcome.stored_when_refused
        tally["genuine refused"] += case.genuine and status != ok

    run()
    return tally


def probe_fuzz(
    services: Services,
    client: TestClient,
    slack_api: FakeSlackAPI,
    twilio_api: FakeTwilioAPI,
    *,
    per_endpoint: int,
    borrowed: int,
) -> list[Row]:
    errors = ErrorLines()
    logging.getLogger().addHandler(errors)
    rows: list[Row] = []
    sent = sms_fuzz.send_status_targets(services, twilio_api)
    assert sent == sms_fuzz.SENT_SIDS, sent
    ref = _file_report(client)
    endpoints: list[tuple[str, st.SearchStrategy[Any], Callable[[Any], Outcome], int]] = [
        (
            "/sms",
            sms_fuzz.inbound_cases,
            lambda c: sms_fuzz.probe(services, client, "/sms", c),
            200,
        ),
        (
            "/sms/status",
            sms_fuzz.status_cases,
            lambda c: sms_fuzz.probe(services, client, "/sms/status", c),
            204,
        ),
        (
            "/slack/events",
            slack_fuzz.slack_cases,
            lambda c: slack_fuzz.probe(services, client, slack_api, c, ref),
            200,
        ),
    ]
    for path, strategy, probe, ok in endpoints:
        errors.count = 0
        tally = _fuzz(strategy, per_endpoint, probe, ok)
        bad = tally["5xx"] + tally["stored when refused"] + tally["genuine refused"] + errors.count
        rows.append(
            Row(
                f"fuzz: signed bodies to {path}",
                tally["requests"],
                bad,
                f"5xx {tally['5xx']}, stored when refused {tally['stored when refused']}, "
                f"ERROR lines {errors.count}, genuine refused {tally['genuine refused']} "
                f"({tally['4xx']} refused)",
                "392 of 4,200 (3 endpoints) 5xx" if path == "/sms" else "",
            )
        )
    logging.getLogger().removeHandler(errors)
    rows.append(_borrowed_sids(services, client, borrowed))
    return rows


def _file_report(client: TestClient) -> str:
    """A report filed by SMS, whose reference the generated Slack commands name."""
    resident = Resident(client, phone="+15558675309")
    for text in ("An officer pushed me on Water Street.", "1", "Water Street", "SKIP"):
        resident.text(text)
    [filed] = resident.text("2")
    ref = find_ref(filed)
    assert ref is not None, filed
    return ref


def _borrowed_sids(services: Services, client: TestClient, pairs: int) -> Row:
    """A genuine text, then its MessageSid signed from another number (finding 2)."""
    failed = accepted = stored = 0
    for n in range(pairs):
        sid = "SM" + secrets.token_hex(16)
        Resident(client, phone=f"+1555777{n:04d}").text("Hello", sid=sid)
        before = sms_fuzz.rows_of_every_table(services.store.engine)
        form = Resident(client, phone=f"+1555888{n:04d}").form("Hello", sid=sid)
        status = client.post("/sms", data=form, headers=signed_form(form)).status_code
        settle(client)
        failed += status >= 500
        accepted += 200 <= status < 300
        stored += sms_fuzz.rows_of_every_table(services.store.engine) != before
    return Row(
        "same MessageSid from another number",
        pairs,
        failed + accepted + stored,
        f"5xx {failed}, accepted {accepted}, rows stored {stored}",
        "500, and a contact row stored",
    )
