"""`POST /slack/events`: the one endpoint for Slack's events, interactivity and slash commands.

Bolt verifies and dispatches in a worker thread (its listeners run on its own executor after
the acknowledgement), so the event loop is never blocked by database or Slack API calls.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from slack_bolt import App, BoltRequest
from starlette.concurrency import run_in_threadpool

# Slack's own payloads are far smaller; anything larger is not from Slack.
MAX_REQUEST_BYTES = 256 * 1024


def build_slack_router(*, app: App | None) -> APIRouter:
    """The endpoint; with no app (no SLACK_BOT_TOKEN) it answers 503 and does nothing."""
    router = APIRouter()

    @router.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        if app is None:
            return Response("Slack is not configured\n", status_code=503, media_type="text/plain")
        raw = await request.body()
        if len(raw) > MAX_REQUEST_BYTES:
            return Response("request too large\n", status_code=413, media_type="text/plain")
        bolt_request = BoltRequest(
            body=raw.decode("utf-8", errors="replace"),
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
