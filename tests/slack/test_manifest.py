"""The shipped manifest declares exactly what the app uses: one endpoint, the command, the
event and a scope for every Web API method the bot calls."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "slack" / "manifest.yaml"
# The scopes each Web API method the bot calls needs (Slack's method reference).
SCOPES_OF_METHOD = {
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "views.open": set(),
    "conversations.open": {"im:write"},
    "users.conversations": {"channels:read", "groups:read"},
    "conversations.history": {"channels:history", "groups:history"},
}


def _called_methods() -> set[str]:
    """The Web API methods bot/slack/gateway.py calls (the one place that calls Slack)."""
    tree = ast.parse((REPO / "bot" / "slack" / "gateway.py").read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "_call"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def test_every_url_is_the_one_endpoint() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    settings = manifest["settings"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(c["url"] for c in manifest["features"]["slash_commands"]),
    ]
    assert urls and set(urls) == {"https://YOUR-HOST/slack/events"}
    assert settings["interactivity"]["is_enabled"] is True


def test_the_command_and_event_are_declared() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/cpps"]
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["message.im"]
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_every_method_called_has_its_scope() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    called = _called_methods()
    assert called == set(SCOPES_OF_METHOD)
    needed = set().union(*(SCOPES_OF_METHOD[m] for m in called)) | {"commands", "im:history"}
    assert needed <= scopes
    # Nothing more than what is used (plus posting to public channels without joining them).
    assert scopes - needed == {"chat:write.public"}
