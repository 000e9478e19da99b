"""The record of where a measurement was taken: device, driver, versions, clocks.

Clocks are read at the start and end of a run; GPU clocks come from ``nvidia-smi``
(parsed by ``parse_nvidia_smi``), the CPU clock from /proc/cpuinfo.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from validate.hostinfo import read_host_cpu

CONTENDED_FRACTION = 0.1  # other processes' share of the cores above which a timing is "contended"

NVIDIA_SMI_FIELDS = ("name", "driver_version", "clocks.sm", "clocks.max.sm", "clocks.mem", "temperature.gpu",
                     "power.draw", "clocks_throttle_reasons.active")


@dataclass(frozen=True)
class Environment:
    device_kind: str
    device_name: str
    driver_version: str
    torch_version: str
    numpy_version: str
    python_version: str
    threads: int
    clock_hz_start: float | None
    clock_hz_max: float | None
    memory_clock_hz: float | None
    throttle_reasons: str
    load_average: float

    def as_columns(self) -> dict[str, Any]:
        return asdict(self)


def parse_nvidia_smi(line: str) -> dict[str, str]:
    """One CSV line of ``nvidia-smi --query-gpu=... --format=csv,noheader,nounits``."""
    values = [v.strip() for v in line.split(",")]
    if len(values) != len(NVIDIA_SMI_FIELDS):
        raise ValueError(f"expected {len(NVIDIA_SMI_FIELDS)} fields from nvidia-smi, got {len(values)}: {line!r}")
    return dict(zip(NVIDIA_SMI_FIELDS, values, strict=True))


def query_nvidia_smi(index: int = 0) -> dict[str, str] | None:
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, f"--id={index}", f"--query-gpu={','.join(NVIDIA_SMI_FIELDS)}",
                              "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=10,
                             check=True).stdout.strip().splitlines()
        return parse_nvidia_smi(out[0]) if out else None
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def _mhz(value: str | None) -> float | None:
    try:
        return float(value) * 1e6 if value not in (None, "", "[N/A]", "N/A") else None
    except ValueError:
        return None


def gpu_clock_hz(index: int = 0) -> float | None:
    info = query_nvidia_smi(index)
    return _mhz(info.get("clocks.sm")) if info else None


def cpu_clock_hz() -> float | None:
    return read_host_cpu().clock_hz


def load_average() -> float:
    """One-minute load average of the host: other work competing for the cores."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def parse_proc_stat(text: str) -> tuple[int, int]:
    """(busy, total) jiffies of the aggregate 'cpu' line of /proc/stat; idle and iowait are not busy."""
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu":
            values = [int(v) for v in fields[1:]]
            idle = values[3] + (values[4] if len(values) > 4 else 0)
            total = sum(values[:8])
            return total - idle, total
    raise ValueError("no aggregate 'cpu' line in /proc/stat text")


class ContentionMeter:
    """Share of all cores used by *other* processes between ``start()`` and ``stop()``.

    Busy time of the whole host (/proc/stat) minus this process's own CPU time
    (``os.times``, all threads), over the elapsed capacity of all cores.
    """

    def __init__(self, stat: Path = Path("/proc/stat")):
        self._stat = stat
        self._start: tuple[int, int, float] | None = None

    def _snapshot(self) -> tuple[int, int, float] | None:
        try:
            busy, total = parse_proc_stat(self._stat.read_text())
        except (OSError, ValueError):
            return None
        own = os.times()
        return busy, total, own.user + own.system

    def start(self) -> None:
        self._start = self._snapshot()

    def stop(self) -> float:
        end = self._snapshot()
        if self._start is None or end is None or end[1] <= self._start[1]:
            return float("nan")
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        busy_s = (end[0] - self._start[0]) / ticks
        capacity_s = (end[1] - self._start[1]) / ticks
        own_s = end[2] - self._start[2]
        return min(1.0, max(0.0, (busy_s - own_s) / capacity_s))


def capture(torch: Any, device: str) -> Environment:
    """Describe ``device`` ('cpu' or 'cuda[:i]') as seen by ``torch``."""
    import numpy

    common = {"torch_version": torch.__version__, "numpy_version": numpy.__version__,
              "python_version": platform.python_version(), "threads": torch.get_num_threads(),
              "load_average": load_average()}
    if device.startswith("cuda"):
        return _cuda_environment(torch, device, common)
    host = read_host_cpu()
    return Environment(device_kind="cpu", device_name=host.model, driver_version="", clock_hz_start=host.clock_hz,
                       clock_hz_max=None, memory_clock_hz=None, throttle_reasons="", **common)


def _cuda_environment(torch: Any, device: str, common: dict[str, Any]) -> Environment:
    index = torch.device(device).index or 0
    info = query_nvidia_smi(index) or {}
    return Environment(
        device_kind="cuda", device_name=torch.cuda.get_device_name(index),
        driver_version=info.get("driver_version", "") or f"cuda {torch.version.cuda}",
        clock_hz_start=_mhz(info.get("clocks.sm")), clock_hz_max=_mhz(info.get("clocks.max.sm")),
        memory_clock_hz=_mhz(info.get("clocks.mem")), throttle_reasons=info.get("clocks_throttle_reasons.active", ""),
        **common)
