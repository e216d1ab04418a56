"""`POST /slack/events`: the one endpoint for Slack's events, interactivity and slash commands.

The request is checked first (`bot.slack.wire`: signature, then the shape our listeners read), so
Bolt only dispatches what Slack sends. Bolt verifies and dispatches in a worker thread (its
listeners run on its own executor after the acknowledgement), so the event loop is never blocked
by database or Slack API calls.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool

from bot.request_body import read_body
from bot.slack.wire import Refusal, check_request

log = logging.getLogger(__name__)

# Slack's own payloads are far smaller; anything larger is not from Slack.
MAX_REQUEST_BYTES = 256 * 1024


def build_slack_router(*, app: App | None, signing_secret: str) -> APIRouter:
    """The endpoint; with no app (no SLACK_BOT_TOKEN) it answers 503 and does nothing."""
    router = APIRouter()
    verifier = SignatureVerifier(signing_secret)

    @router.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        if app is None:
            return _text(503, "Slack is not configured")
        raw = await read_body(request, limit=MAX_REQUEST_BYTES)
        if isinstance(raw, Response):
            return raw
        checked = check_request(verifier, raw=raw, headers=dict(request.headers))
        if isinstance(checked, Refusal):
            # The reason names a field, never the request's content.
            log.warning("refused a Slack request: %s", checked.reason)
            return _text(checked.status, checked.reason)
        bolt_request = BoltRequest(
            body=checked.body,
            query=str(request.url.query),
            headers={k: [v] for k, v in request.headers.items()},
        )
        bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        return Response(
            content=bolt_response.body,
            status_code=bolt_response.status,
            headers=bolt_response.first_headers_without_set_cookie(),
        )

    return router


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain")
