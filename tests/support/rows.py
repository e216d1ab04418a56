"""Reading what a test's service stored, straight from its database."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def stored_rows(engine: Engine) -> dict[str, int]:
    """How many rows the tables a request can write hold (a refused request adds none)."""
    tables = ("contact", "inboundmessage", "conversation", "outboundmessage", "report")
    return {table: count(engine, table) for table in tables}
