"""``sim search`` and ``sim sweep``: registered in :mod:`sim.commands`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mapper.search.objectives import OBJECTIVES
from mapper.search.strategies import STRATEGIES
from specbase import SpecError

_BUDGET = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|seconds|m|min|maps|mappings)?\s*$")


def parse_budget(text: str) -> tuple[int | None, float | None]:
    """``5000`` -> 5000 mappings; ``30s`` -> 30 seconds; ``2m`` -> 120 s; ``5000,30s`` -> both."""
    mappings: int | None = None
    seconds: float | None = None
    for part in text.split(","):
        match = _BUDGET.match(part)
        if not match:
            raise SpecError.single("--budget", "", f"cannot read budget {part!r}",
                                   allowed="N (mappings), Ns (seconds), Nm (minutes), or both: 5000,30s")
        value, unit = float(match.group(1)), match.group(2) or "mappings"
        if unit in ("s", "sec", "seconds"):
            seconds = value
        elif unit in ("m", "min"):
            seconds = 60 * value
        else:
            mappings = int(value)
    if (mappings is not None and mappings < 1) or (seconds is not None and seconds <= 0):
        raise SpecError.single("--budget", "", f"budget must be positive (got {text!r})")
    return mappings, seconds


def register_search(sub) -> None:
    from sim.cli import add_set_option

    p = sub.add_parser("search", help="find a good mapping of a workload on an architecture",
                       description="Search the map space; prints the best mapping as YAML (accepted by "
                                   "'sim run --mapping') with the search statistics as comments.")
    p.add_argument("arch", help="architecture YAML file or preset name")
    p.add_argument("workload", help="workload YAML file or preset name")
    p.add_argument("--objective", choices=OBJECTIVES, default="edp", help="what to minimize (default: edp)")
    p.add_argument("--budget", default="2000", help="mappings (5000), seconds (30s) or both (5000,30s); "
                   "default 2000 mappings")
    p.add_argument("--strategy", choices=("auto", *STRATEGIES), default="auto",
                   help="auto: exhaustive if the space fits the budget, else genetic")
    p.add_argument("--seed", type=int, default=0, help="random seed (runs are deterministic)")
    p.add_argument("--constraints", help="YAML file with map-space constraints")
    add_set_option(p)
    p.add_argument("--output", help="also write the mapping YAML to this file")
    p.set_defaults(func=_search)


def _search(args) -> int:
    from mapper.search.constraints import check_constraints, load_constraints
    from mapper.search.driver import search_mapping
    from mapper.search.settings import SearchSettings
    from sim import api
    from specbase import parse_overrides

    mappings, seconds = parse_budget(args.budget)
    constraints = load_constraints(args.constraints) if args.constraints else None
    inputs = api.load_inputs(args.arch, args.workload, parse_overrides(args.overrides))
    if constraints is not None:
        check_constraints(constraints, inputs.arch, inputs.workload, file=args.constraints)
    settings = SearchSettings(args.strategy, args.objective, mappings, seconds, args.seed, constraints)
    outcome = search_mapping(inputs.arch, inputs.workload, settings)
    text = outcome.report()
    if args.output:
        Path(args.output).write_text(text)
        print(f"wrote {args.output}", file=sys.stderr)
    print(text)
    return 130 if outcome.stats.interrupted else 0


def register_sweep(sub) -> None:
    p = sub.add_parser("sweep", help="run a design-space sweep (resumable; local pool or Dask)",
                       description="Evaluate every design point of a sweep spec into a Parquet store and "
                                   "compute the Pareto front. Rerun the same command to resume.")
    p.add_argument("spec", help="sweep spec YAML")
    p.add_argument("--output", help="output folder (default: sweep-<name>)")
    p.add_argument("--workers", type=int, help="local worker processes (default: all cores; 1 = in-process)")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (runs on that cluster)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_sweep)


def _sweep(args) -> int:
    from mapper.sweep.report import render_outcome
    from mapper.sweep.runner import run_sweep
    from mapper.sweep.spec import load_sweep_spec

    if args.workers is not None and args.workers < 1:
        raise SpecError.single("--workers", "", f"must be >= 1 (got {args.workers})")
    spec, doc = load_sweep_spec(args.spec)
    output = args.output or f"sweep-{spec.name}"
    outcome = run_sweep(spec, doc, output, args.workers, args.scheduler, progress=not args.no_progress)
    print(render_outcome(outcome, spec))
    return 130 if outcome.interrupted else 0

