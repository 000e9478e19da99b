"""Building blocks for mapping search (the mapper): construct, vary and enumerate mappings.

- :func:`factorizations` -- ordered ways to split a rank over levels;
- :func:`with_einsum` / :func:`with_fusion` -- a mapping with one Einsum's nest or the fusion tree replaced;
- :func:`einsum_candidates` -- nests of one Einsum: spatial as in the default heuristic, temporal
  factors over the unit's levels in every split, a few loop orders per level;
- evaluate candidates with :func:`sim.engine.evaluate.latency_cycles` or
  :func:`sim.engine.evaluate.evaluate_many` (infeasible ones come back as ``None``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from types import MappingProxyType

from arch import Architecture
from sim.engine.default import default_nest
from sim.engine.mapping import EinsumMapping, FusionGroup, LevelMapping, Loop, Mapping, mapped_einsums, root_group
from workloads import Workload


def factorizations(n: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every ordered tuple of ``parts`` positive integers whose product is ``n``."""
    if parts == 1:
        yield (n,)
        return
    for d in range(1, n + 1):
        if n % d == 0:
            for rest in factorizations(n // d, parts - 1):
                yield (d, *rest)


def with_einsum(mapping: Mapping, nest: EinsumMapping) -> Mapping:
    einsums = dict(mapping.einsums)
    einsums[nest.einsum] = nest
    return replace(mapping, einsums=MappingProxyType(einsums))


def with_fusion(mapping: Mapping, groups: tuple[FusionGroup, ...], workload: Workload) -> Mapping:
    """The same nests under a new fusion tree (nests must fit the new group loops)."""
    mapped = {e.name: e for e in mapped_einsums(workload)}
    return replace(mapping, root=root_group(groups, mapped, workload))


def einsum_candidates(arch: Architecture, workload: Workload, mapping: Mapping, einsum: str,
                      unit: str | None = None, orders_per_level: int = 2) -> Iterator[EinsumMapping]:
    """Nests of ``einsum`` for the factors its fusion groups leave (spatial loops kept from the default).

    Temporal factors of each rank are split over the storage levels in every way; each
    level takes its loops either reduced-ranks-innermost or reduced-ranks-outermost
    (``orders_per_level`` = 1 keeps only the first).
    """
    unit = unit or mapping.einsum(einsum).unit
    base = default_nest(arch, workload, workload.einsum(einsum), unit, mapping.group_loops(einsum))
    e = workload.einsum(einsum)
    storage = base.levels[:-1]
    remaining = {r: 1 for r in e.ranks}
    for level in storage:
        for lp in level.temporal:
            remaining[lp.rank] *= lp.factor
    ranks = [r for r, f in remaining.items() if f > 1]
    splits = [list(factorizations(remaining[r], len(storage))) for r in ranks]
    orders = _orders(e.ranks, e.reduced_ranks)[:orders_per_level]
    seen: set[tuple] = set()
    for choice in itertools.product(*splits):
        for order_choice in itertools.product(orders, repeat=len(storage)):
            levels = []
            for i, level in enumerate(storage):
                factors = {r: choice[j][i] for j, r in enumerate(ranks)}
                loops = tuple(Loop(r, factors[r]) for r in order_choice[i] if factors.get(r, 1) > 1)
                levels.append(LevelMapping(level.level, loops, level.spatial, level.keep, level.bypass))
            key = tuple(lv.temporal for lv in levels)
            if key in seen:
                continue
            seen.add(key)
            yield EinsumMapping(einsum, unit, (*levels, base.levels[-1]), base.pass_overhead_cycles)


def _orders(ranks: tuple[str, ...], reduced: tuple[str, ...]) -> list[tuple[str, ...]]:
    outputs = [r for r in ranks if r not in reduced]
    return [(*outputs, *reduced), (*reduced, *outputs)]
