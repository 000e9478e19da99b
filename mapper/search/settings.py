"""How one mapping search runs (strategy, objective, budget, seed, constraints)."""

from __future__ import annotations

from dataclasses import dataclass

from mapper.search.constraints import Constraints

MIN_BATCH = 512
MAX_BATCH = 2048


@dataclass(frozen=True)
class SearchSettings:
    strategy: str = "auto"
    objective: str = "edp"
    budget_mappings: int | None = 2000
    budget_seconds: float | None = None
    seed: int = 0
    constraints: Constraints | None = None
    batch_size: int | None = None  # candidates per batch; None: from the budget (batch_size_for)
    return_on_interrupt: bool = True
    use_bounds: bool = True  # False: evaluate candidates even when their lower bound cannot beat the best
    batched: bool = True  # False: evaluate every mapping through the engine's per-mapping path

    def batch_size_for(self) -> int:
        """Large batches amortize the per-batch work (2048 with a time budget); with a mapping budget,
        at most a sixteenth of it (at least 512) so that a genetic search still runs many generations."""
        if self.batch_size is not None:
            return self.batch_size
        if self.budget_mappings is None:
            return MAX_BATCH
        return max(MIN_BATCH, min(MAX_BATCH, self.budget_mappings // 16))
