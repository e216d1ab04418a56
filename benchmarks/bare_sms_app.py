"""A bare webhook: validate Twilio's signature, return static TwiML. The persisting floor of
benchmarks/sms_webhook.py (`persisting_sms_app.py`) is this plus what keeping a message costs."""

from __future__ import annotations

import os
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response
from twilio.request_validator import RequestValidator

app = FastAPI()
_validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
_PUBLIC = os.environ["PUBLIC_BASE_URL"]
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks.</Message></Response>'


def refused() -> Response:
    return Response("invalid signature", status_code=403)


async def signed_params(request: Request) -> dict[str, str] | None:
    """The form of a request Twilio signed (checked as the service checks it), else None."""
    params = dict(parse_qsl((await request.body()).decode()))
    signature = request.headers.get("x-twilio-signature", "")
    return params if _validator.validate(_PUBLIC + "/sms", params, signature) else None


@app.post("/sms")
async def sms(request: Request) -> Response:
    if await signed_params(request) is None:
        return refused()
    return Response(TWIML, media_type="application/xml")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
