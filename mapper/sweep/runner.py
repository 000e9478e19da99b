"""Run a sweep: skip finished points, evaluate the rest, store rows, compute the front."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from mapper.search.settings import SearchSettings
from mapper.sweep.executors import make_executor
from mapper.sweep.pareto import pareto_column
from mapper.sweep.points import check_keys, expand_points
from mapper.sweep.spec import SweepSpec
from mapper.sweep.store import SweepStore
from mapper.sweep.worker import PointTask, evaluate_point
from specbase import Document


@dataclass(frozen=True)
class SweepOutcome:
    output: Path
    rows: pd.DataFrame
    total_points: int
    skipped: int
    computed: int
    failed: int
    pareto_points: int
    seconds: float
    interrupted: bool
    executor: str


def settings_of(spec: SweepSpec) -> SearchSettings:
    return SearchSettings(strategy=spec.search, objective=spec.objective, budget_mappings=spec.budget.mappings,
                          budget_seconds=spec.budget.seconds, seed=spec.seed, constraints=spec.constraints,
                          return_on_interrupt=False)


def run_sweep(spec: SweepSpec, spec_doc: Document, output: str | Path, workers: int | None = None,
              scheduler: str | None = None, progress: bool = True, flush_rows: int = 16,
              flush_seconds: float = 2.0) -> SweepOutcome:
    """Evaluate every point of ``spec`` not yet in ``output``; safe to interrupt and rerun."""
    check_keys(spec, spec_doc)
    points = expand_points(spec)
    store = SweepStore(output, spec.fingerprint(), len(points), spec.name)
    done = store.done_keys()
    todo = [PointTask(p, settings_of(spec)) for p in points if p.key not in done]
    start = time.perf_counter()
    executor = make_executor(workers, scheduler) if todo else None
    computed, interrupted = 0, False
    bar = tqdm(total=len(points), initial=len(points) - len(todo), unit="pt", desc=spec.name,
               disable=not progress, smoothing=0.1, dynamic_ncols=True)
    buffer: list[dict] = []
    last_flush = time.monotonic()
    try:
        for row in (executor.map_unordered(evaluate_point, todo) if executor else ()):
            buffer.append(row)
            computed += 1
            bar.update(1)
            if len(buffer) >= flush_rows or time.monotonic() - last_flush >= flush_seconds:
                store.append(buffer)
                buffer, last_flush = [], time.monotonic()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        store.append(buffer)
        bar.close()
        if executor is not None:
            executor.close()
    rows = store.read()
    pareto = pareto_column(rows, spec.pareto)
    store.write_results(rows, pareto)
    failed = int((rows["status"] != "ok").sum()) if not rows.empty else 0
    return SweepOutcome(Path(output), rows, len(points), len(points) - len(todo), computed, failed,
                        int(pareto.sum()), time.perf_counter() - start, interrupted,
                        executor.description if executor else "nothing to run")
