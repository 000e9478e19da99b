"""Mapper benchmarks (not timed tests): evaluation rate and time to a near-best mapping.

Run: python benchmarks/bench_mapper.py [--quick] [--json OUT.json]

1. Mappings evaluated per second on one core (one process, the engine's full evaluation
   of every candidate: counts, feasibility, Numba schedule, energy), for a GEMM on
   teaching_array and for 1-pass attention on flat. Reported for random sampling and for
   the genetic search (which reuses per-Einsum costs). ``considered_per_s`` adds the
   candidates discarded by the lower bound (they provably cannot beat the best so far).
2. Time to a mapping within 5% of the best EDP on a 3-level GEMM (teaching_array,
   DRAM -> GlobalBuffer -> PERegisters): the reference best is the minimum over long
   genetic runs with several seeds; each timed run records when its best first comes
   within 5% of that reference.

Peers (shared/reference/peers.md): Timeloop's mapper ~1e3 mappings/s per thread;
ZigZag 75-124 mappings/s end to end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics

import arch
import workloads
from mapper.search import Budget, run_search
from mapper.search.driver import build_space
from mapper.search.settings import SearchSettings

GEMM = ("teaching_array", "gemm", {"M": 512, "N": 512, "K": 512})
ATTENTION = ("flat", "attention_1pass", {"B": 4, "H": 4})


def _space(case):
    name, workload, params = case
    return build_space(arch.load_arch(name), workloads.load_workload(workload, params), SearchSettings())


def rate(case, strategy: str, mappings: int, seed: int = 0) -> dict:
    warm = _space(case)
    run_search(warm, strategy, "edp", Budget(50), seed=seed + 100)
    run = run_search(_space(case), strategy, "edp", Budget(mappings), seed=seed)
    stats = run.stats
    considered = stats.evaluated + stats.bounded
    return {"case": f"{case[1]} on {case[0]}", "strategy": strategy, "evaluated": stats.evaluated,
            "bounded_out": stats.bounded, "pruned": stats.pruned, "duplicates": stats.duplicates,
            "valid": stats.valid, "seconds": round(stats.seconds, 2),
            "evaluated_per_s": round(stats.mappings_per_s, 1),
            "considered_per_s": round(considered / stats.seconds, 1), "best_edp": stats.best_score}


def time_to_within(case, reference_budget: int, seeds: list[int], timed_budget: int, tolerance: float = 0.05
                   ) -> dict:
    reference = min(run_search(_space(case), "genetic", "edp", Budget(reference_budget), seed=100 + s
                               ).stats.best_score for s in range(3))
    times, counts = [], []
    for seed in seeds:
        run = run_search(_space(case), "genetic", "edp", Budget(timed_budget), seed=seed)
        reference = min(reference, run.stats.best_score)
        hit = next(((n, t) for n, t, best in run.stats.history if best <= reference * (1 + tolerance)), None)
        if hit is not None:
            counts.append(hit[0])
            times.append(hit[1])
    return {"case": f"{case[1]} on {case[0]}", "reference_best_edp": reference, "tolerance": tolerance,
            "runs": len(seeds), "runs_within": len(times),
            "median_seconds": round(statistics.median(times), 2) if times else None,
            "median_mappings": int(statistics.median(counts)) if counts else None,
            "seconds_each": [round(t, 2) for t in times]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller budgets")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    n = 600 if args.quick else 3000
    out = {"cores_used": 1, "load_average": os.getloadavg(), "rates": [
        rate(GEMM, "random", n), rate(GEMM, "genetic", n),
        rate(ATTENTION, "random", n // 5), rate(ATTENTION, "genetic", n // 3)]}
    out["time_to_5pct"] = time_to_within(GEMM, 3 * n, seeds=[0, 1, 2] if args.quick else [0, 1, 2, 3, 4],
                                         timed_budget=n)
    print(json.dumps(out, indent=2))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)


if __name__ == "__main__":
    main()
