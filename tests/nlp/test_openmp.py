"""OpenMP wait policy: set before torch loads, never over the operator's choice; the encoder
falls back to one thread when OpenMP spins."""

from __future__ import annotations

import os
import sys

import pytest

from nlp.runtime import encoders, openmp


@pytest.fixture
def no_policy(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setattr(encoders, "_configured_threads", None)
    return monkeypatch


def test_sets_passive_wait_when_torch_is_not_loaded_yet(no_policy: pytest.MonkeyPatch) -> None:
    no_policy.delitem(sys.modules, "torch", raising=False)
    assert openmp.prefer_passive_wait() is True
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"


def test_too_late_once_torch_is_loaded(no_policy: pytest.MonkeyPatch) -> None:
    no_policy.setitem(sys.modules, "torch", sys)  # any module object: "torch is loaded"
    assert openmp.prefer_passive_wait() is False
    assert "OMP_WAIT_POLICY" not in os.environ


@pytest.mark.parametrize(("chosen", "passive"), [("ACTIVE", False), ("passive", True)])
def test_the_operators_policy_wins(
    no_policy: pytest.MonkeyPatch, chosen: str, passive: bool
) -> None:
    no_policy.delitem(sys.modules, "torch", raising=False)
    no_policy.setenv("OMP_WAIT_POLICY", chosen)
    assert openmp.prefer_passive_wait() is passive
    assert os.environ["OMP_WAIT_POLICY"] == chosen


def test_encoder_uses_one_thread_when_openmp_spins(no_policy: pytest.MonkeyPatch) -> None:
    no_policy.setattr(openmp, "WAITS_PASSIVELY", False)
    assert encoders._threads() == 1
    no_policy.setattr(openmp, "WAITS_PASSIVELY", True)
    assert encoders._threads() == max(1, min(os.cpu_count() or 1, 4))


def test_configured_threads_win(no_policy: pytest.MonkeyPatch) -> None:
    no_policy.setattr(openmp, "WAITS_PASSIVELY", False)
    no_policy.setattr(encoders, "_configured_threads", None)
    encoders.configure_threads(3)
    assert encoders._threads() == 3
