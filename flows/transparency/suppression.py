"""Small-cell protection: which published counts are shown, "fewer than k", or withheld.

Every count on the page, in the CSV and in the JSON comes out of `protect`. Its unit is a
*group*: one total and the lines that each split that total (a month's reports: by category, by
district, acknowledged or not, resolved or not; a month's check-in answers: yes or no). Nothing
else is published: no total across months, so months are independent of one another and
publishing a new month cannot reveal an old cell by difference (a running or rolling total
would: this year's total minus last month's published one is this month's).

Within a group, what someone holding every published number can work out, and why it is not a
suppressed count:

- A cell from 1 to k-1 is *primary*: shown as "fewer than k" (they know it is in 1..k-1).
- A total from 1 to k-1: the total and every cell of every line read "fewer than k", zeros too,
  so a cell can always be moved by one between two cells of its line: nothing is determined.
- Otherwise each line is a single equation `sum(suppressed cells) = total - sum(shown cells)`,
  independent of the other lines (any set of splits of one total is realisable). A line with a
  primary cell withholds one more cell, its first cell (in the published order) holding k or
  more: the *complementary* cell, read as "withheld" (they know it is at least k). Always
  exactly one, decided from shown cells only, so how many are withheld says nothing more. The
  line is then checked exactly (`_any_determined`): if some suppressed cell has one possible
  value within those bounds (every primary cell is 1 and the withheld one exactly k, or no
  cell of k or more exists to withhold), the whole group is withheld: its total and every
  nonzero cell read "withheld" (known only to be at least 1); nothing can be solved then,
  since any cell can grow by one with its total and one cell of each other line. (That a
  group is withheld whole says that some line of it sat at that corner: in a group of several
  lines, not which; in a one-line group, that line, which still solves no cell, since its
  total is withheld too and each such corner fits many totals.)

Published decisions (flows/transparency/public_decisions.py) are the other thing that says
something about a month's reports: each is at least one report in its district and category.
A decision names a district or category only where the report's month shows that cell as a
number, so k - 1 decisions cannot pin a "fewer than k" cell (nor one decision a cell of 1):
every bound they give is on a number already published.

tests/transparency/ attacks these rules by linear programming, on generated groups and on
everything the seeded page publishes. Over time: each month is published once settled and as it
stood then (flows/store/transparency.py), so later spam marks, reroutes, acknowledgements,
resolutions or answers never change a published month, and two downloads made at different
times agree on every month both show: nothing to subtract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

UNBOUNDED = 10**9


class Shown(StrEnum):
    """How a count is published."""

    VALUE = "value"  # the number itself
    FEWER = "fewer_than"  # "fewer than k" (1..k-1; in a small group also 0)
    WITHHELD = "withheld"  # withheld so that another count cannot be worked out
    FOLDED = "folded"  # a district counted in "other districts" that month (not a count)


@dataclass(frozen=True)
class Cell:
    shown: Shown
    # The count when shown; None otherwise (the true count never leaves this module).
    value: int | None

    @classmethod
    def of(cls, value: int) -> Cell:
        return cls(Shown.VALUE, value)


FEWER = Cell(Shown.FEWER, None)
WITHHELD = Cell(Shown.WITHHELD, None)
FOLDED = Cell(Shown.FOLDED, None)


@dataclass(frozen=True)
class Group:
    """A protected total and its lines, each a tuple of cells in the order given."""

    total: Cell
    lines: Mapping[str, tuple[Cell, ...]]

    def shown(self, line: str, index: int) -> Cell:
        return self.lines[line][index]


def protect(total: int, lines: Mapping[str, Sequence[int]], *, k: int) -> Group:
    """The published form of `total` and its `lines` (each must sum to `total`)."""
    for name, cells in lines.items():
        if sum(cells) != total or min(cells, default=0) < 0:
            raise ValueError(f"line {name!r} does not split the total {total}")
    if total == 0:
        return Group(Cell.of(0), {name: tuple(Cell.of(0) for _ in c) for name, c in lines.items()})
    if total < k:
        return Group(FEWER, {name: tuple(FEWER for _ in cells) for name, cells in lines.items()})
    protected: dict[str, tuple[Cell, ...]] = {}
    for name, cells in lines.items():
        line = _protect_line(list(cells), total, k)
        if line is None:
            return _withheld(lines)
        protected[name] = line
    return Group(Cell.of(total), protected)


def _protect_line(cells: list[int], total: int, k: int) -> tuple[Cell, ...] | None:
    primary = [i for i, v in enumerate(cells) if 0 < v < k]
    if not primary:
        return tuple(Cell.of(v) for v in cells)
    complementary = next((i for i, v in enumerate(cells) if v >= k), None)
    suppressed = {i: (1, k - 1) for i in primary}
    if complementary is not None:
        suppressed[complementary] = (k, UNBOUNDED)
    remainder = total - sum(v for i, v in enumerate(cells) if i not in suppressed)
    if _any_determined(list(suppressed.values()), remainder):
        return None
    return tuple(
        (FEWER if i in primary else WITHHELD) if i in suppressed else Cell.of(v)
        for i, v in enumerate(cells)
    )


def _any_determined(bounds: list[tuple[int, int]], remainder: int) -> bool:
    """Whether, knowing only each suppressed cell's bounds and that they sum to `remainder`,
    some cell has exactly one possible value."""
    low = sum(lo for lo, _ in bounds)
    high = sum(hi for _, hi in bounds)
    for lo, hi in bounds:
        least = max(lo, remainder - (high - hi))
        most = min(hi, remainder - (low - lo))
        if least >= most:
            return True
    return False


def _withheld(lines: Mapping[str, Sequence[int]]) -> Group:
    return Group(
        WITHHELD,
        {name: tuple(WITHHELD if v else Cell.of(0) for v in c) for name, c in lines.items()},
    )
