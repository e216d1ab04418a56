"""Reading a request's body with a ceiling: refused on its declared length, and never read past
the limit (a client declaring or streaming hundreds of megabytes is not a vendor's webhook)."""

from __future__ import annotations

from fastapi import Request, Response


def _text(status: int, message: str) -> Response:
    return Response(content=message + "\n", status_code=status, media_type="text/plain")


async def read_body(request: Request, *, limit: int) -> bytes | Response:
    """The body, or the response refusing it (413 past `limit` bytes, 400 for a bad length)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            return _text(400, "malformed Content-Length")
        if int(declared) > limit:
            return _text(413, "request too large")
    chunks: list[bytes] = []
    size = 0
    # Streamed, so that a body without (or lying about) its length stops at the limit.
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return _text(413, "request too large")
        chunks.append(chunk)
    return b"".join(chunks)
