"""The hypothesis settings every fuzz test of the inbound endpoints shares."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Bounded and reproducible: the same examples on every run (and in CI), none stored on disk.
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
