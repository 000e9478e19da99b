"""Frozen domain objects of an architecture; nothing downstream sees raw YAML."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Op:
    """One operation kind on one PE: native, or implemented as other native ops."""

    kind: str
    ops_per_cycle: float
    energy_pj: float
    implemented_as: Mapping[str, float]
    ops_per_cycle_by_dtype: Mapping[str, float]

    def rate(self, dtype: str | None = None) -> float:
        """Per-PE ops per cycle, for ``dtype`` where a specific rate is given."""
        if dtype is not None and dtype in self.ops_per_cycle_by_dtype:
            return self.ops_per_cycle_by_dtype[dtype]
        return self.ops_per_cycle


@dataclass(frozen=True)
class ComputeUnit:
    name: str
    kind: str
    mesh: tuple[int, ...]
    instances: int
    storage: str
    ops: Mapping[str, Op]
    pe_area_um2: float
    leakage_power_mw: float
    spatial_reduction: bool = False

    @property
    def pes_per_instance(self) -> int:
        return math.prod(self.mesh)

    @property
    def total_pes(self) -> int:
        return self.pes_per_instance * self.instances

    @property
    def area_um2(self) -> float:
        return self.pe_area_um2 * self.total_pes

    def supports(self, op: str) -> bool:
        return op in self.ops

    def op(self, op: str) -> Op:
        try:
            return self.ops[op]
        except KeyError:
            raise KeyError(f"unit {self.name!r} cannot execute {op!r}; it supports "
                           f"{', '.join(sorted(self.ops))}") from None

    def throughput_per_cycle(self, op: str, dtype: str | None = None) -> float:
        """Ops per cycle of the whole unit (all PEs, all instances)."""
        return self.op(op).rate(dtype) * self.total_pes

    def cycles_per_pe(self, counts: Mapping[str, float], dtype: str | None = None) -> float:
        """PE-cycles needed for ``counts`` ops on one PE (ops run back to back)."""
        return sum(n / self.op(kind).rate(dtype) for kind, n in counts.items())

    def energy_pj(self, op: str) -> float:
        return self.op(op).energy_pj


@dataclass(frozen=True)
class StorageLevel:
    name: str
    size_bytes: float | None
    word_bits: int
    access_bits: int
    instances: int
    read_bandwidth_bytes_per_cycle: float
    write_bandwidth_bytes_per_cycle: float
    shared_bandwidth: bool
    read_energy_pj: float
    write_energy_pj: float
    area_um2: float
    leakage_power_mw: float

    @property
    def bounded(self) -> bool:
        return self.size_bytes is not None

    @property
    def total_size_bytes(self) -> float:
        return math.inf if self.size_bytes is None else self.size_bytes * self.instances

    @property
    def read_energy_pj_per_byte(self) -> float:
        return self.read_energy_pj * 8 / self.access_bits

    @property
    def write_energy_pj_per_byte(self) -> float:
        return self.write_energy_pj * 8 / self.access_bits

    def transfer_cycles(self, read_bytes: float, write_bytes: float, instances: int | None = None) -> float:
        """Cycles to move the bytes through ``instances`` copies (default: all)."""
        n = self.instances if instances is None else instances
        reads = read_bytes / (self.read_bandwidth_bytes_per_cycle * n)
        writes = write_bytes / (self.write_bandwidth_bytes_per_cycle * n)
        return reads + writes if self.shared_bandwidth else max(reads, writes)


@dataclass(frozen=True)
class Architecture:
    name: str
    kind: str
    description: str
    technology: str
    clock_hz: float
    storage: tuple[StorageLevel, ...]
    compute: tuple[ComputeUnit, ...]
    parameters: Mapping[str, Any]
    sections: Mapping[str, BaseModel]
    sources: tuple[str, ...]
    file: str

    def level(self, name: str) -> StorageLevel:
        for level in self.storage:
            if level.name == name:
                return level
        raise KeyError(f"no storage level {name!r}; levels: {', '.join(s.name for s in self.storage)}")

    def unit(self, name: str) -> ComputeUnit:
        for unit in self.compute:
            if unit.name == name:
                return unit
        raise KeyError(f"no compute unit {name!r}; units: {', '.join(u.name for u in self.compute)}")

    def section(self, name: str) -> Any:
        try:
            return self.sections[name]
        except KeyError:
            raise KeyError(f"architecture {self.name!r} has no {name!r} section") from None

    @property
    def outermost(self) -> StorageLevel:
        return self.storage[0]

    def area_breakdown_um2(self) -> dict[str, float]:
        parts = {level.name: level.area_um2 * level.instances for level in self.storage}
        parts.update({unit.name: unit.area_um2 for unit in self.compute})
        return parts

    @property
    def total_area_um2(self) -> float:
        return float(sum(self.area_breakdown_um2().values()))
