"""An attacker holding every published count: for each count not shown, the least and the most
it can be, by linear programming over everything published.

The attacker knows the rules of flows/transparency/suppression.py: a "fewer than k" count is
1..k-1 (0..k-1 when its total is itself "fewer than k"); a withheld count is at least k beside
a shown total (the cell withheld with a small one is always one of k or more) and at least 1 in
a group withheld whole (its zeros are shown). Every line adds up to its total; `extra` adds
what else they may know (e.g. no more check-in answers than reports). A count is recovered when
its least and most possible values meet.

Beyond the suppression rules, what else the attacker reads (`zero_or_at_least`, `at_least`):
the fold rule (in a month whose districts were folded, which every month of k reports or more
is and any month showing a folded district was, a district left unfolded holds 0 or at least
`district_min_reports`), and each published decision naming a cell (at least one report there,
assuming, pessimistically, the attacker knows the report's month). The constraint matrix is an
interval matrix (totally unimodular), so the programme's bounds are whole numbers reached by
whole-number solutions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

INF = None


@dataclass(frozen=True)
class Published:
    """One group as published: (shown, value) for its total and each cell of each line."""

    name: str
    total: tuple[str, int | None]
    lines: Mapping[str, Sequence[tuple[str, int | None]]]


@dataclass
class System:
    k: int
    names: list[str] = field(default_factory=list)
    bounds: list[tuple[float, float | None]] = field(default_factory=list)
    hidden: list[int] = field(default_factory=list)
    equalities: list[dict[int, float]] = field(default_factory=list)
    at_most: list[dict[int, float]] = field(default_factory=list)  # sum <= 0

    def add_group(self, group: Published) -> dict[tuple[str, int], int]:
        """The group's variables: index of ("total", 0) and of (line, i) for each cell."""
        total_shown = group.total[0]
        index = {
            ("total", 0): self._variable(f"{group.name}/total", group.total, "total", total_shown)
        }
        for line, cells in group.lines.items():
            equation = {index[("total", 0)]: -1.0}
            for i, cell in enumerate(cells):
                if cell[0] == "folded":
                    continue  # not a count: the district is counted in "other" that month
                var = self._variable(f"{group.name}/{line}/{i}", cell, "cell", total_shown)
                index[(line, i)] = var
                equation[var] = 1.0
            self.equalities.append(equation)
        return index

    def _variable(
        self, name: str, cell: tuple[str, int | None], role: str, total_shown: str
    ) -> int:
        shown, value = cell
        var = len(self.names)
        self.names.append(name)
        if shown == "value":
            assert value is not None
            self.bounds.append((value, value))
            return var
        self.hidden.append(var)
        if shown == "fewer_than":
            low = 0 if role == "cell" and total_shown == "fewer_than" else 1
            self.bounds.append((low, self.k - 1))
        elif total_shown == "withheld":
            self.bounds.append((1, INF))  # a group withheld whole shows its zeros
        else:
            self.bounds.append((self.k, INF))
        return var

    def zero_or_at_least(self, var: int, least: int) -> None:
        """The count is 0 or at least `least` (a district left unfolded). Not linear: used
        where a bound already settles which (a hidden count is never 0 beside a shown total;
        one that is at most `least` - 1 must be 0)."""
        low, high = self.bounds[var]
        if low >= 1:
            self.bounds[var] = (max(low, least), high)
        elif high is not None and high < least:
            self.bounds[var] = (0, 0)

    def at_least(self, var: int, least: int) -> None:
        low, high = self.bounds[var]
        self.bounds[var] = (max(low, least), high)

    def ranges(self) -> dict[str, tuple[float, float]]:
        """For each count not shown: (least, most) possible; most is inf when unbounded."""
        n = len(self.names)
        a_eq = np.zeros((len(self.equalities), n))
        for row, equation in enumerate(self.equalities):
            for var, coefficient in equation.items():
                a_eq[row, var] = coefficient
        a_ub = np.zeros((max(len(self.at_most), 1), n))
        for row, inequality in enumerate(self.at_most):
            for var, coefficient in inequality.items():
                a_ub[row, var] = coefficient
        b_ub = np.zeros(a_ub.shape[0])
        found: dict[str, tuple[float, float]] = {}
        for var in self.hidden:
            extremes = []
            for sign in (1.0, -1.0):
                objective = np.zeros(n)
                objective[var] = sign
                result = linprog(
                    objective,
                    A_ub=a_ub,
                    b_ub=b_ub,
                    A_eq=a_eq,
                    b_eq=np.zeros(len(self.equalities)),
                    bounds=self.bounds,
                    method="highs",
                )
                if result.status == 3:  # unbounded
                    extremes.append(float("inf"))
                    continue
                assert result.status == 0, result.message
                extremes.append(sign * result.fun)
            found[self.names[var]] = (extremes[0], extremes[1])
        return found


def recovered(system: System) -> dict[str, float]:
    """The counts not shown whose value the published ones determine."""
    return {name: low for name, (low, high) in system.ranges().items() if high - low < 1 - 1e-6}
