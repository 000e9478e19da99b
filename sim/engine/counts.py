"""Tile-level access counts (Timeloop-style loop-nest semantics).

For every Einsum, tensor and level that keeps the tensor:

- the **tile** at level ``k`` is what the loops at ``k`` and inside it touch;
- the tile changes once per iteration of the temporal loops above ``k``, except that
  trailing loops which do not index the tensor reuse it (stationarity): the number of
  tile changes is the product of the loops above ``k`` from the outermost down to the
  innermost one that indexes the tensor;
- **fills** (elements written into ``k`` from its parent) = tile x changes x instances;
  the parent reads them once per multicast group (spatial loops between the two
  levels that do not index the tensor send one read to many children);
- outputs **drain** the same way: each change writes the tile back (``updates`` of the
  parent, divided by the spatial reduction factor); when a tile comes back after a
  reduction loop moved on, its partial sums are read back from the parent (fills =
  drains - first visits).

The compute unit's registers are the innermost keeping level of every tensor. A
tensor's **home** is where it lives between producer and consumers: the outermost level
for workload inputs/outputs and unfused intermediates, the fusion group's
``keep_level`` for intermediates produced and consumed inside one group iteration.
"""

from __future__ import annotations

import math
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass

from arch import Architecture
from sim.engine.mapping import FusionGroup, Mapping, is_free, view_sources
from sim.engine.nest import Nest, input_accesses, relevant, union_footprint
from workloads import Einsum, TensorAccess, Workload


@dataclass(frozen=True)
class LevelCount:
    """Element counts of one tensor of one Einsum at one level (all instances together)."""

    einsum: str
    tensor: str
    level: str
    is_unit: bool
    reads: float
    fills: float
    updates: float
    tile_elements: int
    instances: int
    multicast: int
    bytes_per_element: float

    @property
    def read_bytes(self) -> float:
        return self.reads * self.bytes_per_element

    @property
    def write_bytes(self) -> float:
        return (self.fills + self.updates) * self.bytes_per_element


def build_nest(mapping: Mapping, einsum: Einsum) -> Nest:
    em = mapping.einsum(einsum.name)
    levels = mapping.full_nest(einsum.name)
    return Nest(einsum, em.unit, levels, len(levels) - 1, em.pass_overhead_cycles)


def tensor_homes(mapping: Mapping, arch: Architecture, workload: Workload) -> dict[str, str]:
    """Tensor -> the storage level it lives in between its producer and its consumers."""
    outer = arch.storage[0].name
    default_keep = arch.storage[1].name if len(arch.storage) > 1 else outer
    users: dict[str, set[str]] = {}
    for einsum in workload.einsums:
        if is_free(einsum):
            continue
        for tensor in (einsum.output.tensor, *einsum.input_tensors):
            users.setdefault(tensor, set()).add(einsum.name)
    views = view_sources(workload)
    homes = {}
    for name, tensor in workload.tensors.items():
        if tensor.role != "intermediate" or name in views or name not in users:
            homes[name] = outer
            continue
        group = _lowest_common_group(mapping.root, users[name])
        homes[name] = outer if group is None or not group.loops else (group.keep_level or default_keep)
    return homes


def _lowest_common_group(root: FusionGroup, einsums: set[str]) -> FusionGroup | None:
    best = None
    for group in root.groups():
        if einsums <= set(group.einsums()):
            best = group
    return best


def einsum_counts(nest: Nest, workload: Workload, homes: MappingABC[str, str]) -> tuple[LevelCount, ...]:
    """Counts of every tensor of one Einsum at every level that keeps it."""
    einsum = nest.einsum
    out: list[LevelCount] = []
    for tensor, acc in input_accesses(einsum).items():
        out += _tensor_counts(nest, workload, tensor, acc, False, homes[tensor])
    out += _tensor_counts(nest, workload, einsum.output.tensor, (einsum.output,), True, homes[einsum.output.tensor])
    return tuple(out)


def keeping_levels(nest: Nest, tensor: str, home: str) -> list[int]:
    names = [lv.level for lv in nest.levels]
    home_index = names.index(home) if home in names else 0
    home_index = min(home_index, nest.unit_level - 1) if nest.unit_level > 0 else 0
    keep = [home_index]
    keep += [i for i in range(home_index + 1, nest.unit_level) if nest.levels[i].keeps(tensor)]
    keep.append(nest.unit_level)
    return keep


def _changes(nest: Nest, acc: tuple[TensorAccess, ...], index: int) -> tuple[int, int]:
    """(tile changes, distinct tiles) caused by the temporal loops above level ``index``."""
    loops = [lp for lp in nest.temporal_above(index) if lp.factor > 1]
    rel = [any(relevant(a, lp.rank) for a in acc) for lp in loops]
    last = max((i for i, r in enumerate(rel) if r), default=-1)
    changes = math.prod(lp.factor for lp in loops[: last + 1])
    distinct = math.prod(lp.factor for lp, r in zip(loops, rel, strict=True) if r)
    return changes, distinct


def _irrelevant_spatial(nest: Nest, acc: tuple[TensorAccess, ...], outer: int, inner: int) -> int:
    return math.prod(lp.factor for lp in nest.spatial_between(outer, inner)
                     if not any(relevant(a, lp.rank) for a in acc))


def _tensor_counts(nest: Nest, workload: Workload, tensor: str, acc: tuple[TensorAccess, ...], is_output: bool,
                   home: str) -> list[LevelCount]:
    keep = keeping_levels(nest, tensor, home)
    bpe = workload.tensor(tensor).bits / 8
    reads = dict.fromkeys(keep, 0.0)
    fills = dict.fromkeys(keep, 0.0)
    updates = dict.fromkeys(keep, 0.0)
    tiles, insts, casts = {}, {}, {}
    for pos, k in enumerate(keep):
        tiles[k] = union_footprint(acc, nest.extents_below(k))
        insts[k] = nest.instances(k)
        casts[k] = 1
        if pos == 0:
            continue
        parent = keep[pos - 1]
        changes, distinct = _changes(nest, acc, k)
        moved = tiles[k] * changes * insts[k]
        factor = _irrelevant_spatial(nest, acc, parent, k)
        casts[k] = factor
        if is_output:
            first = tiles[k] * distinct * insts[k]
            updates[parent] += moved / factor
            fills[k] += moved - first
            reads[parent] += (moved - first) / factor
        else:
            fills[k] += moved
            reads[parent] += moved / factor
    return [LevelCount(nest.einsum.name, tensor, nest.levels[k].level, k == nest.unit_level, reads[k], fills[k],
                       updates[k], tiles[k], insts[k], casts[k], bpe) for k in keep]
