"""Reading what a test's service stored, straight from its database."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import flows.models  # noqa: F401  (registers the tables on SQLModel's metadata)


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def stored_rows(engine: Engine) -> dict[str, int]:
    """How many rows the tables a request can write hold (a refused request adds none)."""
    tables = ("contact", "inboundmessage", "conversation", "outboundmessage", "report")
    return {table: count(engine, table) for table in tables}


def rows_of_every_table(engine: Engine) -> dict[str, int]:
    """How many rows each table of the schema holds (a refused request adds none anywhere), read
    in one query: the fuzz tests read it twice per generated request."""
    names = [table.name for table in SQLModel.metadata.sorted_tables]
    counts = ", ".join(f"(SELECT count(*) FROM {name}) AS {name}" for name in names)
    with engine.connect() as connection:
        row = connection.execute(text(f"SELECT {counts}")).one()
    return {name: int(value) for name, value in zip(names, row, strict=True)}
