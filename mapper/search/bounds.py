"""Lower bounds on a mapping's costs, from its genome alone (no access counts).

Each unit computes its Einsums' temporal iterations one after another, so latency is at
least the busiest unit's compute cycles (temporal iterations x cycles per iteration
point, as the engine counts them); energy is at least the energy of the ops plus
leakage over that latency. The search skips candidates whose bound cannot beat the best
so far; a test checks the bounds never exceed the engine's numbers.
"""

from __future__ import annotations

import math

import numpy as np

from mapper.search.space import Costs
from sim.engine.energy import leakage_energy_pj


def lower_bounds(space, genomes: np.ndarray) -> Costs:
    latency = np.full(len(genomes), np.inf)
    energy = np.full(len(genomes), np.inf)
    for i, genome in enumerate(genomes):
        mapping = space.decode(genome).mapping
        if mapping is None:
            continue
        busy: dict[str, float] = {}
        ops_pj = 0.0
        for name, em in mapping.einsums.items():
            per_point, pj = _unit_costs(space, name, em.unit)
            iterations = math.prod(lp.factor for lp in mapping.group_loops(name))
            iterations *= math.prod(lp.factor for lv in em.levels for lp in lv.temporal)
            busy[em.unit] = busy.get(em.unit, 0.0) + iterations * per_point
            ops_pj += pj
        latency[i] = max(busy.values(), default=0.0)
        energy[i] = ops_pj + sum(leakage_energy_pj(space.arch, latency[i]).values())
    return Costs(latency, energy, np.isfinite(latency))


def _unit_costs(space, einsum_name: str, unit_name: str) -> tuple[float, float]:
    """(cycles per iteration point on one PE, energy of all the Einsum's ops) on a unit."""
    key = (einsum_name, unit_name)
    hit = space.unit_cost_cache.get(key)
    if hit is None:
        einsum = space.workload.einsum(einsum_name)
        unit = space.arch.unit(unit_name)
        dtype = space.workload.tensor(einsum.inputs[0].tensor).dtype if einsum.inputs else None
        hit = (unit.cycles_per_pe(einsum.ops_per_point, dtype),
               float(sum(n * unit.energy_pj(kind) for kind, n in einsum.op_counts.items())))
        space.unit_cost_cache[key] = hit
    return hit
