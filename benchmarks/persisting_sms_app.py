"""A second baseline for benchmarks/sms_webhook.py: the least any webhook that keeps its messages
must do before answering.

It validates Twilio's signature like the bare endpoint, then does what the issue requires of
every inbound message and nothing more: the sender's HMAC pseudonym, the body encrypted, and one
committed INSERT, unique per MessageSid, into a file SQLite database in WAL mode (plain `sqlite3`,
no ORM). No conversation, no NLP. The gap between this endpoint and the bare one is the price of
"persisted before it is answered" alone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
import threading

from cryptography.fernet import Fernet
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from benchmarks.bare_sms_app import TWIML, refused, signed_params

app = FastAPI()
_DATABASE = os.environ["PERSIST_DATABASE"]
_PSEUDONYM_KEY = hashlib.sha256(b"benchmark pseudonyms").digest()
_FERNET = Fernet(Fernet.generate_key())
_local = threading.local()


def _connection() -> sqlite3.Connection:
    connection: sqlite3.Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(_DATABASE, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS inbound (id INTEGER PRIMARY KEY, sid TEXT UNIQUE, "
            "sender TEXT, body BLOB)"
        )
        _local.connection = connection
    return connection


def _store(sid: str, sender: str, body: str) -> None:
    pseudonym = hmac.new(_PSEUDONYM_KEY, sender.encode(), hashlib.sha256).hexdigest()
    connection = _connection()
    connection.execute("BEGIN IMMEDIATE")
    connection.execute(
        "INSERT INTO inbound (sid, sender, body) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (sid, pseudonym, _FERNET.encrypt(body.encode())),
    )
    connection.execute("COMMIT")


@app.post("/sms")
async def sms(request: Request) -> Response:
    params = await signed_params(request)
    if params is None:
        return refused()
    # On the thread pool, as the service runs its handler: a commit blocks.
    await run_in_threadpool(_store, params["MessageSid"], params["From"], params["Body"])
    return Response(TWIML, media_type="application/xml")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
