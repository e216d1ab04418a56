"""Malformed requests to the Slack endpoint, signed or not: a 4xx, no log of their content, and
nothing stored or sent (issue 13, finding 3)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import httpx
import pytest

from bot.slack.route import MAX_REQUEST_BYTES
from tests.slack import signing
from tests.support.asgi_body import CHUNK, post_endless
from tests.support.rows import stored_rows
from tests.support.slack_bench import MODERATOR, SECRET, Harness

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Marks the content of each request: none of it may reach a log line.
MARK = "Zq7SECRETWORDS"


def _post(bench: Harness, body: bytes, *, content_type: str, timestamp: str) -> httpx.Response:
    base = b"v0:" + timestamp.encode() + b":" + body
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest(),
    }
    return bench.http.post("/slack/events", content=body, headers=headers)


def _now() -> str:
    return str(int(time.time()))


def _action(**change: object) -> dict[str, object]:
    payload = signing.block_action(
        action_id="cpps_ack",
        value="1:oversight",
        user=MODERATOR,
        channel="C00000001",
        message_ts="1772460000.000100",
        response_url="https://hooks.slack.invalid/" + MARK,
    )
    return {**payload, **change}


def _view(**change: object) -> dict[str, object]:
    payload = signing.view_submission(
        callback_id="cpps_ask_submit",
        private_metadata="1:oversight",
        values={"text": signing.text_value(MARK)},
        user=MODERATOR,
    )
    return {**payload, **change}


def _interactive(payload: object) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


SIGNED_BODIES: dict[str, tuple[bytes, str]] = {
    "payload not json": (b"payload=%7Bnot+json+" + MARK.encode(), FORM),
    "payload a list": (_interactive([1, MARK]), FORM),
    "payload a string": (_interactive(MARK), FORM),
    "json a list": (json.dumps([1, MARK]).encode(), JSON),
    "json not json": (b"{" + MARK.encode(), JSON),
    "not utf-8": (b"\xff\xfe" + MARK.encode(), FORM),
    "no type": (_interactive({k: v for k, v in _action().items() if k != "type"}), FORM),
    "type not a string": (_interactive(_action(type=["block_actions"])), FORM),
    "empty actions": (_interactive(_action(actions=[])), FORM),
    "actions not a list": (_interactive(_action(actions=MARK)), FORM),
    "action without value": (_interactive(_action(actions=[{"action_id": "cpps_ack"}])), FORM),
    "button value not ours": (
        _interactive(_action(actions=[{"action_id": "cpps_ack", "value": MARK}])),
        FORM,
    ),
    "no user": (_interactive({k: v for k, v in _action().items() if k != "user"}), FORM),
    "view missing": (_interactive({k: v for k, v in _view().items() if k != "view"}), FORM),
    "view metadata not ours": (
        _interactive(_view(view={**_view()["view"], "private_metadata": MARK})),  # type: ignore[dict-item]
        FORM,
    ),
    "event missing": (
        json.dumps({"type": "event_callback", "event_id": "Ev0" + MARK}).encode(),
        JSON,
    ),
    "form without payload or command": (urlencode({"text": MARK}).encode(), FORM),
}


@pytest.mark.parametrize("name", list(SIGNED_BODIES))
def test_a_signed_malformed_body_is_refused(
    bench: Harness, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    caplog.set_level(logging.DEBUG)
    before = stored_rows(bench.store.engine)
    body, content_type = SIGNED_BODIES[name]
    response = _post(bench, body, content_type=content_type, timestamp=_now())
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert MARK not in response.text and MARK not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert stored_rows(bench.store.engine) == before
    assert bench.api.calls("chat.postMessage") == [] and bench.api.responses == []


@pytest.mark.parametrize("timestamp", ["abc", "1e3", "", " 17", "-1", "9" * 40, MARK])
def test_a_malformed_timestamp_is_refused_and_not_logged(
    bench: Harness, caplog: pytest.LogCaptureFixture, timestamp: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body = signing.event_body({"type": "message", "text": MARK}, event_id="Ev0TIMESTAMP")
    response = _post(bench, body.encode(), content_type=JSON, timestamp=timestamp)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert MARK not in caplog.text and MARK not in response.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert bench.dms == []


@pytest.mark.parametrize("declare_length", [True, False], ids=["declared", "chunked"])
def test_an_endless_body_is_not_read_past_the_limit(bench: Harness, declare_length: bool) -> None:
    """Issue 13, finding 6: refused on its declared length, or at the limit when streamed."""
    outcome = post_endless(
        bench.http.app, "/slack/events", declare_length=declare_length, content_type=JSON
    )
    assert outcome.status == 413
    assert outcome.chunks_read <= (1 if declare_length else MAX_REQUEST_BYTES // len(CHUNK) + 2)
