"""The same GEMM mapping search in ZigZag and in this simulator's mapper, judged by both cost models.

Run on demand (not part of the test suite)::

    python benchmarks/peers/mapping_search.py               # full grid (~2 min)
    python benchmarks/peers/mapping_search.py --quick       # 128..512 cubed only
    python benchmarks/peers/mapping_search.py --render-only # rewrite SEARCH_REPORT.md from search_results.csv

The map space is ZigZag's: its ``tpu_like`` hardware (arch preset ``tpu_like``, the same memories,
sizes, port widths and access energies), its fixed spatial mapping (K = our n over the rows,
C = our k over the columns) and its operand-to-memory links (weights in the PE register and
DRAM only; inputs in SRAM; outputs in the PE output register and SRAM); both tools search the
temporal mapping (loop order and the memory every loop goes to) for minimum latency.

* ZigZag 3.9.1: LOMA (``lpf_limit`` 6) enumerates loop orderings and allocates each one to the
  memories greedily, one cost-model evaluation per ordering.
* Ours: ``sim search``'s genetic search (seeded) over tile factors per level and loop orders,
  a fixed number of full engine evaluations (``--budget``), after one warm-up search that loads
  the compiled kernels.

Then each tool's best mapping is evaluated by the other tool's cost model (ZigZag's through a
fixed ``temporal_ordering``, which its allocator maps to memories; ours through the translation in
``zigzag_mapping.py``), so "at least as good" is checked by both yardsticks.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from run_peers import ensure_venv, peer_version, run_peer, write_csv, zigzag_payload  # noqa: E402
from zigzag_mapping import constraints, ours_from_zigzag, zigzag_ordering_from_ours  # noqa: E402

import arch  # noqa: E402
import workloads  # noqa: E402
from mapper.search.constraints import Constraints  # noqa: E402
from mapper.search.driver import search_mapping  # noqa: E402
from mapper.search.settings import SearchSettings  # noqa: E402
from sim.engine.evaluate import evaluate  # noqa: E402
from sim.engine.mapping import mapping_from_dict  # noqa: E402
from sim.errors import SimulationError  # noqa: E402

WORKLOAD = HERE / "workloads" / "gemm_int8.yaml"
QKT = {"heads": 8, "M": 512, "N": 512, "K": 64}


def cases(quick: bool) -> list[dict]:
    sizes = (128, 256, 512) if quick else (128, 256, 512, 1024, 2048)
    out = [{"name": f"gemm{n}_{rows}x{rows}", "rows": rows, "cols": rows, "M": n, "N": n, "K": n, "heads": 1}
           for rows in (32, 128) for n in sizes]
    return [*out, {"name": "qkt_h8_s512_d64_32x32", "rows": 32, "cols": 32, **QKT}]


def inputs(case: dict):
    hardware = arch.load_arch("tpu_like", {"rows": case["rows"], "cols": case["cols"]})
    workload = workloads.load_workload(str(WORKLOAD), {"M": case["M"], "N": case["N"], "K": case["K"],
                                                       "H": case["heads"]})
    return hardware, workload


def fixed_payload(case: dict, ordering: list) -> dict:
    """ZigZag evaluates this one temporal ordering instead of searching."""
    return {**zigzag_payload(case), "temporal_ordering": ordering}


def search_ours(case: dict, budget: int, seed: int) -> dict:
    hardware, workload = inputs(case)
    settings = SearchSettings(strategy="genetic", objective="latency", budget_mappings=budget, seed=seed,
                              constraints=Constraints.model_validate(constraints(case)))
    start, start_cpu = time.perf_counter(), time.process_time()
    outcome = search_mapping(hardware, workload, settings)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    stats = outcome.stats
    return {"ours_latency": outcome.result.latency_cycles, "ours_energy_pj": outcome.result.total_energy_pj,
            "ours_evaluated": stats.evaluated, "ours_proposed": stats.proposed,
            "ours_duplicates": stats.duplicates, "ours_cpu_s": cpu, "ours_wall_s": wall,
            "ours_mappings_per_cpu_s": stats.evaluated / cpu, "ours_mappings_per_s": stats.evaluated / wall,
            "ours_history": json.dumps(stats.history), "ours_mapping": outcome.mapping_yaml,
            "ours_ordering": json.dumps(zigzag_ordering_from_ours(outcome.mapping))}


def zigzag_in_ours(case: dict, zigzag: dict) -> dict:
    """ZigZag's best temporal mapping, translated, on our engine: double-buffered if its tiles fit
    twice (as our search's mappings are), else single-buffered as ZigZag allocates them."""
    hardware, workload = inputs(case)
    data, inexact = ours_from_zigzag(zigzag["allocated_mapping_loops"], zigzag["memory_levels"],
                                     zigzag["temporal_ordering"], case)
    error = None
    for double in (True, False):
        mapping = mapping_from_dict({**data, "double_buffering": double}, hardware, workload)
        try:
            result = evaluate(hardware, workload, mapping, timeline_rows=0)
        except SimulationError as problem:
            error = str(problem).splitlines()[0].removeprefix("infeasible mapping: ")
            continue
        return {"zz_in_ours_latency": result.latency_cycles, "zz_in_ours_energy_pj": result.total_energy_pj,
                "zz_inexact_loops": inexact, "zz_in_ours_double_buffered": double}
    return {"zz_in_ours_error": error, "zz_inexact_loops": inexact}


def time_to_match(history: list, target: float) -> tuple[float, float]:
    """(mappings evaluated, seconds) when our search first reached ``target`` or better."""
    for evaluated, seconds, best in history:
        if best <= target:
            return evaluated, seconds
    return float("nan"), float("nan")


def merge(case: dict, ours: dict, zigzag: dict, fixed: dict | None) -> dict:
    row = {**case, **ours}
    if "error" in zigzag:
        return {**row, "zigzag_error": zigzag["error"]}
    row.update(zz_latency=zigzag["latency_cycles"], zz_energy_pj=zigzag["energy_pj"],
               zz_evaluations=zigzag["evaluations"], zz_cpu_s=zigzag["cpu_s"], zz_wall_s=zigzag["wall_s"],
               zz_mappings_per_cpu_s=zigzag["evaluations"] / zigzag["cpu_s"],
               zz_mappings_per_s=zigzag["evaluations"] / zigzag["wall_s"],
               zz_ordering=json.dumps(zigzag["temporal_ordering"]))
    row["speed_ratio_cpu"] = row["ours_mappings_per_cpu_s"] / row["zz_mappings_per_cpu_s"]
    row.update(zigzag_in_ours(case, zigzag))
    if fixed is not None and "error" not in fixed:
        row.update(ours_in_zz_latency=fixed["latency_cycles"], ours_in_zz_energy_pj=fixed["energy_pj"])
    elif fixed is not None:
        row["ours_in_zz_error"] = fixed["error"]
    if "zz_in_ours_latency" in row:
        row["match_evaluated"], row["match_s"] = time_to_match(json.loads(ours["ours_history"]),
                                                               row["zz_in_ours_latency"])
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv-root", default="/tmp", type=pathlib.Path)
    parser.add_argument("--quick", action="store_true", help="only 128..512 cubed")
    parser.add_argument("--budget", type=int, default=50_000, help="our full engine evaluations per case")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=pathlib.Path, default=HERE)
    parser.add_argument("--render-only", action="store_true", help="rewrite SEARCH_REPORT.md, run nothing")
    args = parser.parse_args(argv)
    from report import read_csv
    from search_report import write_report

    if args.render_only:
        meta = json.loads((args.out / "search_meta.json").read_text())
        write_report(args.out / "SEARCH_REPORT.md", read_csv(args.out / "search_results.csv"), meta)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    python = ensure_venv(args.venv_root, "zigzag")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    grid = cases(args.quick)
    zigzag = {r["name"]: r for r in run_peer(python, "zigzag_runner.py", [zigzag_payload(c) for c in grid])}
    search_ours(grid[0], 2_000, args.seed)  # warm-up: loads the compiled kernels once
    ours = {c["name"]: search_ours(c, args.budget, args.seed) for c in grid}
    fixed_cases = [fixed_payload(c, json.loads(ours[c["name"]]["ours_ordering"])) for c in grid]
    fixed = {r["name"]: r for r in run_peer(python, "zigzag_runner.py", fixed_cases)}
    missing = {"error": "ZigZag produced no result"}
    rows = [merge(c, ours[c["name"]], zigzag.get(c["name"], missing), fixed.get(c["name"])) for c in grid]
    meta = {"started": started, "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
                                           f"Python {platform.python_version()}",
            "load_average": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
            "zigzag": peer_version(python, "zigzag-dse"), "budget": args.budget, "seed": args.seed}
    write_csv(args.out / "search_results.csv", rows)
    (args.out / "search_meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    write_report(args.out / "SEARCH_REPORT.md", rows, meta)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
