"""`cpps chat` signs like Twilio: its requests are accepted by the real webhook."""

from __future__ import annotations

from pathlib import Path

from bot.chat import replies_of, signed_sms_request
from flows.clocks import FixedClock
from flows.handling.effect_prep import Analyser
from tests.service_harness import (
    AUTH_TOKEN,
    FROM_NUMBER,
    PUBLIC_URL,
    make_settings,
    start_service,
)


def test_chat_requests_are_accepted_and_replies_read(
    database_url: str, tmp_path: Path, master_key: str, clock: FixedClock, analyser: Analyser
) -> None:
    settings = make_settings(database_url=database_url, data_dir=tmp_path, master_key=master_key)
    _, client = start_service(settings=settings, clock=clock, analyser=analyser)
    form, headers = signed_sms_request(
        public_base_url=PUBLIC_URL,
        auth_token=AUTH_TOKEN,
        phone="+15555550100",
        to=FROM_NUMBER,
        body="hello",
    )
    response = client.post("/sms", data=form, headers=headers)
    assert response.status_code == 200
    [welcome] = replies_of(response.text)
    assert "911" in welcome
    form, headers = signed_sms_request(
        public_base_url=PUBLIC_URL,
        auth_token="wrong",
        phone="+15555550100",
        to=FROM_NUMBER,
        body="hello",
    )
    assert client.post("/sms", data=form, headers=headers).status_code == 403
