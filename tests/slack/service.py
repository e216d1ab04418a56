"""Driving the whole service from tests: signed Slack requests, clicks, modal submissions."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient

from flows.city import load_city_config
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack import signing
from tests.support.slack_bench import MODERATOR, channel_ids

SLACK_SECRET = "slack-test-secret"  # what tests.service_harness.make_settings configures


def eventually(check: Callable[[], Any], *, seconds: float = 10) -> Any:
    """Bolt works after its acknowledgement, on its own threads: wait for the effect."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.02)


def slack_post(client: TestClient, body: str, content_type: str) -> httpx.Response:
    payload, headers = signing.signed(SLACK_SECRET, body, content_type=content_type)
    return client.post("/slack/events", content=payload, headers=headers)


def click(
    client: TestClient,
    api: FakeSlackAPI,
    card: dict[str, Any],
    action: str,
    channel: str = "cpps-oversight",
) -> None:
    button = next(
        e
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action
    )
    payload = signing.block_action(
        action_id=action,
        value=button["value"],
        user=MODERATOR,
        channel=channel_ids(load_city_config())[channel],
        message_ts=card["ts"],
        response_url=api.response_url("action"),
    )
    response = slack_post(
        client, signing.interactive_body(payload), "application/x-www-form-urlencoded"
    )
    assert response.status_code == 200


def submit(client: TestClient, callback_id: str, metadata: str, text: str, view_id: str) -> None:
    payload = signing.view_submission(
        callback_id=callback_id,
        private_metadata=metadata,
        values={"text": signing.text_value(text)},
        user=MODERATOR,
        view_id=view_id,
    )
    response = slack_post(
        client, signing.interactive_body(payload), "application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
