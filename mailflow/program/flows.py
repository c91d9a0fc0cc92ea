"""The matching as a flow model solved in stages: exact lexicographic optimum at any size.

Variables (all integers): ``x`` a mentee to one of its chosen mentors; ``y`` a mentee to a
hub; ``z`` a hub to a mentor (how many of the hub's mentees that mentor takes). Rows: each
mentee is placed at most once, each mentor takes at most its capacity, each hub passes on
exactly what it receives. Exclusions touch few people, so two hubs keep the model small
and still exact: hub 0 reaches every mentor and serves the mentees without an exclusion;
hub 1 reaches only the mentors named in no exclusion and serves the mentees with one,
who get explicit edges to the other, excluded-somewhere mentors they may have. A
mentee of a hub can be given any mentor the hub reaches, so the flow is an assignment.

Stages: maximise the count at one level (0/1 coefficients), add "that count >= its
optimum" as a row, go on to the next level. Each stage is a small-coefficient integer
program, so the solver never meets the huge weights one combined objective would need.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array, csr_array

OTHER = 0  # the level of a placement outside the mentee's choices
INTEGRAL = 1e-6  # a solver value this close to an integer is that integer
DUAL = 1e-6  # a dual or reduced cost beyond this is not zero (they are integers here)


@dataclass
class FlowModel:
    """The columns of the model: which mentee and mentor each one links, and its level."""

    mentees: int
    capacities: list[int]
    edge_mentee: list[int] = field(default_factory=list)   # x and explicit other edges
    edge_mentor: list[int] = field(default_factory=list)
    edge_level: list[int] = field(default_factory=list)     # 1-3 for a choice, OTHER
    hub_of: list[int | None] = field(default_factory=list)  # per mentee: 0, 1 or None
    hub_reaches: tuple[list[int], list[int]] = field(default_factory=lambda: ([], []))

    def add_edge(self, mentee: int, mentor: int, level: int) -> None:
        self.edge_mentee.append(mentee)
        self.edge_mentor.append(mentor)
        self.edge_level.append(level)


def build(choices: Sequence[dict[int, int]], capacities: list[int],
          excluded: Sequence[set[int]]) -> FlowModel:
    """The model for mentees' ``{mentor: rank}`` choices and per-mentee excluded mentors."""
    model = FlowModel(len(choices), capacities)
    restricted = set().union(*excluded) if excluded else set()
    free = [m for m in range(len(capacities)) if m not in restricted]
    model.hub_reaches = (list(range(len(capacities))), free)
    for i, ranks in enumerate(choices):
        for mentor, rank in ranks.items():
            if mentor not in excluded[i]:
                model.add_edge(i, mentor, rank)
        if not excluded[i]:
            model.hub_of.append(0)
            continue
        model.hub_of.append(1)
        for mentor in sorted(restricted - excluded[i] - ranks.keys()):
            model.add_edge(i, mentor, OTHER)
    return model


def solve(model: FlowModel, levels: Sequence[int]) -> dict[int, int]:
    """Mentee -> mentor, lexicographically best on ``levels`` then on the number placed."""
    problem, objectives = staged(model, levels)
    values = problem.by_faces(objectives)
    if values is None:  # the duals were not trusted: the slower, plainly exact way
        values = problem.by_rows(objectives)
    return _assignment(model, values)


def _hubs(model: FlowModel) -> tuple[list[int], list[tuple[int, int]]]:
    """The mentees that ride a hub, and the (hub, mentor) columns, in column order."""
    hub_mentees = [i for i in range(model.mentees) if model.hub_of[i] is not None]
    return hub_mentees, [(h, m) for h in (0, 1) for m in model.hub_reaches[h]]


def staged(model: FlowModel, levels: Sequence[int]) -> tuple[Staged, list[np.ndarray]]:
    """The rows and columns of ``model``, and the objective of each stage in order."""
    n, mentors, edges = model.mentees, len(model.capacities), len(model.edge_level)
    hub_mentees, hub_columns = _hubs(model)
    columns = edges + len(hub_mentees) + len(hub_columns)
    # Rows: n mentees, then the mentors, then the two hubs.
    rows, cols, vals = [], [], []
    for j in range(edges):
        rows += [model.edge_mentee[j], n + model.edge_mentor[j]]
        cols += [j, j]
        vals += [1.0, 1.0]
    for k, i in enumerate(hub_mentees):
        hub = model.hub_of[i]
        assert hub is not None
        rows += [i, n + mentors + hub]
        cols += [edges + k] * 2
        vals += [1.0, 1.0]
    base = edges + len(hub_mentees)
    for k, (hub, mentor) in enumerate(hub_columns):
        rows += [n + mentor, n + mentors + hub]
        cols += [base + k] * 2
        vals += [1.0, -1.0]
    matrix = csr_array(coo_array((vals, (rows, cols)), shape=(n + mentors + 2, columns)))
    problem = Staged(
        matrix=matrix,
        row_low=np.zeros(n + mentors + 2),
        row_high=np.concatenate([np.ones(n), np.array(model.capacities, dtype=float), [0, 0]]),
        low=np.zeros(columns),
        high=np.concatenate([np.ones(base),
                             [float(model.capacities[m]) for _, m in hub_columns]]))
    level = np.array(model.edge_level, dtype=int)
    placed = np.zeros(columns)
    placed[:base] = 1.0
    objectives = [np.concatenate([(level == lv).astype(float), np.zeros(columns - edges)])
                  for lv in levels] + [placed]
    return problem, [objective for objective in objectives if objective.any()]


@dataclass
class Staged:
    """Rows ``row_low <= matrix @ v <= row_high``, columns ``low <= v <= high``, in stages."""

    matrix: csr_array
    row_low: np.ndarray
    row_high: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def by_faces(self, objectives: list[np.ndarray]) -> np.ndarray | None:
        """Each stage an LP over the optimal face of the one before; None if unsure.

        The constraint matrix is totally unimodular (a network), and so is every face of
        it: a basic optimum is integral. The optimal face is read from the duals by
        complementary slackness: a column with a non-zero reduced cost keeps its bound, a
        row with a non-zero dual stays tight. The result is checked, never assumed.
        """
        low, high = self.low.copy(), self.high.copy()
        row_low, row_high = self.row_low.copy(), self.row_high.copy()
        values, optima = np.zeros(len(low)), []
        for objective in objectives:
            equal = row_low == row_high
            try:
                result = linprog(
                    -objective, A_ub=self.matrix[~equal], b_ub=row_high[~equal],
                    A_eq=self.matrix[equal], b_eq=row_high[equal],
                    bounds=np.column_stack([low, high]), method="highs-ds")
            except ValueError:
                return None  # a shape the LP front end refuses: the integer programs decide
            if result.status != 0:
                return None
            values = np.round(result.x)
            if np.abs(result.x - values).max() > INTEGRAL:
                return None
            optima.append(objective @ values)
            high[result.lower.marginals > DUAL] = low[result.lower.marginals > DUAL]
            low[result.upper.marginals < -DUAL] = high[result.upper.marginals < -DUAL]
            tight = np.flatnonzero(~equal)[result.ineqlin.marginals < -DUAL]
            row_low[tight] = row_high[tight]
        feasible = (np.all(self.matrix @ values <= self.row_high + INTEGRAL)
                    and np.all(self.matrix @ values >= self.row_low - INTEGRAL)
                    and np.all(values >= self.low) and np.all(values <= self.high))
        kept = all(objective @ values == best
                   for objective, best in zip(objectives, optima, strict=True))
        return values.astype(int) if feasible and kept else None

    def by_rows(self, objectives: list[np.ndarray]) -> np.ndarray:
        """Each stage an integer program with a row holding the earlier optima."""
        constraints = [LinearConstraint(self.matrix, self.row_low, self.row_high)]
        bounds = Bounds(self.low, self.high)
        values = np.zeros(len(self.low), dtype=int)
        for objective in objectives:
            result = milp(-objective, constraints=constraints, bounds=bounds,
                          integrality=np.ones(len(self.low)))
            if result.x is None:
                raise RuntimeError(f"the matching could not be solved: {result.message}")
            values = np.round(result.x).astype(int)
            constraints.append(LinearConstraint(objective, objective @ values, np.inf))
        return values


def _assignment(model: FlowModel, values: np.ndarray) -> dict[int, int]:
    """Read the flow back as mentee -> mentor; a hub's mentees take its mentors in order."""
    hub_mentees, hub_columns = _hubs(model)
    edges = len(model.edge_level)
    assigned = {model.edge_mentee[j]: model.edge_mentor[j] for j in range(edges)
                if values[j] == 1}
    base = edges + len(hub_mentees)
    for hub in (0, 1):
        seats = [m for k, (h, m) in enumerate(hub_columns) if h == hub
                 for _ in range(values[base + k])]
        riders = [i for k, i in enumerate(hub_mentees)
                  if model.hub_of[i] == hub and values[edges + k] == 1]
        assert len(seats) == len(riders), "a hub passes on what it receives"
        assigned.update(zip(riders, seats, strict=True))
    return assigned
