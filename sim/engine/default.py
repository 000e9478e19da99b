"""The default heuristic mapping, used when the user gives none (the mapper searches better).

- Binding: each Einsum runs on the unit that finishes its ops soonest.
- Spatial: output ranks (never iterative ones) fill the unit's mesh axes, then its instances.
- Temporal: factors start at the outermost level and move inward, reduced ranks first,
  while the level's tiles (double-buffered) fit in half its capacity.
- Fusion: Einsums that carry values across an iterative rank are fused over the batch
  ranks, a split of their other shared ranks sized to fit on chip, and the iterative rank.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping as MappingABC

from arch import Architecture, ComputeUnit
from sim.engine.mapping import (
    EinsumMapping,
    FusionGroup,
    LevelMapping,
    Loop,
    Mapping,
    mapped_einsums,
    root_group,
    unit_levels,
)
from sim.engine.nest import input_accesses, union_footprint
from sim.errors import SimulationError
from workloads import Einsum, Workload

BUDGET_FRACTION = 0.5


def choose_unit(arch: Architecture, einsum: Einsum) -> ComputeUnit:
    """The unit that executes all of the Einsum's ops soonest (ties: the first listed)."""
    counts = einsum.op_counts
    able = [u for u in arch.compute if all(u.supports(k) for k in counts)]
    if not able:
        raise SimulationError(f"no compute unit of {arch.name!r} executes all of {', '.join(sorted(counts))} "
                              f"(Einsum {einsum.name!r}); units: "
                              + "; ".join(f"{u.name} ({', '.join(sorted(u.ops))})" for u in arch.compute))
    return min(able, key=lambda u: u.cycles_per_pe(counts) / u.total_pes)


def default_mapping(arch: Architecture, workload: Workload) -> Mapping:
    groups = default_fusion(arch, workload)
    mapped = {e.name: e for e in mapped_einsums(workload)}
    root = root_group(groups, mapped, workload)
    einsums = {}
    for name in root.einsums():
        einsum = workload.einsum(name)
        loops = _ancestor_loops(root, name)
        einsums[name] = default_nest(arch, workload, einsum, choose_unit(arch, einsum).name, loops)
    return Mapping(einsums=einsums, root=root, double_buffering=True, source="<default mapping>",
                   notes=("default heuristic mapping (no mapping file given)",))


def _ancestor_loops(root: FusionGroup, name: str) -> tuple[Loop, ...]:
    from sim.engine.complete import _group_loops

    return _group_loops(root, name)


# ----------------------------------------------------------------------------- fusion


def default_fusion(arch: Architecture, workload: Workload) -> tuple[FusionGroup, ...]:
    if not workload.iterative_ranks or len(arch.storage) < 2:
        return ()
    members = [e for e in mapped_einsums(workload) if set(workload.iterative_ranks) & set(e.ranks)]
    if not members:
        return ()
    common = [r for r in members[0].ranks if all(r in e.ranks for e in members)]
    batch = [r for r in workload.batch_ranks if r in common]
    iterative = [r for r in workload.iterative_ranks if r in common]
    others = [r for r in common if r not in batch and r not in iterative]
    keep = arch.storage[1]
    factors = {r: 1 for r in others}
    budget = BUDGET_FRACTION * (keep.size_bytes if keep.size_bytes is not None else math.inf)
    sizes = dict(workload.ranks)
    while _group_bytes(members, workload, sizes, factors) > budget:
        grow = [r for r in others if sizes[r] // factors[r] > 1]
        if not grow:
            break
        rank = max(grow, key=lambda r: sizes[r] // factors[r])
        factors[rank] *= _smallest_prime(sizes[rank] // factors[rank])
    loops = (*(Loop(r, sizes[r]) for r in batch), *(Loop(r, f) for r, f in factors.items() if f > 1),
             *(Loop(r, sizes[r]) for r in iterative))
    return (FusionGroup("iterative", loops, tuple(e.name for e in members), "stall", keep.name),)


def _group_bytes(members, workload: Workload, sizes, factors) -> float:
    per_tensor: dict[str, float] = {}
    for einsum in members:
        extents = {r: 1 if r in workload.iterative_ranks or r in workload.batch_ranks
                   else sizes[r] // factors.get(r, 1) for r in einsum.ranks}
        for tensor, acc in _all_accesses(einsum).items():
            nbytes = union_footprint(acc, extents) * workload.tensor(tensor).bits / 8
            per_tensor[tensor] = max(per_tensor.get(tensor, 0.0), nbytes)
    return sum(per_tensor.values())


def _all_accesses(einsum: Einsum) -> dict:
    out = dict(input_accesses(einsum))
    out[einsum.output.tensor] = (*out.get(einsum.output.tensor, ()), einsum.output)
    return out


def _smallest_prime(n: int) -> int:
    for p in range(2, math.isqrt(n) + 1):
        if n % p == 0:
            return p
    return n


def _largest_divisor_at_most(n: int, limit: int) -> int:
    best = 1
    for d in range(1, math.isqrt(n) + 1):
        if n % d == 0:
            for cand in (d, n // d):
                if cand <= limit and cand > best:
                    best = cand
    return best


# ----------------------------------------------------------------------------- one Einsum


def default_nest(arch: Architecture, workload: Workload, einsum: Einsum, unit_name: str,
                 group_loops: tuple[Loop, ...] = (), pass_overhead_cycles: float = 0.0) -> EinsumMapping:
    """A fitting nest for the factors of ``einsum`` that ``group_loops`` leave."""
    unit = arch.unit(unit_name)
    path = unit_levels(arch, unit_name)
    rem = {r: s for r, s in einsum.rank_sizes.items()}
    for loop in group_loops:
        if loop.rank in rem:
            rem[loop.rank] //= loop.factor
    spatial = _spatial(arch, workload, einsum, unit, path, rem)
    temporal = _temporal(arch, workload, einsum, path, rem, spatial, fused=bool(group_loops))
    keeps = [_keep_set(arch, workload, einsum, path, temporal, spatial, i) for i in range(len(path))]
    levels = [LevelMapping(name, _order(einsum, workload, temporal[i]), tuple(spatial[i]), keeps[i])
              for i, name in enumerate(path)]
    levels.append(LevelMapping(unit_name))
    if not group_loops and len(levels[0].temporal) > 1:
        levels[0] = _best_outer_order(workload, einsum, unit_name, levels)
    return EinsumMapping(einsum.name, unit_name, tuple(levels), pass_overhead_cycles)


def _best_outer_order(workload: Workload, einsum: Einsum, unit: str, levels: list[LevelMapping]) -> LevelMapping:
    """The order of the outermost loops that moves the fewest bytes at the outermost level."""
    from sim.engine.counts import einsum_counts
    from sim.engine.nest import Nest

    outer = levels[0]
    homes = dict.fromkeys(workload.tensors, outer.level)
    best, best_bytes = outer, math.inf
    for order in itertools.islice(itertools.permutations(outer.temporal), 720):
        candidate = LevelMapping(outer.level, order, outer.spatial, outer.keep, outer.bypass)
        nest = Nest(einsum, unit, (candidate, *levels[1:]), len(levels) - 1)
        moved = sum(c.read_bytes + c.write_bytes for c in einsum_counts(nest, workload, homes)
                    if c.level == outer.level)
        if moved < best_bytes:
            best, best_bytes = candidate, moved
    return best


def fanouts(arch: Architecture, unit: ComputeUnit, path: tuple[str, ...]) -> list[int]:
    """Instances each level of the path fans out to (the last: the unit's PEs)."""
    inst = [arch.level(name).instances for name in path]
    out = [max(1, inst[i + 1] // inst[i]) for i in range(len(path) - 1)]
    out.append(max(1, unit.total_pes // inst[-1]))
    return out


def _spatial(arch: Architecture, workload: Workload, einsum: Einsum, unit: ComputeUnit, path, rem
             ) -> list[list[Loop]]:
    fans = fanouts(arch, unit, path)
    mesh_level = max((i for i, f in enumerate(fans) if f > 1), default=None)
    out: list[list[Loop]] = [[] for _ in path]
    candidates = [r for r in einsum.output.ranks if r not in workload.iterative_ranks and r in rem]
    for i, fan in enumerate(fans):
        if fan <= 1:
            continue
        slots: list[tuple[int, int | None]] = []
        if i == mesh_level and fan >= unit.pes_per_instance:
            slots = [(size, axis) for axis, size in enumerate(unit.mesh) if size > 1]
            fan //= unit.pes_per_instance
        if fan > 1:
            slots.append((fan, None))
        for size, axis in slots:
            loop = _fill_slot(rem, candidates, size, axis)
            if loop is not None:
                out[i].append(loop)
    return out


def _fill_slot(rem: dict[str, int], candidates: list[str], size: int, axis: int | None) -> Loop | None:
    best = max(candidates, key=lambda r: (_largest_divisor_at_most(rem[r], size), rem[r]), default=None)
    if best is None:
        return None
    factor = _largest_divisor_at_most(rem[best], size)
    if factor <= 1:
        return None
    rem[best] //= factor
    return Loop(best, factor, True, axis)


def _temporal(arch: Architecture, workload: Workload, einsum: Einsum, path, rem, spatial, fused: bool
              ) -> list[dict[str, int]]:
    t = [{r: 1 for r in einsum.ranks} for _ in path]
    t[0] = dict(rem)
    def priority(rank: str) -> tuple[int, int]:
        if rank in einsum.reduced_ranks:
            return (0, -rem[rank])
        return (2 if rank in workload.iterative_ranks else 1 if rank in workload.batch_ranks else 0, -rem[rank])

    order = sorted(rem, key=lambda r: (r not in einsum.reduced_ranks, *priority(r)))
    for i in range(len(path) - 1, 0, -1):
        level = arch.level(path[i])
        budget = math.inf if level.size_bytes is None else BUDGET_FRACTION * level.size_bytes
        tiers = [[r for r in order if r not in workload.batch_ranks and r not in workload.iterative_ranks],
                 [r for r in order if r in workload.batch_ranks or r in workload.iterative_ranks]]
        for tier in tiers:
            _grow(workload, einsum, t, spatial, i, [r for r in tier if t[0][r] > 1], budget)
    if fused and len(path) > 1:
        for rank, f in t[0].items():
            t[1][rank] *= f
            t[0][rank] = 1
    return t


def _grow(workload: Workload, einsum: Einsum, t, spatial, i: int, growing: list[str], budget: float) -> None:
    """Round-robin: give each rank one more prime factor at level ``i`` while the tiles fit."""
    while growing:
            for rank in list(growing):
                p = _smallest_prime(t[0][rank])
                t[i][rank] *= p
                if _tile_bytes(workload, einsum, t, spatial, i) * 2 > budget:
                    t[i][rank] //= p
                    growing.remove(rank)
                    continue
                t[0][rank] //= p
                if t[0][rank] == 1:
                    growing.remove(rank)


def _keep_set(arch: Architecture, workload: Workload, einsum: Einsum, path, t, spatial, index: int
              ) -> tuple[str, ...] | None:
    """All tensors if they fit; else the output first, then the smallest inputs that still fit."""
    level = arch.level(path[index])
    if index == 0 or level.size_bytes is None:
        return None
    copies = 1 if index == len(path) - 1 else 2
    sizes = _tensor_bytes(workload, einsum, t, spatial, index)
    if sum(sizes.values()) * copies <= level.size_bytes:
        return None
    keep: list[str] = []
    used = 0.0
    order = [einsum.output.tensor, *sorted((n for n in sizes if n != einsum.output.tensor), key=sizes.get)]
    for name in order:
        if used + sizes[name] * copies <= level.size_bytes:
            keep.append(name)
            used += sizes[name] * copies
    return tuple(keep)


def _tensor_bytes(workload: Workload, einsum: Einsum, t, spatial, index: int) -> dict[str, float]:
    extents = {r: 1 for r in einsum.ranks}
    for i in range(index, len(t)):
        for r, f in t[i].items():
            extents[r] *= f
        for loop in spatial[i]:
            extents[loop.rank] *= loop.factor
    return {name: union_footprint(acc, extents) * workload.tensor(name).bits / 8
            for name, acc in _all_accesses(einsum).items()}


def _tile_bytes(workload: Workload, einsum: Einsum, t, spatial, index: int) -> float:
    extents = {r: 1 for r in einsum.ranks}
    for i in range(index, len(t)):
        for r, f in t[i].items():
            extents[r] *= f
        for loop in spatial[i]:
            extents[loop.rank] *= loop.factor
    return sum(union_footprint(acc, extents) * workload.tensor(name).bits / 8
               for name, acc in _all_accesses(einsum).items())


def _order(einsum: Einsum, workload: Workload, factors: MappingABC[str, int]) -> tuple[Loop, ...]:
    """Iterative ranks outermost, then output ranks, reduced ranks innermost."""
    def key(rank: str) -> tuple[int, int]:
        if rank in workload.iterative_ranks:
            return (0, 0)
        return (2, 0) if rank in einsum.reduced_ranks else (1, einsum.ranks.index(rank))

    return tuple(Loop(r, factors[r]) for r in sorted(factors, key=key) if factors[r] > 1)
