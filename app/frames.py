"""Result -> DataFrames for the dashboard's charts and tables.

Pure functions over :class:`sim.result.Result` (and the frozen arch/workload objects):
they reshape numbers the simulator already produced and compute nothing new except
ratios needed to place a point on a chart (ops per byte, ops per cycle).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from arch import Architecture
from sim.result import Result

LEVEL = "memory level"
UNIT = "compute unit"
OTHER = "other"


def summary_frame(result: Result) -> pd.DataFrame:
    """One row of headline numbers."""
    return pd.DataFrame([{
        "arch": result.arch, "workload": result.workload, "model": result.model,
        "latency_cycles": float(result.latency_cycles), "latency_ms": result.latency_s * 1e3,
        "energy_uj": result.total_energy_pj / 1e6, "area_mm2": result.total_area_um2 / 1e6,
        "bound": result.bound,
    }])


def einsum_frame(result: Result) -> pd.DataFrame:
    """Per Einsum: unit, ops, compute/bandwidth/total cycles, energy, bound."""
    rows = []
    for e in result.einsums:
        bandwidth = max(e.bandwidth_cycles.values(), default=0.0)
        rows.append({"einsum": e.name, "unit": e.unit or "-", "ops": float(sum(e.op_counts.values())),
                     "compute_cycles": float(e.compute_cycles), "bandwidth_cycles": float(bandwidth),
                     "latency_cycles": float(e.latency_cycles), "energy_pj": e.total_energy_pj, "bound": e.bound})
    return pd.DataFrame(rows, columns=["einsum", "unit", "ops", "compute_cycles", "bandwidth_cycles",
                                       "latency_cycles", "energy_pj", "bound"])


def einsum_cycles_long(result: Result) -> pd.DataFrame:
    """Per Einsum and limit (compute, or one memory level's bandwidth): cycles, for grouped bars."""
    rows = []
    for e in result.einsums:
        rows.append({"einsum": e.name, "limit": f"compute ({e.unit or '-'})", "cycles": float(e.compute_cycles)})
        rows.extend({"einsum": e.name, "limit": f"bandwidth {level}", "cycles": float(c)}
                    for level, c in e.bandwidth_cycles.items())
    return pd.DataFrame(rows, columns=["einsum", "limit", "cycles"])


def component_kinds(hardware: Architecture | None) -> dict[str, str]:
    """Component name -> 'memory level' or 'compute unit' (from the architecture)."""
    if hardware is None:
        return {}
    kinds = {level.name: LEVEL for level in hardware.storage}
    kinds.update({unit.name: UNIT for unit in hardware.compute})
    return kinds


def energy_frame(result: Result, hardware: Architecture | None = None) -> pd.DataFrame:
    """Energy per component, with its kind and share of the total."""
    kinds = component_kinds(hardware)
    total = result.total_energy_pj or 1.0
    rows = [{"component": part, "kind": kinds.get(part, OTHER), "energy_pj": float(pj), "share": float(pj) / total}
            for part, pj in result.energy_pj.items()]
    return pd.DataFrame(rows, columns=["component", "kind", "energy_pj", "share"])


def einsum_energy_long(result: Result, hardware: Architecture | None = None) -> pd.DataFrame:
    """Per Einsum and component: energy (stacked bars)."""
    kinds = component_kinds(hardware)
    rows = [{"einsum": e.name, "component": part, "kind": kinds.get(part, OTHER), "energy_pj": float(pj)}
            for e in result.einsums for part, pj in e.energy_pj.items()]
    return pd.DataFrame(rows, columns=["einsum", "component", "kind", "energy_pj"])


def traffic_frame(result: Result) -> pd.DataFrame:
    """Per memory level (outermost first) and direction: bytes."""
    rows = []
    for order, t in enumerate(result.traffic):
        rows.append({"level": t.level, "order": order, "direction": "read", "bytes": float(t.read_bytes)})
        rows.append({"level": t.level, "order": order, "direction": "write", "bytes": float(t.write_bytes)})
    return pd.DataFrame(rows, columns=["level", "order", "direction", "bytes"])


def einsum_traffic_long(result: Result) -> pd.DataFrame:
    """Per Einsum and memory level: read + write bytes (heat map)."""
    rows = [{"einsum": e.name, "level": t.level, "bytes": float(t.total_bytes)}
            for e in result.einsums for t in e.traffic]
    return pd.DataFrame(rows, columns=["einsum", "level", "bytes"])


def utilization_frame(result: Result) -> pd.DataFrame:
    rows = [{"unit": unit, "utilization": float(u)} for unit, u in result.utilization.items()]
    return pd.DataFrame(rows, columns=["unit", "utilization"])


def unit_latency_frame(result: Result) -> pd.DataFrame:
    """Per compute unit: the Einsums it runs, their summed latency and energy."""
    frame = einsum_frame(result)
    if frame.empty:
        return pd.DataFrame(columns=["unit", "einsums", "latency_cycles", "energy_pj"])
    grouped = frame.groupby("unit", sort=False).agg(
        einsums=("einsum", lambda s: ", ".join(s)), latency_cycles=("latency_cycles", "sum"),
        energy_pj=("energy_pj", "sum"))
    return grouped.reset_index()


def metrics_frame(result: Result) -> pd.DataFrame:
    rows = [{"metric": k, "value": _text(v)} for k, v in result.metrics.items()]
    return pd.DataFrame(rows, columns=["metric", "value"])


def table_frame(rows: Iterable[Mapping]) -> pd.DataFrame:
    return pd.DataFrame([dict(r) for r in rows])


def _text(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def compare_frame(results: Mapping[str, Result], shaper) -> pd.DataFrame:
    """``shaper(result)`` for each labelled result, stacked with a ``design`` column."""
    frames = [shaper(r).assign(design=label) for label, r in results.items()]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["design"])


def compare_summary(results: Mapping[str, Result]) -> pd.DataFrame:
    """Headline numbers of each design, one row per design."""
    frame = pd.concat([summary_frame(r).assign(design=label) for label, r in results.items()], ignore_index=True)
    return frame.set_index("design")


def compare_ratios(summary: pd.DataFrame) -> pd.DataFrame:
    """Second design / first design for latency, energy and area where both have the number."""
    first, second = summary.index[:2]
    rows = []
    for column in ("latency_ms", "latency_cycles", "energy_uj", "area_mm2"):
        a, b = float(summary.loc[first, column]), float(summary.loc[second, column])
        if a > 0 and b > 0:
            rows.append({"quantity": column, "ratio": f"{b / a:.4g}", "meaning": f"{second} / {first}"})
    return pd.DataFrame(rows, columns=["quantity", "ratio", "meaning"])
