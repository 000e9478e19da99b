"""Mapper benchmarks (not timed tests): evaluation rate and time to a near-best mapping.

Run: python benchmarks/bench_mapper.py [--quick] [--json OUT.json]

1. Mappings evaluated per second on one core (one process), for a GEMM on
   teaching_array (DRAM -> GlobalBuffer -> PERegisters) and for 1-pass attention on
   flat, through both evaluation paths: ``batched`` (the default: numpy decoding per
   structure and the engine's batched Numba kernel) and ``per-mapping`` (a Mapping object
   per candidate through the engine's plan/schedule, with per-Einsum cost caching).
   Reported as wall rate and as CPU seconds per evaluated mapping (the machine may be
   shared). ``considered_per_s`` adds the candidates discarded by the lower bound (they
   provably cannot beat the best so far). Every search starts from the engine's default
   mapping, as ``sim search`` does.
2. Time to a mapping within 5% of the best EDP on the 3-level GEMM, from a cold start
   (random genomes, not seeded with the default mapping): the reference best is the minimum
   over long genetic runs with several seeds; each timed run records when its best first
   comes within 5% of that reference.

Peers (shared/reference/peers.md): Timeloop's mapper ~1e3 mappings/s per thread;
ZigZag 75-124 mappings/s end to end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import arch
import workloads
from mapper.search import Budget, run_search
from mapper.search.driver import build_space, default_genome
from mapper.search.settings import SearchSettings

GEMM = ("teaching_array", "gemm", {"M": 512, "N": 512, "K": 512})
ATTENTION = ("flat", "attention_1pass", {"B": 4, "H": 4})


def _search(case, strategy: str, mappings: int, seed: int, batched: bool = True, use_bounds: bool = True,
            cold: bool = False):
    """One search; ``cold``: from random genomes only (not seeded with the engine's default mapping)."""
    name, workload, params = case
    hw, wl = arch.load_arch(name), workloads.load_workload(workload, params)
    settings = SearchSettings(budget_mappings=mappings, batched=batched)
    space = build_space(hw, wl, settings)
    return run_search(space, strategy, "edp", Budget(mappings), seed=seed, batch_size=settings.batch_size_for(),
                      initial=None if cold else default_genome(space, hw, wl), use_bounds=use_bounds)


def rate(case, strategy: str, mappings: int, batched: bool, use_bounds: bool = True, seed: int = 0) -> dict:
    _search(case, strategy, 50, seed + 100, batched)  # warm: imports, Numba kernels, tables
    cpu = time.process_time()
    run = _search(case, strategy, mappings, seed, batched, use_bounds)
    cpu = time.process_time() - cpu
    stats = run.stats
    considered = stats.evaluated + stats.bounded
    return {"case": f"{case[1]} on {case[0]}", "path": "batched" if batched else "per-mapping",
            "strategy": strategy, "lower_bound": use_bounds, "evaluated": stats.evaluated, "bounded_out": stats.bounded,
            "pruned": stats.pruned, "duplicates": stats.duplicates, "valid": stats.valid,
            "seconds": round(stats.seconds, 2), "evaluated_per_s": round(stats.mappings_per_s, 1),
            "cpu_us_per_evaluated": round(1e6 * cpu / max(1, stats.evaluated), 1),
            "considered_per_s": round(considered / stats.seconds, 1), "best_edp": stats.best_score}


def time_to_within(case, reference_budget: int, seeds: list[int], timed_budget: int, batched: bool = True,
                   tolerance: float = 0.05) -> dict:
    reference = min(_search(case, "genetic", reference_budget, 100 + s, batched, cold=True).stats.best_score
                    for s in range(3))
    times, counts, cpus = [], [], []
    for seed in seeds:
        cpu = time.process_time()
        run = _search(case, "genetic", timed_budget, seed, batched, cold=True)
        cpu_per_s = (time.process_time() - cpu) / max(run.stats.seconds, 1e-9)
        reference = min(reference, run.stats.best_score)
        hit = next(((n, t) for n, t, best in run.stats.history if best <= reference * (1 + tolerance)), None)
        if hit is not None:
            counts.append(hit[0])
            times.append(hit[1])
            cpus.append(hit[1] * cpu_per_s)
    return {"case": f"{case[1]} on {case[0]}", "path": "batched" if batched else "per-mapping",
            "reference_best_edp": reference, "tolerance": tolerance, "runs": len(seeds),
            "runs_within": len(times),
            "median_seconds": round(statistics.median(times), 2) if times else None,
            "median_cpu_seconds": round(statistics.median(cpus), 2) if cpus else None,
            "median_mappings": int(statistics.median(counts)) if counts else None,
            "seconds_each": [round(t, 2) for t in times]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller budgets")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--skip-per-mapping", action="store_true", help="only the batched path")
    args = parser.parse_args()
    n = 600 if args.quick else 3000
    big = 5 * n if args.quick else 10 * n
    rates = []
    for batched, budget in ((True, big), (False, n)):
        if not batched and args.skip_per_mapping:
            continue
        rates += [rate(GEMM, "random", budget, batched), rate(GEMM, "genetic", budget, batched),
                  rate(ATTENTION, "random", budget // 5, batched), rate(ATTENTION, "genetic", budget // 3, batched)]
    rates += [rate(GEMM, "genetic", big, True, use_bounds=False), rate(ATTENTION, "genetic", big // 3, True, False)]
    seeds = [0, 1, 2] if args.quick else [0, 1, 2, 3, 4]
    out = {"cores_used": 1, "load_average": os.getloadavg(), "rates": rates,
           "time_to_5pct": [time_to_within(GEMM, big, seeds, big // 2)]}
    if not args.skip_per_mapping:
        out["time_to_5pct"].append(time_to_within(GEMM, 3 * n, seeds, n, batched=False))
    print(json.dumps(out, indent=2))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)


if __name__ == "__main__":
    main()
