"""Energy = actions x energy per action (+ leakage x time); area = sum of component areas."""

from __future__ import annotations

from collections.abc import Iterable

from arch import Architecture
from sim.engine.costs import EinsumCost

PJ_PER_MW_S = 1e9


def einsum_energy_pj(arch: Architecture, cost: EinsumCost, op_counts) -> dict[str, float]:
    """Dynamic energy of one Einsum: storage accesses per level, ops on its unit."""
    out: dict[str, float] = {}
    for level, nbytes in cost.read_bytes.items():
        spec = arch.level(level)
        pj = nbytes * spec.read_energy_pj_per_byte + cost.write_bytes[level] * spec.write_energy_pj_per_byte
        out[level] = out.get(level, 0.0) + pj
    unit = arch.unit(cost.unit)
    out[unit.name] = out.get(unit.name, 0.0) + sum(n * unit.energy_pj(kind) for kind, n in op_counts.items())
    return out


def leakage_energy_pj(arch: Architecture, latency_cycles: float) -> dict[str, float]:
    seconds = latency_cycles / arch.clock_hz
    out = {}
    for level in arch.storage:
        if level.leakage_power_mw:
            out[f"{level.name} leakage"] = level.leakage_power_mw * level.instances * seconds * PJ_PER_MW_S
    for unit in arch.compute:
        if unit.leakage_power_mw:
            out[f"{unit.name} leakage"] = unit.leakage_power_mw * seconds * PJ_PER_MW_S
    return out


def total_energy_pj(parts: Iterable[dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in parts:
        for key, pj in part.items():
            out[key] = out.get(key, 0.0) + pj
    return out
