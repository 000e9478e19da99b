"""How one mapping search runs (strategy, objective, budget, seed, constraints)."""

from __future__ import annotations

from dataclasses import dataclass

from mapper.search.constraints import Constraints


@dataclass(frozen=True)
class SearchSettings:
    strategy: str = "auto"
    objective: str = "edp"
    budget_mappings: int | None = 2000
    budget_seconds: float | None = None
    seed: int = 0
    constraints: Constraints | None = None
    batch_size: int = 512
    return_on_interrupt: bool = True
