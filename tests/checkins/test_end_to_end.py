"""A resident's check-ins as they live them: SMS report with consent → `cpps clock --once` passes
days later → the check-in SMS (fake Twilio API) → their answer by SMS → the moderators' thread.

Texts go in through the runner (what the SMS webhook calls after checking the signature)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import run_once
from bot.wiring import Services, build_services
from flows.clocks import FixedClock
from flows.handling.effect_prep import Analyser
from flows.handling.incoming import IncomingMessage
from flows.models import Report
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import ACCOUNT_SID, AUTH_TOKEN, make_settings
from tests.support.sms_replies import (
    ASK_ANONYMITY,
    ASK_CONSENT,
    ASK_PLACE,
    ASK_WHEN,
    FILED,
    OPTED_OUT,
    openings,
)

STORY = "An officer shoved me outside Millbrook Library and took my phone, Officer Miller"


@dataclass
class Resident:
    services: Services
    phone: str = "+15558675309"

    def text(self, body: str) -> list[str]:
        message = IncomingMessage(
            channel="sms", provider_id="SM" + secrets.token_hex(16), sender=self.phone, body=body
        )
        replies = list(self.services.runner.handle(message))
        assert self.services.background.drain(timeout=30)
        return replies


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioAPI]:
    with FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as api:
        yield api


@pytest.fixture
def service(
    database_url: str,
    tmp_path: Path,
    master_key: str,
    twilio_api: FakeTwilioAPI,
    clock: FixedClock,
    notifier: RecordingNotifier,
    analyser: Analyser,
) -> Iterator[Services]:
    settings = make_settings(
        database_url=database_url,
        data_dir=tmp_path,
        master_key=master_key,
        twilio_api_url=twilio_api.base_url,
    )
    services = build_services(settings=settings, clock=clock, analyser=analyser, notifier=notifier)
    yield services
    services.background.drain(timeout=10)
    services.store.engine.dispose()


def _file(resident: Resident, clock: FixedClock, consent: str) -> str:
    replies: list[str] = []
    script = [
        (STORY, ASK_ANONYMITY),
        ("1", ASK_PLACE),
        ("SKIP", ASK_WHEN),
        ("SKIP", ASK_CONSENT),
        (consent, FILED),
    ]
    for body, opening in script:
        clock.advance(timedelta(minutes=3))
        replies = resident.text(body)
        assert openings(replies, opening), (body, replies)
    match = re.search(r"R-[2-9A-HJ-NP-Z]{4}", replies[-1])
    assert match, replies
    return match.group(0)


def test_check_ins_as_a_resident_lives_them(
    service: Services,
    clock: FixedClock,
    twilio_api: FakeTwilioAPI,
    notifier: RecordingNotifier,
) -> None:
    services = service
    resident = Resident(services)
    ref = _file(resident, clock, consent="1")
    report = services.store.reports.by_ref(ref)
    assert report is not None and report.consent_checkins
    kinds = [c.kind for c in services.store.checkins.of_report(report.id or 0)]
    assert kinds == ["contacted", "satisfaction"]

    clock.advance(timedelta(days=2))
    run_once(services.jobs())
    assert twilio_api.created == []
    clock.advance(timedelta(days=1))
    results = run_once(services.jobs())
    assert results["checkins"] == 1
    [sms] = twilio_api.created
    assert sms["To"] == resident.phone and ref in sms["Body"]
    assert "Community Police Oversight Council" in sms["Body"]

    assert resident.text("1") == ["Thank you for your answer."]
    assert notifier.thread_posts == [
        (report.id, f"{report.ref}: check-in answer (“were you contacted?”): *yes*")
    ]

    clock.advance(timedelta(days=11))
    run_once(services.jobs())
    assert "How well was your report" in twilio_api.created[-1]["Body"]
    answer = "Nobody followed up and my neighbor Dana Whitfield saw Officer Miller drive by twice"
    assert resident.text(answer) == [
        f"Thank you. We added this to your report {ref}. To report something new, text NEW."
    ]
    report_id, post = notifier.thread_posts[-1]
    assert report_id == report.id and "[NAME] saw Officer Miller" in post and "Dana" not in post
    with services.store.transaction() as session:
        row = session.get(Report, report.id)
    assert row is not None and row.redacted_text.endswith(
        "my neighbor [NAME] saw Officer Miller drive by twice"
    )
    states = [
        (c.kind, c.state, c.answer) for c in services.store.checkins.of_report(report.id or 0)
    ]
    assert states == [("contacted", "answered", "1"), ("satisfaction", "answered", "text")]


def test_no_consent_no_check_ins_and_stop_cancels(
    service: Services, clock: FixedClock, twilio_api: FakeTwilioAPI
) -> None:
    services = service
    without = _file(Resident(services, phone="+15558670001"), clock, consent="2")
    report = services.store.reports.by_ref(without)
    assert report is not None and services.store.checkins.of_report(report.id or 0) == []
    resident = Resident(services, phone="+15558670002")
    ref = _file(resident, clock, consent="1")
    assert resident.text("STOP") == [OPTED_OUT]
    consenting = services.store.reports.by_ref(ref)
    assert consenting is not None
    states = {c.state for c in services.store.checkins.of_report(consenting.id or 0)}
    assert states == {"cancelled"}
    clock.advance(timedelta(days=30))
    twilio_api.reset()
    run_once(services.jobs())
    assert twilio_api.created == []
