"""``sim validate`` and ``sim calibrate``: registered in sim/commands.py.

Heavy imports (torch, numba) happen inside the commands, so ``sim --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from specbase import SpecError

SIZES = ("quick", "default", "full")


def register_validate(sub) -> None:
    p = sub.add_parser("validate", help="measure real torch kernels and compare them with the simulator",
                       description="Time a suite of real kernels (matmul, softmax, layernorm, SDPA prefill, "
                                   "decode attention), simulate the same shapes and report the error per family.")
    p.add_argument("--device", default="auto", help="cpu, cuda, cuda:N or auto (default: auto)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="size", action="store_const", const="quick", help="smoke run (seconds)")
    size.add_argument("--full", dest="size", action="store_const", const="full", help="more shapes and dtypes")
    p.set_defaults(size="default")
    p.add_argument("--arch", help="architecture preset or file to simulate (default: host_cpu on CPU, "
                                  "by GPU name on CUDA)")
    p.add_argument("--calibrate", action="store_true",
                   help="CPU only: run `sim calibrate --quick` first and simulate against the result")
    p.add_argument("--families", help="comma-separated kernel families to run (default: all)")
    p.add_argument("--workload", action="append", default=[], metavar="FAMILY=PRESET",
                   help="simulate a family with another workload preset, e.g. sdpa_prefill=attention_3pass")
    p.add_argument("--from", dest="sources", action="append", default=[], metavar="FILE",
                   help="rebuild the report from stored measurements (CSV/Parquet) instead of measuring; "
                        "repeatable")
    p.add_argument("--published", action="store_true",
                   help="add the recorded published GPU figures (validate/data/gpu_published.csv); "
                        "`--from validate/data/gpu_published.csv` scores them alone")
    p.add_argument("--out", default="validation-report", help="output directory (default: validation-report)")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv", help="table file format")
    p.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    p.add_argument("--no-flush", dest="flush", action="store_false",
                   help="do not evict caches between timed runs")
    p.set_defaults(func=run_validate)


def register_calibrate(sub) -> None:
    p = sub.add_parser("calibrate", help="describe the host CPU as an architecture file from microbenchmarks",
                       description="Measure cache/DRAM bandwidth, matmul FLOP/s and exp/log/sqrt/div rates "
                                   "and write a kind: cpu architecture YAML.")
    p.add_argument("--out", default="host_cpu.yaml", help="file to write (default: host_cpu.yaml)")
    p.add_argument("--name", default="host_cpu", help="architecture name in the file")
    p.add_argument("--threads", type=int, help="cores to use (default: physical cores)")
    p.add_argument("--clock-hz", type=float, help="core clock, Hz (default: /proc/cpuinfo)")
    p.add_argument("--quick", action="store_true", help="shorter measurements (about 4 s)")
    p.set_defaults(func=run_calibrate)


def _parse_choices(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        family, sep, preset = item.partition("=")
        if not sep:
            raise SpecError.single("--workload", item, "expected FAMILY=PRESET")
        out[family.strip()] = preset.strip()
    return out


def _parse_families(text: str | None) -> tuple[str, ...] | None:
    from validate.cases import FAMILIES

    if not text:
        return None
    families = tuple(f.strip() for f in text.split(",") if f.strip())
    for family in families:
        if family not in FAMILIES:
            raise SpecError.single("--families", family, "unknown kernel family", allowed=", ".join(FAMILIES))
    return families


def _check_device(device: str) -> None:
    name, _, index = device.partition(":")
    if name not in ("cpu", "cuda", "auto") or (index and (name != "cuda" or not index.isdigit())):
        raise SpecError.single("--device", device, "unknown device", allowed="cpu, cuda, cuda:N, auto")


def calibrate_to(path: str | Path, name: str, threads: int | None, quick: bool, clock_hz: float | None) -> Path:
    import torch

    from validate.calibrate import arch_document, measure, write_arch
    from validate.hostinfo import read_host_cpu

    host = read_host_cpu()
    cores = threads or host.physical_cores
    calibration = measure(torch, host, cores, quick=quick, clock_hz=clock_hz)
    if calibration.contention_fraction > 0.1:
        print(f"warning: other processes used {calibration.contention_fraction:.0%} of the cores during the "
              "calibration; the measured rates are low (recorded as cpu.calibration_contention_fraction)",
              file=sys.stderr)
    return write_arch(arch_document(calibration, host, name), path)


def run_calibrate(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    path = calibrate_to(args.out, args.name, args.threads, args.quick, args.clock_hz)
    print(f"wrote {path} in {time.perf_counter() - start:.1f} s")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from validate import runner

    start = time.perf_counter()
    choices = _parse_choices(args.workload)
    families = _parse_families(args.families)
    _check_device(args.device)
    arch = args.arch
    frames = []
    if args.sources:
        frames.append(runner.load_measurements(args.sources))
    else:
        if args.calibrate:
            arch = str(calibrate_to(Path(args.out) / "host_cpu.yaml", "host_cpu", args.threads, True, None))
        request = runner.MeasureRequest(args.device, args.size, families, args.flush, args.threads)
        frames.append(runner.measure_suite(request, arch, _progress))
        _warn_if_busy(frames[-1])
    if args.published:
        frames.append(runner.load_measurements([runner.PUBLISHED_FIXTURE]))
    import pandas as pd

    measurements = pd.concat(frames, ignore_index=True)
    outcome = runner.finish(measurements, args.out, args.format, args.arch if args.sources else None, choices,
                            save_measurements=not args.sources or len(frames) > 1)
    _print_summary(outcome, time.perf_counter() - start)
    return 0


def _warn_if_busy(measurements) -> None:
    from validate.env import CONTENDED_FRACTION

    busy = float(measurements["host_busy_fraction"].max())
    if busy > CONTENDED_FRACTION:
        contended = int((measurements["host_busy_fraction"] > CONTENDED_FRACTION).sum())
        print(f"warning: other processes used up to {busy:.0%} of the cores while {contended} case(s) were "
              "timed; those timings are inflated (host_busy_fraction, notes)", file=sys.stderr)


def _progress(case, row: dict) -> None:
    flag = ("  NOISY" if row["noisy"] else "") + ("  CONTENDED" if row["host_busy_fraction"] > 0.1 else "")
    print(f"  {case.name:55s} {row['median_s'] * 1e3:10.4f} ms  (n={row['repeats']}){flag}", file=sys.stderr)


def _print_summary(outcome, seconds: float) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Simulated vs measured: error per kernel family")
    for col in ("family", "source", "cases", "MAPE", "max APE", "signed", "clean", "clean MAPE", "no est."):
        table.add_column(col)
    for _, row in outcome.report.summary.iterrows():
        table.add_row(row["family"], row["source"], str(row["cases"]), _pct(row["mape"]), _pct(row["max_ape"]),
                      _pct(row["mean_signed_error"], signed=True), str(row["clean_cases"]),
                      _pct(row["clean_mape"]), str(row["missing_estimates"]))
    console = Console()
    if not console.is_terminal:
        console = Console(width=130)
    console.print(table)
    for name, path in outcome.files.items():
        console.print(f"{name}: {path}")
    console.print(f"done in {seconds:.1f} s")


def _pct(value: float, signed: bool = False) -> str:
    if value != value:
        return "–"
    return f"{value:+.1%}" if signed else f"{value:.1%}"
