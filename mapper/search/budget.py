"""Search budgets: a search never runs unbounded."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Budget:
    """Stop after ``mappings`` evaluations or ``seconds`` of wall clock, whichever comes first."""

    mappings: int | None = 2000
    seconds: float | None = None

    def __post_init__(self) -> None:
        if self.mappings is None and self.seconds is None:
            raise ValueError("a search budget needs mappings or seconds (a search never runs unbounded)")
        if self.mappings is not None and self.mappings < 1:
            raise ValueError(f"budget mappings must be >= 1 (got {self.mappings})")
        if self.seconds is not None and self.seconds <= 0:
            raise ValueError(f"budget seconds must be > 0 (got {self.seconds})")

    def start(self) -> BudgetClock:
        return BudgetClock(self)


@dataclass
class BudgetClock:
    budget: Budget
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed_s(self) -> float:
        return time.perf_counter() - self.started

    def remaining_mappings(self, evaluated: int) -> int | None:
        return None if self.budget.mappings is None else max(0, self.budget.mappings - evaluated)

    def exhausted(self, evaluated: int) -> str | None:
        """Why the budget is spent, or None."""
        if self.budget.mappings is not None and evaluated >= self.budget.mappings:
            return "mapping budget"
        if self.budget.seconds is not None and self.elapsed_s >= self.budget.seconds:
            return "time budget"
        return None
