"""What one worker does for one design point: load, map (search or default), simulate, make a row."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from mapper.search.settings import SearchSettings
from mapper.sweep.points import DesignPoint, load_point
from sim.errors import SimulationError
from sim.result import Result
from specbase import SpecError


@dataclass(frozen=True)
class PointTask:
    point: DesignPoint
    settings: SearchSettings


def evaluate_point(task: PointTask) -> dict[str, Any]:
    """The row of one design point; failures become rows with ``status: error``."""
    point = task.point
    row: dict[str, Any] = {"point_id": point.point_id, "point_key": point.key, "arch": point.arch,
                           "workload": point.workload, **dict(point.values)}
    start = time.perf_counter()
    try:
        hw, wl = load_point(point)
        row.update(_simulate(hw, wl, task.settings))
        row["status"] = "ok"
        row["error"] = None
    except (SpecError, SimulationError, ValueError, KeyError, ZeroDivisionError) as exc:
        message = exc.render() if isinstance(exc, SpecError) else f"{type(exc).__name__}: {exc}"
        row.update(status="error", error=message)
    row["point_seconds"] = time.perf_counter() - start
    return row


def _simulate(hw, wl, settings: SearchSettings) -> dict[str, Any]:
    if settings.strategy == "none":
        from sim import api

        result = api.run(hw, wl)
        return {**result_columns(result, hw), "mapping_yaml": None, "mappings_evaluated": 0,
                "search_seconds": 0.0}
    from mapper.search.driver import search_mapping

    outcome = search_mapping(hw, wl, settings)
    return {**result_columns(outcome.result, hw), "mapping_yaml": outcome.mapping_yaml,
            "mappings_evaluated": outcome.stats.evaluated, "search_seconds": outcome.stats.seconds}


def result_columns(result: Result, hw) -> dict[str, Any]:
    area = result.total_area_um2 or hw.total_area_um2
    latency_s = result.latency_s
    energy = result.total_energy_pj
    out: dict[str, Any] = {
        "arch_name": result.arch, "arch_kind": hw.kind, "workload_name": result.workload, "model": result.model,
        "latency_cycles": float(result.latency_cycles), "latency_s": float(latency_s),
        "energy_pj": energy, "area_um2": float(area),
        "edp_pj_s": energy * latency_s if math.isfinite(latency_s) else math.nan,
        "bound": result.bound,
    }
    out.update({f"energy_pj.{k}": float(v) for k, v in result.energy_pj.items()})
    out.update({f"utilization.{k}": float(v) for k, v in result.utilization.items()})
    return out
