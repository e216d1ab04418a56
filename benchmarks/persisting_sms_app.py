"""A second baseline for benchmarks/sms_webhook.py: the least any webhook that keeps its messages
must do before answering.

It validates Twilio's signature like the bare endpoint, then does what the issue requires of
every inbound message and nothing more: the sender's HMAC pseudonym, the body encrypted, and one
committed INSERT, unique per MessageSid, into its own table of the database the service is
measured on (`PERSIST_DATABASE`: a SQLite file path, WAL, `synchronous=FULL` as the service's
engine; or a `postgresql://` URL, through plain psycopg, up to 20 connections a process as the
service's pool). No ORM, no conversation, no NLP. The gap between this endpoint and the bare one
is the price of "persisted before it is answered" alone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from cryptography.fernet import Fernet
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from benchmarks.bare_sms_app import TWIML, refused, signed_params

app = FastAPI()
_DATABASE = os.environ["PERSIST_DATABASE"]
_POSTGRES = _DATABASE.startswith("postgresql")
_PSEUDONYM_KEY = hashlib.sha256(b"benchmark pseudonyms").digest()
_FERNET = Fernet(Fernet.generate_key())
_TABLE = (
    "CREATE TABLE IF NOT EXISTS floor_inbound (id {} PRIMARY KEY, sid TEXT UNIQUE, "
    "sender TEXT, body {})"
)
_INSERT = (
    "INSERT INTO floor_inbound (sid, sender, body) VALUES ({0}, {0}, {0}) ON CONFLICT DO NOTHING"
)
_local = threading.local()
# PostgreSQL: the service's pool holds 10 connections and 10 more under load; so does this.
_pool: queue.LifoQueue[Any] = queue.LifoQueue()
_opened = threading.BoundedSemaphore(20)


def _sqlite() -> sqlite3.Connection:
    connection: sqlite3.Connection | None = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(_DATABASE, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        # As the service's engine (flows/store/db.py): a commit is on disk before the answer.
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute(_TABLE.format("INTEGER", "BLOB"))
        _local.connection = connection
    return connection


def _connect() -> Any:
    # `postgresql+psycopg://…?options=-csearch_path%3D…`: libpq reads the rest as is.
    connection = psycopg.connect(_DATABASE.replace("+psycopg", ""), autocommit=True)
    with connection.transaction():
        # Two workers' first connections would race to create the table.
        connection.execute("SELECT pg_advisory_xact_lock(7015)")
        connection.execute(_TABLE.format("BIGSERIAL", "BYTEA"))
    return connection


@contextmanager
def _postgres() -> Iterator[Any]:
    try:
        connection = _pool.get_nowait()
    except queue.Empty:
        # All 20 open: wait for one, as a pool does.
        connection = _connect() if _opened.acquire(blocking=False) else _pool.get()
    try:
        yield connection
    finally:
        _pool.put(connection)


def _store(sid: str, sender: str, body: str) -> None:
    row = (sid, hmac.new(_PSEUDONYM_KEY, sender.encode(), hashlib.sha256).hexdigest())
    sealed = _FERNET.encrypt(body.encode())
    if _POSTGRES:
        with _postgres() as connection, connection.transaction():
            connection.execute(_INSERT.format("%s"), (*row, sealed))
        return
    connection = _sqlite()
    connection.execute("BEGIN IMMEDIATE")
    connection.execute(_INSERT.format("?"), (*row, sealed))
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
