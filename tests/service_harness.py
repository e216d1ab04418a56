"""A running service for end-to-end tests: real app, real database, real NLP, fake vendor APIs.

`Resident` texts the app through FastAPI's TestClient with requests signed exactly as Twilio signs
them (the official `RequestValidator`), and reads the TwiML replies.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.chat import replies_of
from bot.settings import Settings
from bot.wiring import Services, build_services
from flows.clocks import FixedClock
from flows.handling.effect_prep import Analyser

PUBLIC_URL = "https://cpps.example.org"
AUTH_TOKEN = "twilio-test-auth-token"
ACCOUNT_SID = "AC" + "1" * 32
FROM_NUMBER = "+15550001111"


def make_settings(
    *, database_url: str, data_dir: Path, master_key: str, twilio_api_url: str = "", **extra: object
) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        cpps_data_dir=data_dir,
        public_base_url=PUBLIC_URL,
        twilio_account_sid=ACCOUNT_SID if twilio_api_url else "",
        twilio_auth_token=AUTH_TOKEN,  # type: ignore[arg-type]
        twilio_from_number=FROM_NUMBER,
        twilio_api_base_url=twilio_api_url,
        cpps_secret_keys=master_key,  # type: ignore[arg-type]
        slack_signing_secret="slack-test-secret",  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


_started: list[Services] = []


def start_service(
    *, settings: Settings, clock: FixedClock, analyser: Analyser
) -> tuple[Services, TestClient]:
    services = build_services(settings=settings, clock=clock, analyser=analyser)
    _started.append(services)
    return services, TestClient(create_app(services=services))


def stop_started_services() -> None:
    """Close the database pools of the services started so far (a test's end), so that a long
    run does not keep an idle PostgreSQL connection per test until the server refuses more."""
    while _started:
        services = _started.pop()
        services.background.drain(timeout=10)
        services.store.engine.dispose()


def settle(client: TestClient) -> None:
    """Wait for what the service does after replying (posting cards) to be done."""
    services = getattr(client.app.state, "services", None)  # type: ignore[attr-defined]
    if services is not None:
        assert services.background.drain(timeout=30), "background work did not finish"


def signed_form(
    form: dict[str, str], *, path: str = "/sms", token: str = AUTH_TOKEN
) -> dict[str, str]:
    return {
        "X-Twilio-Signature": RequestValidator(token).compute_signature(PUBLIC_URL + path, form)
    }


@dataclass
class Resident:
    client: TestClient
    phone: str = "+15558675309"
    sent: list[str] = field(default_factory=list)
    # Wait for the service's after-reply work (cards) before returning, as most tests want.
    settle_after: bool = True

    def form(self, body: str, *, sid: str | None = None, **extra: str) -> dict[str, str]:
        """The form Twilio posts for an inbound SMS (every parameter it always sends)."""
        message_sid = sid or "SM" + secrets.token_hex(16)
        return {
            "ToCountry": "US",
            "SmsMessageSid": message_sid,
            "NumMedia": "0",
            "SmsSid": message_sid,
            "SmsStatus": "received",
            "Body": body,
            "To": FROM_NUMBER,
            "NumSegments": "1",
            "MessageSid": message_sid,
            "AccountSid": ACCOUNT_SID,
            "From": self.phone,
            "ApiVersion": "2010-04-01",
            **extra,
        }

    def text(self, body: str, *, sid: str | None = None, **extra: str) -> list[str]:
        form = self.form(body, sid=sid, **extra)
        response = self.client.post("/sms", data=form, headers=signed_form(form))
        if self.settle_after:
            settle(self.client)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/xml")
        self.sent.append(body)
        return replies_of(response.text)
