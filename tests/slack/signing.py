"""Requests signed the way Slack signs them (v0 HMAC-SHA256 over `v0:{timestamp}:{body}`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode


def signature(secret: str, timestamp: int, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed(
    secret: str, body: str, *, content_type: str, age_seconds: int = 0, retry_num: int | None = None
) -> tuple[str, dict[str, str]]:
    timestamp = int(time.time()) - age_seconds
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature(secret, timestamp, body),
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return body, headers


def event_body(event: dict[str, Any], *, event_id: str, team: str = "T0RIVERTN") -> str:
    return json.dumps(
        {
            "token": "legacy-unused",
            "team_id": team,
            "api_app_id": "A0CPPS",
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UBOTCPPS1", "is_bot": True}],
        }
    )


def interactive_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def block_action(
    *,
    action_id: str,
    value: str,
    user: str,
    channel: str,
    message_ts: str,
    response_url: str,
    trigger_id: str = "1234.5678.trigger",
    team: str = "T0RIVERTN",
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": "riverton"},
        "user": {"id": user, "username": "moderator", "team_id": team},
        "api_app_id": "A0CPPS",
        "trigger_id": trigger_id,
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
        "channel": {"id": channel, "name": "channel"},
        "message": {"ts": message_ts, "type": "message"},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "cpps_card",
                "value": value,
                "action_ts": "1772460000.1",
            }
        ],
    }


def view_submission(
    *,
    callback_id: str,
    private_metadata: str,
    values: dict[str, dict[str, Any]],
    user: str,
    view_id: str = "V000SUBMIT",
    team: str = "T0RIVERTN",
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "riverton"},
        "user": {"id": user, "username": "moderator", "team_id": team},
        "api_app_id": "A0CPPS",
        "trigger_id": "1234.5678.submit",
        "view": {
            "id": view_id,
            "team_id": team,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": values},
        },
    }


def text_value(text: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": text}}


def select_value(value: str) -> dict[str, Any]:
    return {
        "value": {
            "type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
        }
    }


def command_body(
    *,
    text: str,
    user: str,
    channel_id: str,
    channel_name: str,
    response_url: str,
    trigger_id: str | None = None,
) -> str:
    """A slash command; each invocation has its own trigger id, as in Slack."""
    return urlencode(
        {
            "token": "legacy-unused",
            "team_id": "T0RIVERTN",
            "team_domain": "riverton",
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": "moderator",
            "command": "/cpps",
            "text": text,
            "api_app_id": "A0CPPS",
            "response_url": response_url,
            "trigger_id": trigger_id or f"1234.5678.{secrets.token_hex(8)}",
        }
    )
