"""A local fake of Slack's Web API: a real HTTP server answering in Slack's JSON.

The official `slack_sdk.WebClient` reaches it through `SLACK_API_URL` (`{base_url}/api/`). It
records every request (method, parameters and the raw bytes, for privacy scans), keeps the
messages posted per channel with their threads and message metadata, and can be told to fail the
next calls of a method (429 with Retry-After, 5xx, or a Slack error such as `channel_not_found`)
or to carry them out but answer too late. `conversations.history` reads a channel the bot is in
(by ID), newest first, with cursors, and with each message's metadata if `include_all_metadata`.
Message timestamps follow the clock it is given (the test's), as Slack's follow real time. It
also serves `response_url`s (`{base_url}/respond/...`) and records what is sent to them.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT_USER = "UBOTCPPS1"
TEAM = "T0RIVERTN"


@dataclass(frozen=True)
class SlackCall:
    method: str
    params: dict[str, Any]
    raw: str  # query string + body exactly as received


@dataclass
class Failure:
    status: int
    error: str
    retry_after: int | None = None


@dataclass
class FakeSlackState:
    token: str
    channels: dict[str, str]  # name → ID
    calls: list[SlackCall] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    # channel ID → messages: {"ts", "text", "blocks", "thread_ts", "metadata"}
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    views: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    memberships: dict[str, list[str]] = field(default_factory=dict)  # user → channel IDs
    # Channel IDs the bot was removed from (it is in every channel otherwise).
    bot_left: set[str] = field(default_factory=set)
    # method → an event the server waits for before answering (to hold a call in flight)
    holds: dict[str, threading.Event] = field(default_factory=dict)
    # method → delays: the next calls are carried out, but answered only after the delay
    slow: dict[str, list[float]] = field(default_factory=dict)
    # method → how many of the next calls are carried out, then the connection is dropped unanswered
    hang_ups: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeSlackAPI:
    def __init__(
        self,
        *,
        token: str,
        channels: dict[str, str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.state = FakeSlackState(token=token, channels=dict(channels))
        state = self.state
        ts_counter = itertools.count(1)

        def new_ts() -> str:
            # Seconds from the clock, then a counter: unique, and ordered as they were made.
            return f"{int(clock().timestamp())}.{next(ts_counter):06d}"

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._handle(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self._handle(self.rfile.read(length))

            def _handle(self, body: bytes) -> None:
                url = urlsplit(self.path)
                text = body.decode("utf-8")
                params: dict[str, Any] = {
                    k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()
                }
                content_type = self.headers.get("Content-Type", "")
                if text and "json" in content_type:
                    params.update(json.loads(text))
                elif text:
                    params.update(
                        {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
                    )
                if url.path.startswith("/respond/"):
                    with state.lock:
                        state.responses.append(params)
                        state.calls.append(SlackCall("response_url", params, url.query + text))
                    self._send(200, {"ok": True}, {})
                    return
                method = url.path.removeprefix("/api/")
                hold = state.holds.get(method)
                if hold is not None:
                    hold.wait(timeout=10)
                with state.lock:
                    state.calls.append(SlackCall(method, params, url.query + text))
                    queue = state.failures.get(method) or []
                    failure = queue.pop(0) if queue else None
                if self.headers.get("Authorization") != f"Bearer {state.token}":
                    self._send(200, {"ok": False, "error": "invalid_auth"}, {})
                    return
                if failure is not None:
                    headers = (
                        {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
                    )
                    self._send(failure.status, {"ok": False, "error": failure.error}, headers)
                    return
                try:
                    payload = self._answer(method, params)
                except _SlackError as exc:
                    self._send(200, {"ok": False, "error": exc.code}, {})
                    return
                with state.lock:
                    delays = state.slow.get(method) or []
                    delay = delays.pop(0) if delays else 0.0
                    hang_up = state.hang_ups.get(method, 0) > 0
                    if hang_up:
                        state.hang_ups[method] -= 1
                if hang_up:  # done, but the connection drops before the answer
                    self.close_connection = True
                    return
                if delay:
                    time.sleep(delay)  # done, but the answer comes late (or never, for the client)
                    with contextlib.suppress(OSError):  # the client may have hung up
                        self._send(200, {"ok": True, **payload}, {})
                    return
                self._send(200, {"ok": True, **payload}, {})

            def _channel_id(self, channel: str) -> str:
                name = channel.lstrip("#")
                if name in state.channels:
                    return state.channels[name]
                if name in state.channels.values() or name.startswith("D"):
                    return name
                if name.startswith("U"):  # posting to a user: the app's DM with them
                    return _dm_id(name)
                raise _SlackError("channel_not_found")

            def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
                if method == "auth.test":
                    return {
                        "url": "https://riverton.slack.test/",
                        "team": "Riverton",
                        "user": "cpps",
                        "team_id": TEAM,
                        "user_id": BOT_USER,
                        "bot_id": "BCPPS0001",
                        "is_enterprise_install": False,
                    }
                if method == "chat.postMessage":
                    channel = self._channel_id(str(params.get("channel", "")))
                    metadata = _metadata(params.get("metadata"))
                    ts = new_ts()
                    message = {
                        "ts": ts,
                        "text": params.get("text", ""),
                        "blocks": _json(params.get("blocks")),
                        "thread_ts": params.get("thread_ts"),
                        "metadata": metadata,
                    }
                    with state.lock:
                        state.messages.setdefault(channel, []).append(message)
                    return {"channel": channel, "ts": ts, "message": _wire(message, True)}
                if method == "conversations.history":
                    return self._history(params)
                if method == "chat.update":
                    channel = str(params.get("channel", ""))
                    with state.lock:
                        for message in state.messages.get(channel, []):
                            if message["ts"] == params.get("ts"):
                                message["text"] = params.get("text", "")
                                message["blocks"] = _json(params.get("blocks"))
                                return {"channel": channel, "ts": message["ts"]}
                    raise _SlackError("message_not_found")
                if method == "views.open":
                    if not params.get("trigger_id"):
                        raise _SlackError("invalid_trigger_id")
                    view = _json(params.get("view")) or {}
                    with state.lock:
                        state.views.append(view)
                        view_id = f"V{len(state.views):08d}"
                    return {"view": {**view, "id": view_id}}
                if method == "conversations.open":
                    return {"channel": {"id": _dm_id(str(params.get("users", "")))}}
                if method == "users.conversations":
                    user = str(params.get("user", ""))
                    if user:
                        ids = state.memberships.get(user, [])
                    else:  # the caller's own: the bot's
                        ids = [i for i in state.channels.values() if i not in state.bot_left]
                    names = {v: k for k, v in state.channels.items()}
                    return {
                        "channels": [{"id": i, "name": names.get(i, "")} for i in ids],
                        "response_metadata": {"next_cursor": ""},
                    }
                if method == "chat.postEphemeral":
                    return {"message_ts": new_ts()}
                raise _SlackError("unknown_method")

            def _history(self, params: dict[str, Any]) -> dict[str, Any]:
                """Top-level messages (not thread replies) of a channel the bot is in, newest
                first, between `oldest` and `latest` (exclusive unless `inclusive`)."""
                channel = str(params.get("channel", ""))
                if channel not in state.channels.values():
                    raise _SlackError("channel_not_found")  # IDs only, no names
                if channel in state.bot_left:
                    raise _SlackError("not_in_channel")
                inclusive = _flag(params.get("inclusive"))
                oldest = float(params.get("oldest") or 0)
                latest = float(params.get("latest") or "inf")
                limit = min(int(params.get("limit") or 100), 999)
                start = int(str(params.get("cursor") or "0").removeprefix("next_ts:") or 0)
                with_metadata = _flag(params.get("include_all_metadata"))
                with state.lock:
                    found = [
                        _wire(m, with_metadata)
                        for m in state.messages.get(channel, [])
                        if m.get("thread_ts") in (None, m["ts"])
                        and (oldest <= float(m["ts"]) if inclusive else oldest < float(m["ts"]))
                        and (float(m["ts"]) <= latest if inclusive else float(m["ts"]) < latest)
                    ]
                found.sort(key=lambda m: float(m["ts"]), reverse=True)
                page = found[start : start + limit]
                more = start + limit < len(found)
                return {
                    "messages": page,
                    "has_more": more,
                    "pin_count": 0,
                    "response_metadata": {
                        "next_cursor": f"next_ts:{start + limit}" if more else ""
                    },
                }

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- for tests ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.base_url}/respond/{name}"

    def calls(self, method: str | None = None) -> list[SlackCall]:
        with self.state.lock:
            return [c for c in self.state.calls if method is None or c.method == method]

    def messages(self, channel_name: str) -> list[dict[str, Any]]:
        channel = self.state.channels.get(channel_name, channel_name)
        with self.state.lock:
            return [dict(m) for m in self.state.messages.get(channel, [])]

    def cards(self, channel_name: str) -> list[dict[str, Any]]:
        return [m for m in self.messages(channel_name) if not m.get("thread_ts")]

    def thread(self, channel_name: str, ts: str) -> list[dict[str, Any]]:
        return [m for m in self.messages(channel_name) if m.get("thread_ts") == ts]

    def dm_channel(self, user: str) -> str:
        """The ID of the DM channel `conversations.open` gives for `user`."""
        return _dm_id(user)

    def dm_messages(self, user: str) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(m) for m in self.state.messages.get(_dm_id(user), [])]

    @property
    def views(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.views)

    @property
    def responses(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.responses)

    def raw_payloads(self) -> list[str]:
        """Every request as received, for scanning (response_url posts included)."""
        with self.state.lock:
            return [c.raw for c in self.state.calls]

    def fail_next(
        self, method: str, *, status: int = 200, error: str, retry_after: int | None = None
    ) -> None:
        with self.state.lock:
            self.state.failures.setdefault(method, []).append(Failure(status, error, retry_after))

    def answer_slowly(self, method: str, *seconds: float) -> None:
        """Carry out each of the next calls of `method`, but answer only after this many
        seconds (past the client's timeout: Slack did it, the caller never heard)."""
        with self.state.lock:
            self.state.slow.setdefault(method, []).extend(seconds)

    def hang_up(self, method: str, times: int = 1) -> None:
        """Carry out the next calls of `method`, then close the connection without answering
        (the client sees the remote end disconnect: Slack did it, the caller never heard)."""
        with self.state.lock:
            self.state.hang_ups[method] = self.state.hang_ups.get(method, 0) + times

    def hold(self, method: str) -> threading.Event:
        """Keep calls of `method` waiting until the returned event is set."""
        event = threading.Event()
        self.state.holds[method] = event
        return event

    def remove_bot(self, channel_name: str) -> None:
        """The bot leaves a channel (or was never invited): it can no longer read it."""
        with self.state.lock:
            self.state.bot_left.add(self.state.channels[channel_name])

    def set_member(self, user: str, *channel_names: str) -> None:
        with self.state.lock:
            self.state.memberships[user] = [self.state.channels[n] for n in channel_names]

    def __enter__(self) -> FakeSlackAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _SlackError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _dm_id(user: str) -> str:
    return "D" + hashlib.sha256(user.encode()).hexdigest()[:10].upper()


def _flag(value: Any) -> bool:
    """A boolean argument as it arrives: `1`/`true` in a query or form, true in JSON."""
    return value is True or str(value).lower() in ("1", "true")


def _metadata(value: Any) -> dict[str, Any] | None:
    """Message metadata as chat.postMessage takes it (an object in JSON, a JSON string in a
    form): an `event_type` and an `event_payload` object."""
    if value is None or value == "":
        return None
    metadata = _json(value)
    if not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise _SlackError("invalid_metadata_format")
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}


def _wire(message: dict[str, Any], with_metadata: bool) -> dict[str, Any]:
    """A stored message as the Web API shows it: posted by the bot; metadata if asked for."""
    shown: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER,
        "bot_id": "BCPPS0001",
        "text": message["text"],
        "ts": message["ts"],
    }
    if message.get("blocks"):
        shown["blocks"] = message["blocks"]
    if message.get("thread_ts"):
        shown["thread_ts"] = message["thread_ts"]
    if with_metadata and message.get("metadata"):
        shown["metadata"] = message["metadata"]
    return shown


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
