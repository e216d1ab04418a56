from __future__ import annotations

import re

import pytest

from flows.reports.refs import find_ref, new_ref


def test_new_refs_avoid_ambiguous_characters() -> None:
    refs = {new_ref() for _ in range(2000)}
    assert len(refs) > 1900
    for ref in refs:
        assert ref.startswith("R-") and len(ref) == 6
        assert not set(ref[2:]) & set("0O1IL")
        assert re.fullmatch(r"R-[2-9A-HJKMNP-Z]{4}", ref), ref


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("STATUS R-7KQ2", "R-7KQ2"),
        ("status r7kq2", "R-7KQ2"),
        ("status  r 7kq2 please", "R-7KQ2"),
        ("estado 7KQ2", "R-7KQ2"),
        ("status please", None),
        ("status", None),
    ],
)
def test_find_ref(text: str, ref: str | None) -> None:
    assert find_ref(text) == ref
