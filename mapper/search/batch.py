"""Batch evaluation of genomes through the engine's batched kernel (:mod:`sim.engine.batch`).

Genomes are grouped by structure (fusion option, group splits, bindings: see
:mod:`mapper.search.structure`). Each structure is prepared once
(:func:`sim.engine.batch.prepare` on one decoded mapping of it, kept in an LRU cache);
the group's loop factors, orders and keep bits are then written straight into the
engine's candidate arrays and evaluated in one call, without building a
:class:`~sim.engine.mapping.Mapping` per genome. The numbers equal
:func:`sim.engine.evaluate.evaluate` on the decoded mappings (a test checks).

A structure the batched path cannot prepare falls back to the per-mapping evaluator.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from mapper.search.space import Costs
from sim.errors import SimulationError

PREPARED_CACHE = 256


class BatchEvaluator:
    """Callable ``genomes -> Costs`` for a :class:`~mapper.search.mapspace.CascadeSpace`."""

    def __init__(self, space, fallback, cache_size: int = PREPARED_CACHE):
        self._space = space
        self._fallback = fallback
        self._prepared: OrderedDict[tuple, tuple] = OrderedDict()
        self._cache_size = cache_size
        self.prepared_count = self.fallback_count = 0

    def __call__(self, genomes: np.ndarray) -> Costs:
        genomes = np.ascontiguousarray(genomes, dtype=np.int64)
        latency = np.full(len(genomes), np.inf)
        energy = np.full(len(genomes), np.inf)
        valid = np.zeros(len(genomes), dtype=bool)
        for plan, rows in self._space.structure_groups(genomes):
            if plan.reason is not None:
                continue
            factors = plan.rows(genomes[rows])
            alive = ~plan.pruned(genomes[rows], factors)
            live = rows[alive]
            if len(live) == 0:
                continue
            prepared, where = self._prepare(plan, genomes[live[0]])
            if prepared is None:
                costs = self._fallback(self._space.arch, self._space.workload, self._space.mappings(genomes[live]))
                latency[live], energy[live], valid[live] = costs.latency_cycles, costs.energy_pj, costs.valid
                self.fallback_count += len(live)
                continue
            candidates = prepared.candidates(len(live))
            where.fill(plan.flat, candidates, genomes[live], factors[alive])
            result = prepared.evaluate(candidates)
            latency[live], energy[live], valid[live] = result.latency_cycles, result.energy_pj, result.feasible
        return Costs(latency, energy, valid)

    def _prepare(self, plan, genome: np.ndarray):
        """The prepared template of ``plan``'s structure and where decoded values go in its arrays
        ((None, None): the batched path cannot take it)."""
        from sim.engine.batch import prepare

        if plan.key in self._prepared:
            self._prepared.move_to_end(plan.key)
            return self._prepared[plan.key]
        template = self._space.decode(genome).mapping
        try:
            prepared = prepare(self._space.arch, self._space.workload, template)
            entry = (prepared, plan.flat.fill_index(prepared))
            self.prepared_count += 1
        except (ValueError, SimulationError):
            entry = (None, None)
        self._prepared[plan.key] = entry
        if len(self._prepared) > self._cache_size:
            self._prepared.popitem(last=False)
        return entry
