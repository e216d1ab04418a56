"""Fixtures of the SMS tests: the fake Twilio API and the service on either database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.wiring import Services
from flows.clocks import FixedClock
from flows.handling.effect_prep import Analyser
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.service_harness import ACCOUNT_SID, AUTH_TOKEN, make_settings, start_service


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioAPI]:
    with FakeTwilioAPI(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as api:
        yield api


@pytest.fixture
def settings_kwargs(
    database_url: str, tmp_path: Path, master_key: str, twilio_api: FakeTwilioAPI
) -> dict[str, object]:
    return {
        "database_url": database_url,
        "data_dir": tmp_path,
        "master_key": master_key,
        "twilio_api_url": twilio_api.base_url,
    }


@pytest.fixture
def service(
    settings_kwargs: dict[str, object], clock: FixedClock, analyser: Analyser
) -> tuple[Services, TestClient]:
    """The whole service with the shipped NLP, Twilio faked over HTTP."""
    return start_service(
        settings=make_settings(**settings_kwargs),  # type: ignore[arg-type]
        clock=clock,
        analyser=analyser,
    )
