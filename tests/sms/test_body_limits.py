"""A body far larger than any webhook is refused on its declared length, and never read past
the limit when it declares none (issue 13, finding 6)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.sms import MAX_REQUEST_BYTES
from bot.wiring import Services
from tests.support.asgi_body import CHUNK, post_endless

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("path", ["/sms", "/sms/status"])
def test_a_declared_300_mib_body_is_refused_unread(
    service: tuple[Services, TestClient], path: str
) -> None:
    outcome = post_endless(service[1].app, path, declare_length=True, content_type=FORM)
    assert outcome.status == 413
    assert outcome.chunks_read <= 1  # at most the first receive, never the body


@pytest.mark.parametrize("path", ["/sms", "/sms/status"])
def test_an_endless_body_without_a_length_stops_at_the_limit(
    service: tuple[Services, TestClient], path: str
) -> None:
    outcome = post_endless(service[1].app, path, declare_length=False, content_type=FORM)
    assert outcome.status == 413
    assert outcome.chunks_read <= MAX_REQUEST_BYTES // len(CHUNK) + 2
