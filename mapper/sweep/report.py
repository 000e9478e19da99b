"""Text summary of a finished (or interrupted) sweep."""

from __future__ import annotations

import pandas as pd

from mapper.sweep.runner import SweepOutcome
from mapper.sweep.spec import SweepSpec

MAX_ROWS = 20


def render_outcome(outcome: SweepOutcome, spec: SweepSpec) -> str:
    done = len(outcome.rows)
    lines = [
        f"sweep {spec.name!r}: {done}/{outcome.total_points} points stored in {outcome.output}",
        f"  this run: {outcome.computed} computed, {outcome.skipped} already stored, {outcome.failed} failed "
        f"in total; {outcome.seconds:.1f} s on {outcome.executor}",
    ]
    if outcome.interrupted:
        lines.append("  interrupted: rerun the same command to resume (finished points are kept)")
    lines.append(f"  Pareto front over ({', '.join(spec.pareto)}): {outcome.pareto_points} points "
                 f"-> {outcome.output / 'pareto.parquet'}")
    if outcome.pareto_points:
        lines.append(_front_table(outcome.rows, spec))
    if outcome.failed:
        errors = outcome.rows.loc[outcome.rows["status"] != "ok", "error"].astype(str)
        lines.append(f"  first error: {errors.iloc[0].splitlines()[0] if len(errors) else ''}")
    return "\n".join(lines)


def _front_table(rows: pd.DataFrame, spec: SweepSpec) -> str:
    from mapper.sweep.pareto import pareto_column

    front = rows[pareto_column(rows, spec.pareto).to_numpy()]
    keys = [*spec.zip, *spec.grid]
    columns = ["point_id", *keys, *dict.fromkeys(spec.pareto), "bound"]
    columns = [c for c in columns if c in front.columns]
    shown = front.sort_values(spec.pareto[0])[columns].head(MAX_ROWS)
    text = shown.to_string(index=False, float_format=lambda v: f"{v:.4g}")
    more = f"\n  ... {len(front) - MAX_ROWS} more" if len(front) > MAX_ROWS else ""
    return "\n".join("  " + line for line in text.splitlines()) + more
