"""Lower bounds on a mapping's costs, from its genome alone (no access counts).

Each unit computes its Einsums one after another, so latency is at least the busiest
unit's compute cycles: an Einsum's iteration points divided over the PEs its spatial
factors use, times the cycles per point (as the engine counts them; with ceil factors
the busiest PE has at least the average share). Energy is at least the energy of the
ops plus leakage over that latency. The search skips candidates whose bound cannot beat
the best so far; a test checks the bounds never exceed the engine's numbers. Computed
with numpy over all genomes of one structure at a time.
"""

from __future__ import annotations

import numpy as np

from mapper.search.space import Costs
from sim.engine.energy import leakage_energy_pj

SAFETY = 1 - 1e-9  # rounding margin: a bound must never exceed the engine's number


def lower_bounds(space, genomes: np.ndarray) -> Costs:
    latency = np.full(len(genomes), np.inf)
    energy = np.full(len(genomes), np.inf)
    leak_pj_per_cycle = sum(leakage_energy_pj(space.arch, 1.0).values())
    for plan, rows in space.structure_groups(genomes):
        if plan.reason is not None:
            continue
        low = plan.busy_cycles(genomes[rows]).max(axis=1)
        latency[rows] = low * SAFETY
        energy[rows] = (sum(ep.ops_pj for ep in plan.einsums) + leak_pj_per_cycle * low) * SAFETY
    return Costs(latency, energy, np.isfinite(latency))


def unit_costs(space, einsum_name: str, unit_name: str) -> tuple[float, float]:
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
