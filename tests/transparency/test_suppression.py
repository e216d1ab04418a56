"""Small-cell protection, the pure rules: examples, then generated groups attacked by linear
programming (tests/transparency/attack.py): no count that is not shown can be worked out."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.transparency.suppression import Cell, Group, Shown, protect
from tests.support.fuzz import FUZZ
from tests.transparency.attack import Published, System, recovered

K = 5


def published(group: Group, name: str = "g") -> Published:
    def pair(cell: Cell) -> tuple[str, int | None]:
        return (str(cell.shown), cell.value)

    return Published(
        name,
        pair(group.total),
        {line: [pair(c) for c in cells] for line, cells in group.lines.items()},
    )


def shown(group: Group, line: str) -> list[str]:
    return [c.shown if c.shown != Shown.VALUE else str(c.value) for c in group.lines[line]]


def test_a_small_cell_reads_fewer_than_k_and_one_more_is_withheld() -> None:
    group = protect(30, {"category": [12, 7, 2, 9]}, k=K)
    assert group.total == Cell.of(30)
    assert shown(group, "category") == ["withheld", "7", "fewer_than", "9"]


def test_cells_without_small_ones_are_all_shown() -> None:
    group = protect(21, {"category": [12, 0, 9], "district": [21, 0]}, k=K)
    assert shown(group, "category") == ["12", "0", "9"]
    assert shown(group, "district") == ["21", "0"]


def test_a_small_total_makes_every_cell_fewer_than_k_zeros_too() -> None:
    group = protect(3, {"category": [3, 0], "district": [1, 2]}, k=K)
    assert group.total.shown == Shown.FEWER
    assert {c.shown for cells in group.lines.values() for c in cells} == {Shown.FEWER}


def test_a_group_that_cannot_be_protected_cell_by_cell_is_withheld_whole() -> None:
    # 1 beside exactly 5: "fewer than 5" + "at least 5" = 6 leaves only 1 + 5.
    group = protect(6, {"category": [5, 1], "district": [6, 0]}, k=K)
    assert group.total.shown == Shown.WITHHELD
    assert shown(group, "category") == ["withheld", "withheld"]
    assert shown(group, "district") == ["withheld", "0"]


def test_small_cells_with_nothing_large_to_withhold_may_protect_each_other() -> None:
    group = protect(7, {"category": [4, 3]}, k=K)
    assert shown(group, "category") == ["fewer_than", "fewer_than"]
    group = protect(8, {"category": [4, 4]}, k=K)  # 8 = 4 + 4 is the only way: withheld
    assert group.total.shown == Shown.WITHHELD


def test_lines_must_split_the_total() -> None:
    with pytest.raises(ValueError, match="does not split"):
        protect(5, {"category": [4]}, k=K)


@st.composite
def groups(draw: st.DrawFn) -> tuple[int, dict[str, list[int]]]:
    """A total and 1-3 lines splitting it, with many small cells."""
    total = draw(st.integers(min_value=0, max_value=40))
    lines = {}
    for name in ("a", "b", "c")[: draw(st.integers(min_value=1, max_value=3))]:
        width = draw(st.integers(min_value=2, max_value=5))
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=width - 1, max_size=width - 1)))
        edges = [0, *cuts, total]
        lines[name] = [edges[i + 1] - edges[i] for i in range(width)]
    return total, lines


@FUZZ
@given(groups())
def test_no_protected_count_can_be_worked_out(case: tuple[int, dict[str, list[int]]]) -> None:
    total, lines = case
    group = protect(total, lines, k=K)
    system = System(k=K)
    index = system.add_group(published(group))
    assert recovered(system) == {}
    # The attacker's model is true of the real counts (else the test proves nothing).
    ranges = system.ranges()
    for (line, i), var in index.items():
        real = total if line == "total" else lines[line][i]
        name = system.names[var]
        if name in ranges:
            low, high = ranges[name]
            assert low <= real <= high
    # And nothing from 1 to k - 1 is ever shown as itself.
    values = [group.total.value] + [c.value for cells in group.lines.values() for c in cells]
    assert not [v for v in values if v is not None and 0 < v < K]


def _values(cells: Sequence[Cell]) -> list[int | None]:
    return [c.value for c in cells]
