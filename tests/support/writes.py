"""Counting a store's write transactions as they open (one write per text, issue #15)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from sqlmodel import Session

from flows.store.base import Database


def count_writes(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time `db` opens a write transaction (for the test)."""
    opened: list[int] = []
    original = db.transaction

    @contextmanager
    def counted() -> Iterator[Session]:
        opened.append(1)
        with original() as session:
            yield session

    def transaction() -> AbstractContextManager[Session]:
        return counted()

    monkeypatch.setattr(db, "transaction", transaction)
    return opened
