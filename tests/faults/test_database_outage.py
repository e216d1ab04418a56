"""The database unreachable for a while under the running service (issue #13).

The real service (build_services + create_app, the real webhook signed as Twilio signs) runs on
a PostgreSQL database of this test's own. Mid-intake the database stops taking connections (no
new ones allowed, the service's open ones terminated), as a failover or restart does. While it
is down the webhook must fail closed (a 5xx, so Twilio delivers the text again) and `/healthz`
say 503; once it is back the same retried request is accepted once and answered, a further
retry gets the same answer without a second stored text, and the intake finishes with nothing
half-written left behind.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.app import create_app
from bot.chat import replies_of
from flows.city import load_city_config
from flows.clocks import FixedClock
from flows.models import InboundMessage, OutboundMessage, Report
from flows.statuses import InboundState
from flows.store import make_engine
from flows.store.db import upgrade
from tests.service_harness import Resident, make_settings, settle, signed_form, start_service
from tests.support.analyser import KeywordAnalyser
from tests.support.databases import POSTGRES_URL
from tests.support.sms_replies import ASK_ANONYMITY, ASK_CONSENT, ASK_PLACE, ASK_WHEN, FILED

REF_TEXT = "An officer pushed me to the ground at the bus stop on Cedar Street, badge 4471."


@pytest.fixture
def own_database() -> Iterator[tuple[str, str]]:
    """(name, URL) of a fresh, migrated PostgreSQL database only this test uses."""
    name = f"cpps_fault_{secrets.token_hex(4)}"
    admin = make_engine(POSTGRES_URL, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield name, url
    finally:
        _allow(admin, name, allowed=True)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.engine.dispose()


def _allow(admin: Engine, name: str, *, allowed: bool) -> None:
    """Let connections into the database, or refuse new ones and end the open ones."""
    with admin.connect() as connection:
        connection.execute(
            text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}')
        )
        if not allowed:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )


def test_database_down_mid_intake_fails_closed_then_answers_the_retry_once(
    own_database: tuple[str, str], tmp_path: Path, master_key: str, clock: FixedClock
) -> None:
    name, url = own_database
    services, _ = start_service(
        settings=make_settings(database_url=url, data_dir=tmp_path, master_key=master_key),
        clock=clock,
        analyser=KeywordAnalyser(city=load_city_config()),
    )
    # A server error is an answer here (what Twilio sees), not an exception in the test.
    client = TestClient(create_app(services=services), raise_server_exceptions=False)
    resident = Resident(client)
    resident.text("hi")
    clock.advance(timedelta(minutes=3))
    assert resident.text(REF_TEXT)[0].startswith(ASK_ANONYMITY)

    admin = make_engine(POSTGRES_URL, pool_size=1).execution_options(isolation_level="AUTOCOMMIT")
    try:
        _allow(admin, name, allowed=False)
        clock.advance(timedelta(minutes=3))
        form = resident.form("1")  # one delivery, retried by Twilio with the same MessageSid
        for _ in range(3):  # Twilio's retries while the database is down
            down = client.post("/sms", data=form, headers=signed_form(form))
            assert down.status_code >= 500, (down.status_code, down.text)
            assert "<Message>" not in down.text
        health = client.get("/healthz")
        assert health.status_code == 503, health.text
    finally:
        _allow(admin, name, allowed=True)
        admin.engine.dispose()

    assert client.get("/healthz").status_code == 200
    answered = client.post("/sms", data=form, headers=signed_form(form))
    settle(client)
    assert answered.status_code == 200, answered.text
    first = replies_of(answered.text)
    assert first and first[0].startswith(ASK_PLACE), first
    again = client.post("/sms", data=form, headers=signed_form(form))
    assert again.status_code == 200 and replies_of(again.text) == first  # the stored reply

    # The intake goes on and finishes.
    for body, opening in [
        ("Cedar Street by Millbrook Park", ASK_WHEN),
        ("last friday around 6pm", ASK_CONSENT),
        ("1", FILED),
    ]:
        clock.advance(timedelta(minutes=3))
        assert resident.text(body)[0].startswith(opening), body

    with services.store.transaction() as session:
        stored = session.exec(
            select(InboundMessage).where(col(InboundMessage.provider_id) == form["MessageSid"])
        ).all()
        assert len(stored) == 1  # accepted once, whatever the retries
        inbound = session.exec(select(InboundMessage)).all()
        assert len(inbound) == 6
        assert {m.state for m in inbound} == {InboundState.ANSWERED}  # nothing left half-done
        assert len(session.exec(select(Report)).all()) == 1
        assert session.exec(select(OutboundMessage)).all() == []  # all went back as TwiML
