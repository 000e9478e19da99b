"""The tile schedule of a run as Gantt rows (unit, start, end) and windows of it.

The tile-level engine records busy intervals per unit in ``Result.tables["timeline"]``
(rows: phase, unit, einsum, iteration, start_cycle, end_cycle). Models that schedule
coarser pieces (e.g. the edge-MoE FPGA model's ``stages``: unit, start_cycle,
latency_cycles) are shown the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.result import Result

COLUMNS = ["unit", "einsum", "label", "start_cycle", "end_cycle", "duration_cycles"]


@dataclass(frozen=True)
class Gantt:
    rows: pd.DataFrame
    source: str
    reason: str = ""

    @property
    def available(self) -> bool:
        return not self.rows.empty


def gantt(result: Result) -> Gantt:
    """The busy intervals of a result, from the first table that has them."""
    timeline = result.tables.get("timeline")
    if timeline:
        return Gantt(_from_timeline(timeline), "timeline")
    stages = result.tables.get("stages")
    if stages and {"unit", "start_cycle", "latency_cycles"} <= set(stages[0]):
        return Gantt(_from_stages(stages), "stages")
    reason = ("the tile-level engine recorded no intervals (an empty schedule)" if timeline is not None else
              f"the {result.model.split(' (')[0]} model records no tile schedule; "
              "the tile-level engine (kinds spatial and cpu) does")
    return Gantt(pd.DataFrame(columns=COLUMNS), "", reason)


def _from_timeline(rows) -> pd.DataFrame:
    frame = pd.DataFrame([dict(r) for r in rows])
    frame["label"] = frame["einsum"] + " #" + frame["iteration"].astype(str)
    frame["duration_cycles"] = frame["end_cycle"] - frame["start_cycle"]
    return frame[COLUMNS].sort_values(["start_cycle", "unit"], kind="stable").reset_index(drop=True)


def _from_stages(rows) -> pd.DataFrame:
    frame = pd.DataFrame([dict(r) for r in rows])
    frame["einsum"] = frame["einsums"] if "einsums" in frame else frame["stage"]
    frame["label"] = frame["stage"] if "stage" in frame else frame["einsum"]
    frame["end_cycle"] = frame["start_cycle"] + frame["latency_cycles"]
    frame["duration_cycles"] = frame["latency_cycles"]
    return frame[COLUMNS].sort_values(["start_cycle", "unit"], kind="stable").reset_index(drop=True)


def default_window(rows: pd.DataFrame, count: int = 64, gap_factor: float = 10.0) -> tuple[float, float]:
    """The span of the first ``count`` intervals, cut at the first idle gap longer than ``gap_factor``
    median intervals (the engine records the first and last tasks of a long steady state)."""
    first = rows.sort_values("start_cycle", kind="stable").head(count)
    starts, ends = first["start_cycle"].to_numpy(), first["end_cycle"].to_numpy()
    longest = gap_factor * max(float(first["duration_cycles"].median()), 1.0)
    reach = ends[0]
    for start, end in zip(starts[1:], ends[1:], strict=True):
        if start - reach > longest:
            break
        reach = max(reach, end)
    return float(starts[0]), float(reach)


def window(rows: pd.DataFrame, start_cycle: float, end_cycle: float, max_rows: int) -> pd.DataFrame:
    """Intervals overlapping [start, end), clipped to it, at most ``max_rows`` (earliest first)."""
    inside = rows[(rows["end_cycle"] > start_cycle) & (rows["start_cycle"] < end_cycle)].head(max_rows)
    return inside.assign(start_cycle=inside["start_cycle"].clip(lower=start_cycle),
                         end_cycle=inside["end_cycle"].clip(upper=end_cycle))


def busy_by_unit(rows: pd.DataFrame) -> pd.DataFrame:
    """Summed busy cycles and interval count per unit in ``rows``."""
    if rows.empty:
        return pd.DataFrame(columns=["unit", "intervals", "busy_cycles"])
    grouped = rows.assign(busy=rows["end_cycle"] - rows["start_cycle"]).groupby("unit", sort=True)
    return grouped.agg(intervals=("busy", "size"), busy_cycles=("busy", "sum")).reset_index()
