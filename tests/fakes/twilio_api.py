"""A local fake of Twilio's REST API: a real HTTP server answering in Twilio's JSON.

The official `twilio.rest.Client` reaches it through `TWILIO_API_BASE_URL`. It records every
message create request, lists a recipient's messages (newest first, as Twilio's Message list
does), and can be told to fail the next requests with a status code or to create the next
message and answer only after a delay (a timeout after Twilio accepted it).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


@dataclass
class FakeTwilioState:
    account_sid: str
    auth_token: str
    created: list[dict[str, str]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    slow_next: list[float] = field(default_factory=list)
    requests: int = 0
    retry_after: int = 1  # seconds, in the Retry-After of a 429
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 refuses connections from a concurrent sender; Twilio does not.
    request_queue_size = 128
    daemon_threads = True


def _resource(account_sid: str, message: dict[str, str]) -> dict[str, object]:
    """A created message as Twilio's API returns it."""
    sid = message["Sid"]
    return {
        "sid": sid,
        "account_sid": account_sid,
        "to": message["To"],
        "from": message.get("From"),
        "messaging_service_sid": message.get("MessagingServiceSid"),
        "body": message["Body"],
        "status": "queued",
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "price": None,
        "error_code": None,
        "error_message": None,
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        "date_created": message["DateCreated"],
        "date_updated": message["DateCreated"],
        "date_sent": None,
        "num_media": "0",
        "subresource_uris": {},
    }


class FakeTwilioAPI:
    def __init__(self, *, account_sid: str, auth_token: str) -> None:
        self.state = FakeTwilioState(account_sid=account_sid, auth_token=auth_token)
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as Twilio's API speaks it: the client reuses its connections.
            protocol_version = "HTTP/1.1"
            # One write per response, sent at once: no Nagle/delayed-ACK stalls on keep-alive.
            wbufsize = -1
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def _json(
                self, status: int, payload: dict[str, object], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _failure(self, status: int) -> None:
                """An error as Twilio answers it; a rate limit (20429) says when to come back."""
                if status == 429:
                    payload: dict[str, object] = {
                        "code": 20429,
                        "message": "Too Many Requests",
                        "more_info": "https://www.twilio.com/docs/errors/20429",
                        "status": 429,
                    }
                    self._json(429, payload, {"Retry-After": str(state.retry_after)})
                    return
                self._json(
                    status, {"code": 20500, "message": "Internal Server Error", "status": status}
                )

            def _authorised(self) -> bool:
                """Our account's credentials, on our account's Messages resource."""
                expected = (
                    "Basic "
                    + base64.b64encode(f"{state.account_sid}:{state.auth_token}".encode()).decode()
                )
                if self.headers.get("Authorization") != expected:
                    self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                    return False
                match = _MESSAGES_PATH.match(self.path.split("?", 1)[0])
                if match is None or match.group("sid") != state.account_sid:
                    self._json(404, {"code": 20404, "message": "Not found", "status": 404})
                    return False
                return True

            def do_GET(self) -> None:
                with state.lock:
                    state.requests += 1
                    failure = state.fail_next.pop(0) if state.fail_next else None
                if not self._authorised():
                    return
                if failure is not None:
                    self._failure(failure)
                    return
                query = parse_qs(urlsplit(self.path).query)
                to = query.get("To", [None])[0]
                size = int(query.get("PageSize", ["50"])[0])
                with state.lock:
                    mine = [m for m in reversed(state.created) if to is None or m["To"] == to]
                path = self.path.split("?", 1)[0]
                self._json(
                    200,
                    {
                        "messages": [_resource(state.account_sid, m) for m in mine[:size]],
                        "uri": path,
                        "first_page_uri": path,
                        "next_page_uri": None,
                        "previous_page_uri": None,
                        "page": 0,
                        "page_size": size,
                        "start": 0,
                        "end": min(size, len(mine)),
                    },
                )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                with state.lock:
                    state.requests += 1
                    failure = state.fail_next.pop(0) if state.fail_next else None
                if not self._authorised():
                    return
                if failure is not None:
                    self._failure(failure)
                    return
                form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                if not form.get("To") or not form.get("Body"):
                    self._json(
                        400,
                        {"code": 21604, "message": "A 'To' and 'Body' are required", "status": 400},
                    )
                    return
                with state.lock:
                    sid = f"SM{len(state.created) + 1:032x}"
                    created = format_datetime(datetime.now(UTC))  # Twilio's RFC 2822 dates
                    state.created.append({**form, "Sid": sid, "DateCreated": created})
                    slow = state.slow_next.pop(0) if state.slow_next else 0.0
                if slow:
                    time.sleep(slow)  # accepted, but the answer comes late
                self._json(201, _resource(state.account_sid, state.created[-1]))

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def created(self) -> list[dict[str, str]]:
        with self.state.lock:
            return list(self.state.created)

    def fail_next(self, *statuses: int) -> None:
        with self.state.lock:
            self.state.fail_next.extend(statuses)

    def answer_slowly(self, *seconds: float) -> None:
        """Create each of the next messages, but answer only after this many seconds."""
        with self.state.lock:
            self.state.slow_next.extend(seconds)

    def reset(self) -> None:
        with self.state.lock:
            self.state.created.clear()
            self.state.fail_next.clear()
            self.state.slow_next.clear()
            self.state.requests = 0

    def __enter__(self) -> FakeTwilioAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
