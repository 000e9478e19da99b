"""Sweeps for the Explore page: specs, a background run with progress, stored rows, Pareto views.

The sweep itself is :func:`mapper.sweep.run_sweep` (the same code as ``sim sweep``); this
module only starts it on a thread, counts the rows it has stored, and reshapes its table.
"""

from __future__ import annotations

import json
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

import mapper
from app.sources import Design, load_mapping_text
from mapper.sweep import SweepSpec, load_sweep_spec, pareto_mask, run_sweep
from mapper.sweep.points import DesignPoint, load_point
from mapper.sweep.runner import SweepOutcome
from mapper.sweep.store import MANIFEST, RESULTS, read_results
from sim import api
from specbase import Document

EXAMPLES_DIR = Path(mapper.__file__).parent / "examples"
SWEEP_ROOT = Path(tempfile.gettempdir()) / "einsim-dashboard" / "sweeps"
OBJECTIVES = ("latency_s", "energy_pj", "area_um2")


def example_specs() -> dict[str, Path]:
    return {p.stem: p for p in sorted(EXAMPLES_DIR.glob("*.yaml"))}


def load_spec(path: str | Path) -> tuple[SweepSpec, Document]:
    return load_sweep_spec(path)


def default_output(spec: SweepSpec) -> Path:
    return SWEEP_ROOT / f"{spec.name}-{spec.fingerprint()}"


def swept_keys(rows: pd.DataFrame) -> list[str]:
    """Columns that tell stored points apart: arch/workload when several, then the swept keys."""
    sources = [k for k in ("arch", "workload") if k in rows and rows[k].nunique() > 1]
    return [*sources, *(c for c in rows.columns if c.startswith(("arch.", "workload.")))]


def spec_summary(spec: SweepSpec) -> pd.DataFrame:
    rows = [{"axis": k, "values": ", ".join(map(str, v))} for k, v in spec.axes().items()]
    rows += [{"axis": f"{k} (zipped)", "values": ", ".join(map(str, v))} for k, v in spec.zip.items()]
    return pd.DataFrame(rows, columns=["axis", "values"])


def stored_points(output: str | Path) -> int:
    """Rows written so far (each part file is complete: the store renames it into place)."""
    parts = Path(output) / "parts"
    return sum(pq.ParquetFile(p).metadata.num_rows for p in parts.glob("part-*.parquet")) if parts.exists() else 0


@dataclass
class SweepJob:
    """``run_sweep`` on a background thread, so the page can draw its progress."""

    spec: SweepSpec
    output: Path
    outcome: SweepOutcome | None = None
    error: BaseException | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    @property
    def done_points(self) -> int:
        return len(self.outcome.rows) if self.outcome is not None else stored_points(self.output)


def start_sweep(spec: SweepSpec, doc: Document, output: str | Path, workers: int) -> SweepJob:
    job = SweepJob(spec, Path(output))

    def work() -> None:
        try:
            job.outcome = run_sweep(spec, doc, job.output, workers, progress=False, flush_rows=1,
                                    flush_seconds=0.5)
        except BaseException as exc:
            job.error = exc

    job.thread = threading.Thread(target=work, name=f"sweep-{spec.name}", daemon=True)
    job.thread.start()
    return job


def read_store(folder: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rows of a finished sweep folder and its manifest (name, fingerprint, points)."""
    folder = Path(folder)
    if not (folder / RESULTS).exists():
        raise FileNotFoundError(f"{folder} holds no {RESULTS} (run the sweep to completion first)")
    manifest = json.loads((folder / MANIFEST).read_text()) if (folder / MANIFEST).exists() else {}
    return read_results(folder), manifest


def ok_rows(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["status"] == "ok"].reset_index(drop=True) if "status" in rows else rows


def with_front(rows: pd.DataFrame, objectives: list[str]) -> pd.DataFrame:
    """``rows`` with a ``front`` column: Pareto-optimal among these rows over ``objectives``."""
    present = [c for c in objectives if c in rows]
    if rows.empty or not present:
        return rows.assign(front=False)
    costs = rows[present].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return rows.assign(front=pareto_mask(costs))


def display_order(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Front first, then by latency; identifying columns, swept values and objectives on the left."""
    first = [c for c in ["point_id", "front", *keys, *OBJECTIVES, "bound"] if c in rows]
    ordered = rows[first + [c for c in rows.columns if c not in first]]
    by = [c for c in ("front", "latency_s") if c in rows]
    return ordered.sort_values(by, ascending=[False, True][:len(by)]) if by else ordered


def filter_rows(rows: pd.DataFrame, choices: dict[str, list]) -> pd.DataFrame:
    """Rows whose value of each key is among the chosen ones (an empty choice keeps nothing)."""
    mask = pd.Series(True, index=rows.index)
    for key, allowed in choices.items():
        if key in rows:
            mask &= rows[key].isin(allowed)
    return rows[mask]


def compare_points(rows: pd.DataFrame, point_ids: list[int], keys: list[str]) -> pd.DataFrame:
    """Chosen points side by side: one column per point, swept values then results."""
    columns = [c for c in [*keys, *OBJECTIVES, "latency_cycles", "edp_pj_s", "bound", "mappings_evaluated"]
               if c in rows]
    chosen = rows[rows["point_id"].isin(point_ids)].set_index("point_id")[columns]
    return chosen.T.rename(columns=lambda i: f"point {i}").map(_cell)


def relative_to_best(rows: pd.DataFrame, point_ids: list[int]) -> pd.DataFrame:
    """Each objective of each chosen point divided by the best (smallest) among them."""
    chosen = rows[rows["point_id"].isin(point_ids)]
    out = []
    for objective in (c for c in OBJECTIVES if c in chosen):
        values = pd.to_numeric(chosen[objective], errors="coerce")
        best = values[values > 0].min()
        out += [{"point": f"point {pid}", "objective": objective, "relative": float(v / best) if best else 1.0}
                for pid, v in zip(chosen["point_id"], values, strict=True)]
    return pd.DataFrame(out, columns=["point", "objective", "relative"])


def point_of(row: pd.Series, keys: list[str]) -> DesignPoint:
    values = tuple((k, _scalar(row[k])) for k in keys if k not in ("arch", "workload"))
    return DesignPoint(int(row["point_id"]), str(row["point_key"]), str(row["arch"]), str(row["workload"]), values)


def point_design(row: pd.Series, keys: list[str]) -> Design:
    """Re-run one stored point (its values and, when searched, its stored mapping) for the Run page."""
    hardware, workload = load_point(point_of(row, keys))
    text = row.get("mapping_yaml")
    mapping = load_mapping_text(text, hardware, workload) if isinstance(text, str) and text else None
    result = api.run(hardware, workload, mapping)
    return Design(f"point {int(row['point_id'])}", hardware, workload, result)


def _cell(value: Any) -> str:
    """Table text (a transposed table mixes numbers and words in one column)."""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _scalar(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
