"""Design-space sweeps: spec, expansion into points, executors, Parquet store, Pareto front."""

from mapper.sweep.pareto import pareto_mask
from mapper.sweep.runner import SweepOutcome, run_sweep
from mapper.sweep.spec import SweepSpec, load_sweep_spec

__all__ = ["SweepOutcome", "SweepSpec", "load_sweep_spec", "pareto_mask", "run_sweep"]
