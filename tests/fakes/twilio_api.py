"""A local fake of Twilio's REST API: a real HTTP server answering in Twilio's JSON.

The official `twilio.rest.Client` reaches it through `TWILIO_API_BASE_URL`. It records every
message create request and can be told to fail the next requests with a status code.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")


@dataclass
class FakeTwilioState:
    account_sid: str
    auth_token: str
    created: list[dict[str, str]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 refuses connections from a concurrent sender; Twilio does not.
    request_queue_size = 128
    daemon_threads = True


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

            def _json(self, status: int, payload: dict[str, object]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                with state.lock:
                    state.requests += 1
                    failure = state.fail_next.pop(0) if state.fail_next else None
                match = _MESSAGES_PATH.match(self.path)
                expected = (
                    "Basic "
                    + base64.b64encode(f"{state.account_sid}:{state.auth_token}".encode()).decode()
                )
                if self.headers.get("Authorization") != expected:
                    self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                    return
                if match is None or match.group("sid") != state.account_sid:
                    self._json(404, {"code": 20404, "message": "Not found", "status": 404})
                    return
                if failure is not None:
                    self._json(
                        failure,
                        {"code": 20500, "message": "Internal Server Error", "status": failure},
                    )
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
                    state.created.append({**form, "Sid": sid})
                self._json(
                    201,
                    {
                        "sid": sid,
                        "account_sid": state.account_sid,
                        "to": form["To"],
                        "from": form.get("From"),
                        "messaging_service_sid": form.get("MessagingServiceSid"),
                        "body": form["Body"],
                        "status": "queued",
                        "num_segments": "1",
                        "direction": "outbound-api",
                        "api_version": "2010-04-01",
                        "price": None,
                        "error_code": None,
                        "error_message": None,
                        "uri": f"/2010-04-01/Accounts/{state.account_sid}/Messages/{sid}.json",
                        "date_created": "Sat, 28 Nov 2026 12:00:00 +0000",
                        "date_updated": "Sat, 28 Nov 2026 12:00:00 +0000",
                        "date_sent": None,
                        "num_media": "0",
                        "subresource_uris": {},
                    },
                )

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

    def reset(self) -> None:
        with self.state.lock:
            self.state.created.clear()
            self.state.fail_next.clear()
            self.state.requests = 0

    def __enter__(self) -> FakeTwilioAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
