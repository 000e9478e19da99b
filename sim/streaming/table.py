"""``sim streaming-table``: cycles and FIFO occupancy of streaming SDPA over N.

One row per (workload, N): cycles, cycles / N^2, fill cycles beyond the throughput
bound, and the peak occupancy of the deepest FIFO. With ``--depth-search`` it also
finds, per N, the smallest capacity of each bypass FIFO that avoids deadlock and
the smallest that keeps full throughput (by bisection on the fast kernel).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

import arch as arch_pkg
import workloads as workload_pkg
from sim.streaming.graph import Pipeline
from sim.streaming.lowering import lower
from sim.streaming.timing import simulate_timing
from specbase import parse_overrides

DEFAULT_NS = (64, 128, 256, 512, 1024, 2048, 4096)
DEFAULT_WORKLOADS = ("sdpa_naive", "sdpa_reordered")


@dataclass(frozen=True)
class Row:
    workload: str
    n: int
    cycles: int | None
    cycles_per_n2: float
    fill_cycles: int | None
    deepest_fifo: str
    deepest_peak: int
    total_peak: int
    total_capacity: int
    wall_s: float


@dataclass(frozen=True)
class DepthRow:
    workload: str
    n: int
    fifo: str
    min_no_deadlock: int
    min_full_throughput: int
    full_cycles: int


def sweep(arch_name: str, workload_names: Sequence[str], ns: Sequence[int], overrides=None) -> list[Row]:
    rows = []
    for name in workload_names:
        for n in ns:
            pipeline, ideal = _pipeline(arch_name, name, n, overrides)
            start = time.perf_counter()
            run = simulate_timing(pipeline)
            wall = time.perf_counter() - start
            deepest = max(run.fifos, key=lambda f: f.peak_occupancy)
            cycles = run.cycles
            rows.append(Row(name, n, cycles, cycles / (n * n) if cycles else float("inf"),
                            cycles - ideal if cycles else None, deepest.name, deepest.peak_occupancy,
                            sum(f.peak_occupancy for f in run.fifos),
                            sum(f.capacity_elements or 0 for f in pipeline.fifos), wall))
    return rows


def _pipeline(arch_name: str, workload_name: str, n: int, overrides=None) -> tuple[Pipeline, int]:
    hardware = arch_pkg.load_arch(arch_name, overrides or {})
    w = workload_pkg.load_workload(workload_name, {"N": n})
    pipeline = lower(hardware, w)
    compute = [u for u in pipeline.units if u.op not in ("source", "sink")]
    ideal = max(u.firings * u.ii_cycles for u in compute)
    return pipeline, ideal


def depth_search(arch_name: str, workload_names: Sequence[str], ns: Sequence[int]) -> list[DepthRow]:
    """Per bypass FIFO: the least capacity without deadlock and the least at full throughput."""
    rows = []
    for name in workload_names:
        for n in ns:
            pipeline, _ = _pipeline(arch_name, name, n)
            rows += [_depth_row(name, n, pipeline, f.name) for f in pipeline.fifos if f.role == "bypass"]
    return rows


def _depth_row(workload: str, n: int, pipeline: Pipeline, fifo: str) -> DepthRow:
    def cycles(capacity: int | None) -> int | None:
        return simulate_timing(pipeline.with_fifos(**{fifo: capacity})).cycles

    target = cycles(None)
    live = least(lambda c: cycles(c) is not None, 1, 4 * n + 64)
    full = least(lambda c: cycles(c) == target, live, 4 * n + 64)
    return DepthRow(workload, n, fifo, live, full, target)


def least(ok, lo: int, hi: int) -> int:
    """Smallest c in [lo, hi] with ok(c), assuming ok is monotone; hi if none below."""
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def markdown(rows: list[Row]) -> str:
    head = ("| workload | N | cycles | cycles / N² | fill cycles | deepest FIFO | its peak occupancy | "
            "sum of peaks | sum of capacities |")
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        cycles = "deadlock" if r.cycles is None else f"{r.cycles:,}"
        fill = "" if r.fill_cycles is None else f"{r.fill_cycles:,}"
        lines.append(f"| {r.workload} | {r.n} | {cycles} | {r.cycles_per_n2:.4f} | {fill} | `{r.deepest_fifo}` | "
                     f"{r.deepest_peak:,} | {r.total_peak:,} | {r.total_capacity:,} |")
    return "\n".join(lines)


def depth_markdown(rows: list[DepthRow]) -> str:
    lines = ["| workload | N | bypass FIFO | least depth without deadlock | least depth at full throughput | "
             "cycles at full throughput |", "|" + "---|" * 6]
    lines += [f"| {r.workload} | {r.n} | `{r.fifo}` | {r.min_no_deadlock} | {r.min_full_throughput} | "
              f"{r.full_cycles:,} |" for r in rows]
    return "\n".join(lines)


def csv_text(rows: list[Row]) -> str:
    lines = ["workload,n,cycles,cycles_per_n2,fill_cycles,deepest_fifo,deepest_peak,total_peak,total_capacity,wall_s"]
    lines += [f"{r.workload},{r.n},{r.cycles},{r.cycles_per_n2},{r.fill_cycles},\"{r.deepest_fifo}\","
              f"{r.deepest_peak},{r.total_peak},{r.total_capacity},{r.wall_s:.3f}" for r in rows]
    return "\n".join(lines)


def register(subparsers) -> None:
    p = subparsers.add_parser("streaming-table", help="cycles and FIFO occupancy of streaming SDPA over N")
    p.add_argument("--arch", default="streaming_sdpa", help="streaming architecture (preset or file)")
    p.add_argument("--workload", action="append", help="workload (repeatable; default: naive and reordered)")
    p.add_argument("--n", type=int, nargs="+", default=list(DEFAULT_NS), help="sequence lengths")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="arch parameter override")
    p.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    p.add_argument("--depth-search", action="store_true",
                   help="also bisect each bypass FIFO's least depth (deadlock-free / full throughput)")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    names = args.workload or list(DEFAULT_WORKLOADS)
    rows = sweep(args.arch, names, args.n, parse_overrides(args.set))
    depth = depth_search(args.arch, names, args.n) if args.depth_search else []
    print(markdown(rows) if args.format == "markdown" else csv_text(rows))
    if depth:
        print()
        print(depth_markdown(depth))
    return 0
