"""Batch evaluation of mappings through the tile-level engine (:mod:`sim.engine`).

For each mapping: the engine's plan (access counts and costs per Einsum, feasibility,
task program), its Numba schedule (latency only, no timeline) and its energy model
(dynamic energy per Einsum plus leakage over the latency), i.e. what ``sim run
--mapping`` reports, without building the result tables. Infeasible mappings are
marked invalid.

This is the per-mapping path (``SearchSettings(batched=False)``, and the fallback of the
batched one). Candidates in a search differ from each other in a few Einsums at a time,
so the cost of one Einsum (counts, cycles, dynamic energy) is cached by everything it
depends on: its own nest, the loops of its fusion groups, the tensors' home levels as it
sees them (with on-chip reuse between the Einsums of a phase) and whether the schedule
walks its outermost loops. The cached costs go into the engine's own
:func:`sim.engine.evaluate.plan` (``cost_fn``); a test checks the result equals
:func:`sim.engine.evaluate.evaluate` on random mappings.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from arch import Architecture
from mapper.search.space import Costs
from sim.engine.costs import EinsumCost, einsum_cost
from sim.engine.counts import einsum_homes, on_chip_reuse
from sim.engine.energy import einsum_energy_pj, leakage_energy_pj
from sim.engine.evaluate import plan
from sim.engine.mapping import Mapping
from sim.engine.schedule import schedule
from sim.errors import InfeasibleMapping
from workloads import Workload

CACHE_SIZE = 50_000


class EngineEvaluator:
    """Callable ``(arch, workload, mappings) -> Costs`` with a per-Einsum cost cache."""

    def __init__(self, cache_size: int = CACHE_SIZE):
        self._cache: OrderedDict[tuple, tuple[EinsumCost, float]] = OrderedDict()
        self._cache_size = cache_size
        self.hits = self.misses = 0

    def __call__(self, arch: Architecture, workload: Workload, mappings: Sequence[Mapping | None]) -> Costs:
        latency = np.full(len(mappings), np.inf)
        energy = np.full(len(mappings), np.inf)
        valid = np.zeros(len(mappings), dtype=bool)
        for i, mapping in enumerate(mappings):
            if mapping is None:
                continue
            result = self.one(arch, workload, mapping)
            if result is not None:
                latency[i], energy[i] = result
                valid[i] = True
        return Costs(latency, energy, valid)

    def one(self, arch: Architecture, workload: Workload, mapping: Mapping) -> tuple[float, float] | None:
        """(latency cycles, energy pJ), or None when the mapping is infeasible."""
        reuse: list = []
        dynamic: dict[str, float] = {}

        def cost(mapping: Mapping, arch: Architecture, workload: Workload, name: str, homes, walked: bool):
            if not reuse:
                reuse.append(on_chip_reuse(mapping, arch, workload, homes))
            local, forced = einsum_homes(name, homes, reuse[0])
            key = (name, mapping.einsums[name], mapping.group_loops(name), tuple(sorted(local.items())),
                   tuple(sorted(forced.items())), walked)
            einsum_cost_value, dynamic[name] = self._cost(key, mapping, arch, workload, name, homes, walked)
            return einsum_cost_value

        try:
            p = plan(arch, workload, mapping, cost_fn=cost)
        except InfeasibleMapping:
            return None
        cycles = schedule(p.phases, shared=arch.storage[0].shared_bandwidth, timeline_rows=0).latency_cycles
        return cycles, sum(dynamic.values()) + sum(leakage_energy_pj(arch, cycles).values())

    def _cost(self, key: tuple, mapping: Mapping, arch: Architecture, workload: Workload, name: str, homes,
              walked: bool) -> tuple[EinsumCost, float]:
        hit = self._cache.get(key)
        if hit is not None:
            self.hits += 1
            return hit
        self.misses += 1
        cost = einsum_cost(mapping, arch, workload, name, homes, walked)
        pj = float(sum(einsum_energy_pj(arch, cost, workload.einsum(name).op_counts).values()))
        self._cache[key] = (cost, pj)
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return cost, pj


def engine_costs(arch: Architecture, workload: Workload, mappings: Sequence[Mapping | None]) -> Costs:
    """One-off evaluation without a shared cache."""
    return EngineEvaluator()(arch, workload, mappings)
