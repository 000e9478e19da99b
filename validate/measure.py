"""Run a suite of real kernels on one device and return measurement rows."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from validate import env as envmod
from validate.cases import KernelCase
from validate.flush import make_flusher, no_flush
from validate.hostinfo import read_host_cpu
from validate.kernels import build
from validate.timing import CpuTimer, CudaEventTimer, Timer, TimingPolicy, measure

DEVICES = ("cpu", "cuda", "auto")


def resolve_device(torch: Any, requested: str) -> str:
    """'auto' picks cuda when torch sees a GPU; asking for cuda without one is an error."""
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for but torch.cuda.is_available() is False")
    if requested != "cpu" and not requested.startswith("cuda"):
        raise ValueError(f"unknown device {requested!r}; allowed: {', '.join(DEVICES)}")
    return requested


def timer_for(torch: Any, device: str) -> Timer:
    return CudaEventTimer(torch.cuda) if device.startswith("cuda") else CpuTimer()


def last_level_cache_bytes(torch: Any, device: str) -> int | None:
    if device.startswith("cuda"):
        props = torch.cuda.get_device_properties(torch.device(device))
        return getattr(props, "L2_cache_size", None)
    return read_host_cpu().last_level_cache_bytes


def run_suite(torch: Any, cases: Iterable[KernelCase], device: str, arch: str, policy: TimingPolicy,
              flush: bool = True, progress: Callable[[KernelCase, dict], None] | None = None) -> list[dict]:
    """Measure every case; each row follows ``validate.store.MEASUREMENT_COLUMNS``."""
    timer = timer_for(torch, device)
    flusher, flush_bytes = (make_flusher(torch, device, last_level_cache_bytes(torch, device)) if flush
                            else (no_flush, 0))
    environment = envmod.capture(torch, device)
    run_id = uuid.uuid4().hex[:12]
    rows = []
    for case in cases:
        row = {**environment.as_columns(), **_measure_case(torch, case, device, timer, flusher, policy)}
        row.update(run_id=run_id, arch=arch, flush_bytes=flush_bytes)
        row["clock_hz_end"] = _clock_now(device)
        rows.append(row)
        if progress is not None:
            progress(case, row)
    return rows


def _measure_case(torch: Any, case: KernelCase, device: str, timer: Timer, flusher: Callable[[], None],
                  policy: TimingPolicy) -> dict:
    kernel = build(torch, case, device)
    meter = envmod.ContentionMeter()
    meter.start()
    timing = measure(kernel, timer, flusher, policy)
    others = meter.stop()
    notes = [f"noisy: IQR is {timing.iqr_fraction:.0%} of the median"] if timing.noisy else []
    if others > envmod.CONTENDED_FRACTION:
        notes.append(f"contended: other processes used {others:.0%} of the cores during the runs")
    return {
        "timestamp_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": "measured", "citation": "", "family": case.family, "case": case.name,
        "params_json": case.params_json(), "dtype": case.dtype, "flops": case.flops,
        "compulsory_bytes": case.compulsory_bytes, "notes": "; ".join(notes), "host_busy_fraction": others,
        **timing.summary(),
    }


def _clock_now(device: str) -> float | None:
    return envmod.gpu_clock_hz() if device.startswith("cuda") else envmod.cpu_clock_hz()
