"""Posting an endless body to the real ASGI app, counting how much of it the app reads."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

CHUNK = b"x" * (64 * 1024)
HUGE = str(300 * 1024 * 1024)  # 300 MiB, as the probe declared


@dataclass
class Outcome:
    status: int
    chunks_read: int


def post_endless(app: Any, path: str, *, declare_length: bool, content_type: str) -> Outcome:
    """POST a body that never ends (declared as 300 MiB, or chunked with no length)."""
    read = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        if read > 10_000:  # ~640 MiB: the app read what it should have refused
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": CHUNK, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    headers = [(b"content-type", content_type.encode())]
    if declare_length:
        headers.append((b"content-length", HUGE.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
    }
    asyncio.run(app(scope, receive, send))
    return Outcome(status=status, chunks_read=read)
