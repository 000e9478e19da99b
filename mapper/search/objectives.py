"""What a search minimizes: latency, energy or their product (EDP)."""

from __future__ import annotations

import numpy as np

from mapper.search.space import Costs

OBJECTIVES = ("latency", "energy", "edp")


def score(costs: Costs, objective: str) -> np.ndarray:
    """Lower is better; invalid mappings score +inf."""
    if objective == "latency":
        value = costs.latency_cycles.astype(float)
    elif objective == "energy":
        value = costs.energy_pj.astype(float)
    elif objective == "edp":
        value = costs.latency_cycles.astype(float) * costs.energy_pj.astype(float)
    else:
        raise ValueError(f"unknown objective {objective!r}; allowed: {', '.join(OBJECTIVES)}")
    return np.where(costs.valid, value, np.inf)


def tie_break(costs: Costs, objective: str) -> np.ndarray:
    """Second key among equal scores: energy for a latency search (of equally fast mappings, the
    cheapest), latency otherwise."""
    value = costs.energy_pj if objective == "latency" else costs.latency_cycles
    return np.where(costs.valid, np.asarray(value, dtype=float), np.inf)
