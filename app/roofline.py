"""Roofline position of a result: points (per Einsum and whole workload) and roofs.

Operational intensity is ops per byte moved at the outermost memory level, achieved
performance is ops per cycle (a ``mac`` counts as one op). Roofs come from the
architecture: each compute unit's peak for its main op (``mac`` where it has one, else
its fastest op) at the workload's dtype, and the outermost level's read bandwidth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from arch import Architecture, ComputeUnit
from sim.result import Result
from workloads import Workload

ROOF_SAMPLES = 64


@dataclass(frozen=True)
class Roofline:
    points: pd.DataFrame
    roofs: pd.DataFrame
    level: str
    bandwidth_bytes_per_cycle: float
    reason: str = ""

    @property
    def available(self) -> bool:
        return not self.points.empty


def main_op(unit: ComputeUnit, dtype: str | None) -> tuple[str, float]:
    """The op a roof is drawn for and the unit's peak of it (ops per cycle, all PEs)."""
    if unit.supports("mac"):
        return "mac", unit.throughput_per_cycle("mac", dtype)
    best = max(unit.ops, key=lambda kind: unit.op(kind).rate(dtype))
    return best, unit.throughput_per_cycle(best, dtype)


def roofline(result: Result, hardware: Architecture, workload: Workload) -> Roofline:
    empty = pd.DataFrame(columns=["name", "unit", "intensity_ops_per_byte", "ops_per_cycle", "ops", "bytes"])
    if not hardware.storage:
        return Roofline(empty, pd.DataFrame(), "", 0.0, "the architecture has no memory levels")
    level = hardware.outermost
    bandwidth = level.read_bandwidth_bytes_per_cycle * level.instances
    points = _points(result, level.name)
    if points.empty:
        return Roofline(empty, pd.DataFrame(), level.name, bandwidth,
                        f"the {result.model.split(' (')[0]} model reports no ops with traffic at {level.name}")
    return Roofline(points, _roofs(hardware, workload.dtype, bandwidth, points), level.name, bandwidth)


def _points(result: Result, level: str) -> pd.DataFrame:
    rows = []
    for e in result.einsums:
        ops = float(sum(e.op_counts.values()))
        moved = sum(t.total_bytes for t in e.traffic if t.level == level)
        if ops > 0 and moved > 0 and e.latency_cycles > 0:
            rows.append(_point(e.name, e.unit or "-", ops, moved, e.latency_cycles))
    total_ops = float(sum(sum(e.op_counts.values()) for e in result.einsums))
    total_bytes = sum(t.total_bytes for t in result.traffic if t.level == level)
    if total_ops > 0 and total_bytes > 0 and result.latency_cycles > 0:
        rows.append(_point("whole workload", "all", total_ops, total_bytes, result.latency_cycles))
    return pd.DataFrame(rows, columns=["name", "unit", "intensity_ops_per_byte", "ops_per_cycle", "ops", "bytes"])


def _point(name: str, unit: str, ops: float, moved: float, cycles: float) -> dict:
    return {"name": name, "unit": unit, "intensity_ops_per_byte": ops / moved, "ops_per_cycle": ops / cycles,
            "ops": ops, "bytes": moved}


def _roofs(hardware: Architecture, dtype: str, bandwidth: float, points: pd.DataFrame) -> pd.DataFrame:
    """min(peak, bandwidth x intensity) per unit, sampled on a log grid spanning the points and ridges."""
    peaks = {}
    for unit in hardware.compute:
        if unit.ops:
            op, peak = main_op(unit, dtype)
            peaks[f"{unit.name} ({op})"] = peak
    ridges = [p / bandwidth for p in peaks.values() if bandwidth > 0]
    xs = [*points["intensity_ops_per_byte"], *ridges]
    lo, hi = min(xs) / 4, max(xs) * 4
    grid = np.logspace(math.log10(lo), math.log10(hi), ROOF_SAMPLES)
    rows = [{"roof": name, "intensity_ops_per_byte": float(x), "ops_per_cycle": float(min(peak, bandwidth * x))}
            for name, peak in peaks.items() for x in grid]
    return pd.DataFrame(rows, columns=["roof", "intensity_ops_per_byte", "ops_per_cycle"])
