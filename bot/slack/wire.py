"""What Slack sends to `POST /slack/events`, checked before Bolt sees it.

Bolt trusts the shape of what it dispatches: a timestamp header that is not an integer, a body
that is not UTF-8, a `payload` that is not a JSON object, a button click without its action or a
modal submission without its view each ended in a 500 (and Bolt echoed the bad header into an
ERROR line). Here every request is checked in two steps: the signature (headers of Slack's shape,
within five minutes, HMAC over the UTF-8 body), then the body (the fields our listeners read, of
the types they expect). A refusal is a 4xx whose reason names a field, never a value.

Bolt also reads fields of every body before any listener runs (`build_context`, the
`IgnoringSelfEvents` middleware): `event` as an object, `enterprise`/`team`/`user`/`channel` as an
id or an object, `authorizations` as a list of objects, and `response_url` is what `respond()`
posts to. Those are checked on every body, whatever its type (`_bolt_refusal`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

from bot.slack.modals import METADATA

_TIMESTAMP = re.compile(r"\A[0-9]{1,12}\Z")
_SIGNATURE = re.compile(r"\Av0=[0-9a-f]{64}\Z")
# Slack's event ids ("Ev0PV52K25"): the id is stored to take each delivery once, and text that
# is not one (a NUL, which PostgreSQL refuses in text) must not reach the database.
_EVENT_ID = re.compile(r"\AEv[0-9A-Za-z]{1,62}\Z")
# Read by Bolt as an id or an object holding one (`"id" in value`, then `value.get("id")`).
_ID_OR_OBJECT = ("enterprise", "team", "user", "channel")
# Objects Bolt looks into for those ids (`event` without a type check: it must be one).
_OBJECTS = ("event", "view")
_OPTIONAL_OBJECTS = ("message", "previous_message", "item", "assistant_thread")
# Interactions of Slack's legacy (attachment, dialog, steps) kinds: their `callback_id` is matched
# by `app.action(...)` against our action ids, so a listener written for `block_actions` would run
# on a body of another shape. The app sends none of them.
_LEGACY_INTERACTIONS = frozenset(
    ("interactive_message", "dialog_submission", "dialog_cancellation", "workflow_step_edit")
)
_MAX_DEPTH = 4
_RESPONSE_URL = re.compile(r"\Ahttps?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?\Z")
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


@dataclass(frozen=True)
class SlackRequest:
    """A signed request whose body has the shape our listeners read."""

    body: str


def check_request(
    verifier: SignatureVerifier, *, raw: bytes, headers: dict[str, str]
) -> SlackRequest | Refusal:
    """The request as text once its signature and shape are Slack's, or why it is refused."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not _TIMESTAMP.match(timestamp) or not _SIGNATURE.match(signature):
        return Refusal(401, "missing or malformed signature headers")
    try:
        body = raw.decode("utf-8")  # Slack sends UTF-8; the verifier reads text
    except UnicodeDecodeError:
        return Refusal(400, "body is not UTF-8")
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        return Refusal(401, "invalid or expired signature")
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == JSON:
        reason = _json_refusal(body)
    elif content_type == FORM:
        reason = _form_refusal(body)
    else:
        return Refusal(415, "expected JSON or a form")
    return Refusal(400, reason) if reason is not None else SlackRequest(body=body)


def _json_refusal(body: str) -> str | None:
    """Events API: an object with a type; an event callback carries its event and id."""
    envelope = _object(body)
    if envelope is None or not isinstance(envelope.get("type"), str):
        return "expected a JSON object with a type"
    if envelope["type"] == "event_callback" and not (
        isinstance(envelope.get("event"), dict)
        and isinstance(envelope.get("event_id"), str)
        and _EVENT_ID.match(envelope["event_id"])
    ):
        return "an event callback needs its event and event_id"
    return _bolt_refusal(envelope)


def _form_refusal(body: str) -> str | None:
    """Interactivity (`payload=` JSON) or a slash command (its fields, form-encoded)."""
    try:
        fields = parse_qs(body, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return "malformed form"
    if any(len(values) > 1 for values in fields.values()):
        return "a form field is repeated"
    if "payload" in fields:
        payload = _object(fields["payload"][0])
        if payload is None or not isinstance(payload.get("type"), str):
            return "payload is not a JSON object with a type"
        return _payload_refusal(payload)
    if "ssl_check" in fields:
        return None  # Slack's check of the command URL's certificate (Bolt answers it)
    if not all(fields.get(name, [""])[0] for name in ("command", "user_id", "trigger_id")):
        return "neither an interaction payload nor a slash command"
    if "response_url" in fields and not _url(fields["response_url"][0]):
        return "response_url is not a URL"
    return None


def _payload_refusal(payload: dict[str, Any]) -> str | None:
    if not isinstance(_get(payload, "user", "id"), str):
        return "payload has no user"
    if payload["type"] in _LEGACY_INTERACTIONS:
        return "a legacy interaction type"
    shape = _bolt_refusal(payload)
    if shape is not None:
        return shape
    if payload["type"] == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
            return "block_actions without actions"
        action = actions[0]
        if not isinstance(action.get("action_id"), str) or not _metadata(action.get("value")):
            return "an action without its action_id or value"
        if not isinstance(payload.get("trigger_id"), str):
            return "block_actions without trigger_id"
    if payload["type"] == "view_submission":
        view = payload.get("view")
        # The view id is the submission's identity (a relay is sent once per view).
        if not isinstance(view, dict) or not all(
            isinstance(view.get(name), str) and view[name] for name in ("id", "callback_id")
        ):
            return "view_submission without its view"
        if not _metadata(view.get("private_metadata")) or not isinstance(view.get("state"), dict):
            return "view_submission without its metadata or state"
    return None


def _bolt_refusal(body: dict[str, Any], *, depth: int = 0) -> str | None:
    """Why Bolt would fail on `body` (or an object it looks into) before any listener runs."""
    for name in _ID_OR_OBJECT:
        if body.get(name) is not None and not isinstance(body[name], str | dict):
            return f"{name} is neither an id nor an object"
    authorizations = body.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations is not a list of objects"
    inner = [body[name] for name in _OPTIONAL_OBJECTS if body.get(name) is not None]
    inner += [body[name] for name in _OBJECTS if name in body]
    if not all(isinstance(value, dict) for value in inner):
        return "an object field is not an object"
    if "response_url" in body and not _url(body["response_url"]):
        return "response_url is not a URL"
    urls = body.get("response_urls")
    if urls is not None and not (
        isinstance(urls, list)
        and all(isinstance(u, dict) and _url(u.get("response_url")) for u in urls)
    ):
        return "response_urls is not a list of URLs"
    if inner and depth >= _MAX_DEPTH:
        # Bolt recurses through these (an event's message's message...) and would exhaust the
        # stack; Slack's deepest is an event's message.
        return "objects nested too deep"
    for value in [*inner, *(authorizations or [])[:1]]:
        reason = _bolt_refusal(value, depth=depth + 1)
        if reason is not None:
            return reason
    return None


def _url(value: object) -> bool:
    """Slack's response URLs are https://hooks.slack.com/actions/...; plain http is allowed for
    the local fakes the tests answer on. Anything else (not text, no scheme, a space) made
    `respond()` raise with the value in its message."""
    return isinstance(value, str) and _RESPONSE_URL.match(value) is not None


def _metadata(value: object) -> bool:
    return isinstance(value, str) and METADATA.match(value) is not None


def _object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: arrays nested past Python's limit
        return None
    return value if isinstance(value, dict) else None


def _get(payload: dict[str, Any], *path: str) -> object:
    value: object = payload
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
