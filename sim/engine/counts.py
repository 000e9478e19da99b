"""Tile-level access counts (Timeloop-style loop-nest semantics).

For every Einsum, tensor and level that keeps the tensor:

- the **tile** at level ``k`` is what the loops at ``k`` and inside it touch (with ceil factors
  the capacity check uses the full tile and the traffic the real average tile, so a partial
  last tile moves only its real extent);
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
``keep_level`` for intermediates produced and consumed inside one group iteration (or
the level its ``keep_tensors`` names for the tensor).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass

from arch import Architecture
from sim.engine.mapping import FusionGroup, Mapping, is_free, tensor_users, unit_levels, view_sources
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
    kept = {t: level for g in mapping.root.groups() for t, level in g.keep_tensors}
    homes = {}
    for name, tensor in workload.tensors.items():
        if tensor.role != "intermediate" or name in views or name not in users:
            homes[name] = outer
            continue
        group = _lowest_common_group(mapping.root, users[name])
        homes[name] = outer if group is None or not group.loops else kept.get(name, group.keep_level or default_keep)
    return homes


def _lowest_common_group(root: FusionGroup, einsums: set[str]) -> FusionGroup | None:
    best = None
    for group in root.groups():
        if einsums <= set(group.einsums()):
            best = group
    return best


@dataclass(frozen=True)
class OnChipReuse:
    """A tensor homed at the outer level, used by several Einsums of one phase: ``source`` (its
    producer, or else its first reader in the phase) keeps the tile in ``level`` (the keep level of
    the group they share) and ``readers``, in the same group iteration, read it there instead of
    from the outer level. For a spilled intermediate this is write-through; for an input, one
    load shared by the readers of a fused group."""

    tensor: str
    source: str
    level: str
    readers: frozenset[str]


def on_chip_reuse(mapping: Mapping, arch: Architecture, workload: Workload,
                  homes: MappingABC[str, str]) -> tuple[OnChipReuse, ...]:
    """Every on-chip reuse of an outer-homed tensor between Einsums of one phase that share a
    fusion-group iteration (the group has loops and the keep level is on both units' paths)."""
    outer = arch.storage[0].name
    writers = {e.output.tensor: e.name for e in workload.einsums if e.name in mapping.einsums}
    phase_of = {n: i for i, child in enumerate(mapping.root.children)
                for n in (child.einsums() if isinstance(child, FusionGroup) else [child])}
    order = {n: i for i, n in enumerate(mapping.root.einsums())}
    out = []
    for tensor, users in tensor_users(workload).items():
        if homes.get(tensor) != outer or workload.tensor(tensor).role == "output":
            continue
        by_phase: dict[int, list[str]] = {}
        for name in sorted(users, key=order.get):
            by_phase.setdefault(phase_of[name], []).append(name)
        for members in by_phase.values():
            source = writers.get(tensor) if writers.get(tensor) in members else members[0]
            out += _reuse(mapping, arch, tensor, source, [n for n in members if n != source])
    return tuple(out)


def _reuse(mapping: Mapping, arch: Architecture, tensor: str, source: str, readers: list[str]
           ) -> list[OnChipReuse]:
    outer = arch.storage[0].name
    default_keep = arch.storage[1].name if len(arch.storage) > 1 else outer
    by_level: dict[str, set[str]] = {}
    for reader in readers:
        group = _lowest_common_group(mapping.root, {source, reader})
        if group is None or not group.loops:
            continue
        level = group.keep_level or default_keep
        paths = (unit_levels(arch, mapping.einsum(n).unit) for n in (source, reader))
        if level != outer and all(level in path for path in paths):
            by_level.setdefault(level, set()).add(reader)
    if not by_level:
        return []
    level = max(by_level, key=lambda lv: len(by_level[lv]))
    return [OnChipReuse(tensor, source, level, frozenset(by_level[level]))]


def einsum_homes(name: str, homes: MappingABC[str, str], reuse: Iterable[OnChipReuse]
                 ) -> tuple[dict[str, str], dict[str, str]]:
    """(homes as Einsum ``name`` reads them, levels it must keep a tensor in) under on-chip reuse."""
    local = dict(homes)
    forced = {}
    for r in reuse:
        if name in r.readers:
            local[r.tensor] = r.level
        if name == r.source:
            forced[r.tensor] = r.level
    return local, forced


def einsum_counts(nest: Nest, workload: Workload, homes: MappingABC[str, str],
                  forced: MappingABC[str, str] | None = None) -> tuple[LevelCount, ...]:
    """Counts of every tensor of one Einsum at every level that keeps it (``forced``: tensor -> a
    level that keeps it whatever the nest's keep/bypass says)."""
    einsum = nest.einsum
    forced = forced or {}
    out: list[LevelCount] = []
    for tensor, acc in input_accesses(einsum).items():
        out += _tensor_counts(nest, workload, tensor, acc, False, homes[tensor], forced.get(tensor))
    output = einsum.output.tensor
    out += _tensor_counts(nest, workload, output, (einsum.output,), True, homes[output], forced.get(output))
    return tuple(out)


def keeping_levels(nest: Nest, tensor: str, home: str, forced: str | None = None) -> list[int]:
    names = [lv.level for lv in nest.levels]
    home_index = names.index(home) if home in names else 0
    home_index = min(home_index, nest.unit_level - 1) if nest.unit_level > 0 else 0
    keep = [home_index]
    keep += [i for i in range(home_index + 1, nest.unit_level)
             if nest.levels[i].keeps(tensor) or names[i] == forced]
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
                   home: str, forced: str | None = None) -> list[LevelCount]:
    keep = keeping_levels(nest, tensor, home, forced)
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
        real = union_footprint(acc, nest.real_extents_below(k))
        parent = keep[pos - 1]
        changes, distinct = _changes(nest, acc, k)
        moved = real * changes * insts[k]
        factor = _irrelevant_spatial(nest, acc, parent, k)
        casts[k] = factor
        if is_output:
            first = real * distinct * insts[k]
            updates[parent] += moved / factor
            fills[k] += moved - first
            reads[parent] += (moved - first) / factor
        else:
            fills[k] += moved
            reads[parent] += moved / factor
    return [LevelCount(nest.einsum.name, tensor, nest.levels[k].level, k == nest.unit_level, reads[k], fills[k],
                       updates[k], tiles[k], insts[k], casts[k], bpe) for k in keep]
