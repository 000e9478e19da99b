"""Per-Einsum totals (traffic per level, compute cycles) and the cost of one of its tasks.

A *task* is one execution of an Einsum for one iteration of the loops that the
schedule walks: its fusion groups' loops, or, for an unfused Einsum, its own loops at
the outermost level. A task's outermost-level traffic occupies that level's bandwidth
(loads before, stores after); its compute and its inner-level traffic overlap, so it
occupies its unit for the larger of the two.
"""

from __future__ import annotations

import math
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass

from arch import Architecture, StorageLevel
from sim.engine.counts import LevelCount, build_nest, einsum_counts, einsum_homes, on_chip_reuse
from sim.engine.mapping import Mapping
from sim.engine.nest import Nest
from workloads import Workload


@dataclass(frozen=True)
class EinsumCost:
    einsum: str
    unit: str
    nest: Nest
    counts: tuple[LevelCount, ...]
    tasks: int
    compute_cycles: float
    ideal_compute_cycles: float
    read_bytes: MappingABC[str, float]
    write_bytes: MappingABC[str, float]
    level_cycles: MappingABC[str, float]
    outer_read_bandwidth: float
    outer_write_bandwidth: float

    @property
    def load_bytes_per_task(self) -> float:
        return self.read_bytes.get(self.outer, 0.0) / self.tasks

    @property
    def store_bytes_per_task(self) -> float:
        return self.write_bytes.get(self.outer, 0.0) / self.tasks

    @property
    def load_cycles_per_task(self) -> float:
        return self.load_bytes_per_task / self.outer_read_bandwidth

    @property
    def store_cycles_per_task(self) -> float:
        return self.store_bytes_per_task / self.outer_write_bandwidth

    @property
    def outer(self) -> str:
        return self.nest.levels[0].level

    @property
    def inner_cycles(self) -> float:
        """Cycles of the busiest inner level (bandwidth inside the chip)."""
        return max((c for lv, c in self.level_cycles.items() if lv != self.outer), default=0.0)

    @property
    def exec_cycles_per_task(self) -> float:
        return max(self.compute_cycles, self.inner_cycles) / self.tasks

    @property
    def bound(self) -> str:
        inner = {lv: c for lv, c in self.level_cycles.items() if lv != self.outer}
        if inner and max(inner.values()) > self.compute_cycles:
            return max(inner, key=inner.get)
        return self.unit


def einsum_cost(mapping: Mapping, arch: Architecture, workload: Workload, name: str,
                homes: MappingABC[str, str], walked_at_root: bool) -> EinsumCost:
    einsum = workload.einsum(name)
    nest = build_nest(mapping, einsum)
    local, forced = einsum_homes(name, homes, on_chip_reuse(mapping, arch, workload, homes))
    counts = einsum_counts(nest, workload, local, forced)
    unit = arch.unit(nest.unit)
    dtype = workload.tensor(einsum.inputs[0].tensor).dtype if einsum.inputs else None
    per_point = unit.cycles_per_pe(einsum.ops_per_point, dtype)
    compute = nest.temporal_iterations * per_point + nest.pass_overhead_cycles * nest.passes
    ideal = einsum.points * per_point / unit.total_pes
    reads: dict[str, float] = {}
    writes: dict[str, float] = {}
    for c in counts:
        if c.is_unit:
            continue
        reads[c.level] = reads.get(c.level, 0.0) + c.read_bytes
        writes[c.level] = writes.get(c.level, 0.0) + c.write_bytes
    level_cycles = {lv: _transfer_cycles(arch.level(lv), reads[lv], writes[lv], _used_instances(nest, arch, lv))
                    for lv in reads}
    outer = arch.level(nest.levels[0].level)
    return EinsumCost(name, nest.unit, nest, counts, _task_count(mapping, nest, walked_at_root), compute, ideal,
                      reads, writes, level_cycles, outer.read_bandwidth_bytes_per_cycle * outer.instances,
                      outer.write_bandwidth_bytes_per_cycle * outer.instances)


def _used_instances(nest: Nest, arch: Architecture, level: str) -> int:
    names = [lv.level for lv in nest.levels]
    return max(1, min(arch.level(level).instances, nest.instances(names.index(level))))


def _transfer_cycles(level: StorageLevel, read_bytes: float, write_bytes: float, instances: int) -> float:
    return level.transfer_cycles(read_bytes, write_bytes, instances)


def _task_count(mapping: Mapping, nest: Nest, walked_at_root: bool) -> int:
    group = math.prod(loop.factor for loop in mapping.group_loops(nest.einsum.name))
    if not walked_at_root:
        return group
    return group * math.prod(loop.factor for loop in mapping.einsum(nest.einsum.name).levels[0].temporal)
