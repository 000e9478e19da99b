"""Simulation results: one frozen object every backend returns.

Every number carries its breakdown: per Einsum, per unit, per memory level, with the
bound that limits it, so that an estimate can always be explained.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from types import MappingProxyType
from typing import Any


def frozen_map(data: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(data or {}))


@dataclass(frozen=True)
class LevelTraffic:
    """Bytes moved at one storage level (reads out of it, writes into it)."""

    level: str
    read_bytes: float
    write_bytes: float

    @property
    def total_bytes(self) -> float:
        return self.read_bytes + self.write_bytes


@dataclass(frozen=True)
class EinsumResult:
    """Per-Einsum breakdown."""

    name: str
    unit: str | None
    op_counts: Mapping[str, float]
    latency_cycles: float
    compute_cycles: float
    bandwidth_cycles: Mapping[str, float]
    traffic: tuple[LevelTraffic, ...]
    energy_pj: Mapping[str, float]
    bound: str

    @property
    def total_energy_pj(self) -> float:
        return float(sum(self.energy_pj.values()))


@dataclass(frozen=True)
class Result:
    """The outcome of simulating one workload on one architecture."""

    arch: str
    workload: str
    model: str
    clock_hz: float
    latency_cycles: float
    bound: str
    einsums: tuple[EinsumResult, ...] = ()
    traffic: tuple[LevelTraffic, ...] = ()
    energy_pj: Mapping[str, float] = field(default_factory=frozen_map)
    utilization: Mapping[str, float] = field(default_factory=frozen_map)
    area_um2: Mapping[str, float] = field(default_factory=frozen_map)
    metrics: Mapping[str, Any] = field(default_factory=frozen_map)
    tables: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=frozen_map)
    notes: tuple[str, ...] = ()

    @property
    def latency_s(self) -> float:
        return self.latency_cycles / self.clock_hz if self.clock_hz else math.nan

    @property
    def total_energy_pj(self) -> float:
        return float(sum(self.energy_pj.values()))

    @property
    def total_area_um2(self) -> float:
        return float(sum(self.area_um2.values()))

    def traffic_at(self, level: str) -> LevelTraffic:
        for item in self.traffic:
            if item.level == level:
                return item
        raise KeyError(f"no traffic recorded for level {level!r}; levels: "
                       f"{', '.join(t.level for t in self.traffic)}")

    def to_dict(self) -> dict[str, Any]:
        data = _plain(self)
        data["latency_s"] = self.latency_s
        data["total_energy_pj"] = self.total_energy_pj
        data["total_area_um2"] = self.total_area_um2
        return data


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value
