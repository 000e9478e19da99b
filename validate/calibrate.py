"""``sim calibrate``: describe the host CPU as an architecture file from microbenchmarks.

Measured: read and write bandwidth of each cache level and DRAM (Numba kernels), torch
matmul FLOP/s per dtype on all cores, and the in-cache rate of exp/log/sqrt/reciprocal
on one core. The file keeps the generic storage/compute schema (so any engine can use
it) and a ``cpu:`` section with the raw measurements and the conditions.
"""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from validate import microbench as mb
from validate.env import ContentionMeter, load_average
from validate.hostinfo import HostCpu

ELEMENTWISE_OPS = ("exp", "log", "sqrt", "div")
NOMINAL_OPS = ("add", "mul", "max")
DRAM_MIN_BYTES = 256 << 20


@dataclass(frozen=True)
class LevelPlan:
    """One storage level to measure: its name, capacity per instance, instances and working set."""

    name: str
    size_bytes: int | None
    instances: int
    working_set_bytes: int
    threads: int


@dataclass(frozen=True)
class Calibration:
    """Everything ``sim calibrate`` measured, in bytes/s, FLOP/s and ops/s."""

    clock_hz: float
    threads: int
    levels: tuple[LevelPlan, ...]
    read_bytes_per_s: dict[str, float]
    write_bytes_per_s: dict[str, float]
    matmul_flops_per_s: dict[str, float]
    elementwise_per_s_per_core: dict[str, float]
    load_average: float
    contention_fraction: float
    software: str
    date_utc: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def plan_levels(host: HostCpu, threads: int) -> tuple[LevelPlan, ...]:
    """Outermost first: DRAM, then each cache level; private levels measured on one core."""
    plans = []
    llc = host.last_level_cache_bytes or (32 << 20)
    plans.append(LevelPlan("DRAM", None, 1, max(DRAM_MIN_BYTES, 8 * llc), threads))
    for level in sorted({c.level for c in host.caches}, reverse=True):
        size = host.cache_bytes(level)
        if size is None:
            continue
        instances = min(threads, host.cache_instances(level))
        per_core = instances > 1 or host.logical_cpus == 1 or threads == 1
        working = size // 2 if per_core else size * instances // 2
        plans.append(LevelPlan(f"L{level}", size, instances, working, 1 if per_core else threads))
    return tuple(plans)


def measure(torch: Any, host: HostCpu, threads: int, quick: bool = False, clock_hz: float | None = None
            ) -> Calibration:
    """Run the microbenchmarks (about 10 s; ``quick`` about 4 s)."""
    torch.set_num_threads(threads)
    meter = ContentionMeter()
    meter.start()
    levels = plan_levels(host, threads)
    runs = 3 if quick else 5
    moved = 64e6 if quick else 256e6
    reads, writes = {}, {}
    for plan in levels:
        # A private level is measured on one core and a shared one with every thread: both are per instance.
        reads[plan.name] = mb.bandwidth(plan.working_set_bytes, plan.threads, "read", moved, runs).per_s
        writes[plan.name] = mb.bandwidth(plan.working_set_bytes, plan.threads, "write", moved, runs).per_s
    sizes = (512, 1024) if quick else (512, 1024, 2048)
    flops = {"fp32": max(mb.matmul_flops(torch, n, "fp32", runs).per_s for n in sizes)}
    for dtype in ("bf16", "fp16"):
        flops[dtype] = mb.matmul_flops(torch, 256, dtype, 2 if quick else 3).per_s
    elementwise = _single_core_rates(torch, host, runs)
    torch.set_num_threads(threads)
    software = f"torch {torch.__version__}, numba {mb.numba.__version__}, python {platform.python_version()}"
    return Calibration(clock_hz or host.clock_hz or 1e9, threads, levels, reads, writes, flops, elementwise,
                       load_average(), meter.stop(), software)


def _single_core_rates(torch: Any, host: HostCpu, runs: int) -> dict[str, float]:
    torch.set_num_threads(1)
    l2 = host.cache_bytes(2) or (256 << 10)
    elements = max(1024, l2 // 4 // 4)
    return {op: mb.elementwise_rate(torch, op, elements, 100, runs).per_s for op in ELEMENTWISE_OPS}


def lanes_per_core(host: HostCpu) -> int:
    """fp32 vector lanes x FMA pipes: the processing elements of one core."""
    return host.simd_bits // 32 * host.fma_units_per_core


def arch_document(cal: Calibration, host: HostCpu, name: str = "host_cpu") -> dict[str, Any]:
    """The architecture file (as a YAML-ready dict) for a calibration of ``host``."""
    pes = lanes_per_core(host)
    per_pe_cycle = cal.clock_hz * pes * cal.threads
    mac = {dtype: rate / 2 / per_pe_cycle for dtype, rate in cal.matmul_flops_per_s.items()}
    ops: dict[str, Any] = {"mac": {"ops_per_cycle": _round(mac["fp32"]),
                                   "ops_per_cycle_by_dtype": {k: _round(v) for k, v in mac.items()}}}
    for op in NOMINAL_OPS:
        ops[op] = {"ops_per_cycle": 1.0}
    for op, rate in cal.elementwise_per_s_per_core.items():
        ops[op] = {"ops_per_cycle": _round(rate / (cal.clock_hz * pes))}
    return {
        "name": name,
        "kind": "cpu",
        "description": (f"{host.model}, {cal.threads} cores, calibrated by `sim calibrate` on {cal.date_utc}. "
                        "Bandwidths and mac/exp/log/sqrt/div rates are measured; add/mul/max are nominal "
                        "(one op per lane per FMA pipe per cycle). Energies and areas are not calibrated."),
        "technology": "",
        "parameters": {"cores": cal.threads},
        "clock_hz": _round(cal.clock_hz),
        "storage": [_level(plan, cal) for plan in cal.levels],
        "compute": [{"name": "VectorFMA", "kind": "vector", "mesh": [pes], "instances": "cores",
                     "storage": cal.levels[-1].name, "ops": ops}],
        "sources": [f"sim calibrate (validate/calibrate.py) on {host.model}; clock from /proc/cpuinfo"],
        "cpu": _section(cal, host, pes),
    }


def _level(plan: LevelPlan, cal: Calibration) -> dict[str, Any]:
    private = plan.instances > 1 and plan.instances == cal.threads
    entry: dict[str, Any] = {"name": plan.name, "size_bytes": plan.size_bytes, "word_bits": 32,
                             "access_bits": 512, "instances": "cores" if private else plan.instances,
                             "bandwidth_bytes_per_s": _round(cal.read_bytes_per_s[plan.name]),
                             "write_bandwidth_bytes_per_s": _round(cal.write_bytes_per_s[plan.name]),
                             "shared_bandwidth": plan.name != "L1"}
    return entry


def _section(cal: Calibration, host: HostCpu, pes: int) -> dict[str, Any]:
    return {
        "model_name": host.model, "core_count": "cores", "simd_width_bits": host.simd_bits,
        "fma_units_per_core": host.fma_units_per_core, "peak_fp32_flops_per_cycle_per_core": float(pes * 2),
        "calibrated": True, "calibration_threads_count": cal.threads,
        "calibration_load_average": _round(max(0.0, cal.load_average)),
        "calibration_contention_fraction": _finite_or_none(cal.contention_fraction),
        "calibration_software": cal.software,
        "calibration_date_utc": cal.date_utc,
        "measured_matmul_flops_per_s_by_dtype": {k: _round(v) for k, v in cal.matmul_flops_per_s.items()},
        "measured_read_bandwidth_bytes_per_s_by_level": {k: _round(v) for k, v in cal.read_bytes_per_s.items()},
        "measured_write_bandwidth_bytes_per_s_by_level": {k: _round(v) for k, v in cal.write_bytes_per_s.items()},
        "measured_elementwise_ops_per_s_per_core": {k: _round(v) for k, v in cal.elementwise_per_s_per_core.items()},
    }


def _finite_or_none(value: float) -> float | None:
    return _round(value) if value == value else None


def _round(value: float) -> float:
    return float(f"{value:.4g}")


def write_arch(doc: dict[str, Any], path: str | Path) -> Path:
    """Write the file, then load it back through the architecture validator."""
    import arch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Written by `sim calibrate`; measured numbers, see the cpu: section and docs/validation.md.\n"
    path.write_text(header + yaml.safe_dump(doc, sort_keys=False, width=110))
    arch.load_arch(path)
    return path
