"""What the host CPU is: model name, cores, clock and cache sizes, read from Linux files.

Every reader takes the file text as an argument so it is tested on fixed text; the
``read_*`` wrappers open the real files and return None where they are missing.
"""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

_SIZE_RE = re.compile(r"^\s*(\d+)\s*([KMG]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


@dataclass(frozen=True)
class CacheLevel:
    level: int
    kind: str
    size_bytes: int
    shared_by_cpus: int


@dataclass(frozen=True)
class HostCpu:
    model: str
    logical_cpus: int
    physical_cores: int
    clock_hz: float | None
    caches: tuple[CacheLevel, ...]
    flags: frozenset[str]

    def cache_bytes(self, level: int) -> int | None:
        """Size of one instance of the data/unified cache at ``level``."""
        for cache in self.caches:
            if cache.level == level and cache.kind in ("Data", "Unified"):
                return cache.size_bytes
        return None

    def cache_instances(self, level: int) -> int:
        for cache in self.caches:
            if cache.level == level and cache.kind in ("Data", "Unified"):
                return max(1, self.logical_cpus // max(1, cache.shared_by_cpus))
        return 1

    @property
    def last_level_cache_bytes(self) -> int | None:
        levels = [c for c in self.caches if c.kind in ("Data", "Unified")]
        return max(levels, key=lambda c: c.level).size_bytes if levels else None

    @property
    def simd_bits(self) -> int:
        if "avx512f" in self.flags:
            return 512
        if "avx2" in self.flags or "avx" in self.flags:
            return 256
        return 128

    @property
    def fma_units_per_core(self) -> int:
        """Two FMA pipes on x86 cores with FMA3 since Haswell/Zen; one without FMA."""
        return 2 if "fma" in self.flags else 1


def parse_size(text: str) -> int:
    """'32K' -> 32768; '1024K' -> 1048576; '8M' -> 8388608."""
    match = _SIZE_RE.match(text)
    if not match:
        raise ValueError(f"not a cache size: {text!r}")
    return int(match.group(1)) * _UNITS[match.group(2).upper()]


def parse_cpuinfo(text: str) -> tuple[str, float | None, frozenset[str], int]:
    """Model name, clock (Hz, from 'cpu MHz'), flags and physical core count of /proc/cpuinfo text."""
    model = _first(text, "model name") or platform.processor() or "unknown CPU"
    mhz = _first(text, "cpu MHz")
    flags = frozenset((_first(text, "flags") or "").split())
    core_ids = {(p, c) for p, c in zip(re.findall(r"^physical id\s*:\s*(\d+)", text, re.M),
                                       re.findall(r"^core id\s*:\s*(\d+)", text, re.M), strict=False)}
    return model, float(mhz) * 1e6 if mhz else None, flags, len(core_ids)


def parse_cpu_list(text: str) -> int:
    """Number of CPUs in a list such as '0-3,8,10-11'."""
    count = 0
    for part in text.strip().split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        count += int(hi or lo) - int(lo) + 1
    return count


def read_caches(cpu_dir: Path = Path("/sys/devices/system/cpu/cpu0/cache")) -> tuple[CacheLevel, ...]:
    caches = []
    for index in sorted(cpu_dir.glob("index*")):
        try:
            caches.append(CacheLevel(
                level=int((index / "level").read_text()),
                kind=(index / "type").read_text().strip(),
                size_bytes=parse_size((index / "size").read_text()),
                shared_by_cpus=parse_cpu_list((index / "shared_cpu_list").read_text())))
        except (OSError, ValueError):
            continue
    return tuple(caches)


def read_host_cpu() -> HostCpu:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    model, clock_hz, flags, cores = parse_cpuinfo(text)
    logical = os.cpu_count() or 1
    return HostCpu(model, logical, cores or logical, clock_hz, read_caches(), flags)


def _first(text: str, key: str) -> str | None:
    match = re.search(rf"^{re.escape(key)}\s*:\s*(.*)$", text, re.M)
    return match.group(1).strip() if match else None
