from __future__ import annotations

import pytest

from validate.env import parse_nvidia_smi, parse_proc_stat
from validate.hostinfo import CacheLevel, HostCpu, parse_cpu_list, parse_cpuinfo, parse_size

CPUINFO = """processor\t: 0
model name\t: Test CPU 9000
cpu MHz\t\t: 2445.406
physical id\t: 0
core id\t\t: 0
flags\t\t: fpu sse avx avx2 fma
processor\t: 1
model name\t: Test CPU 9000
cpu MHz\t\t: 2445.406
physical id\t: 0
core id\t\t: 1
flags\t\t: fpu sse avx avx2 fma
"""


def test_cpuinfo():
    model, clock_hz, flags, cores = parse_cpuinfo(CPUINFO)
    assert model == "Test CPU 9000"
    assert clock_hz == pytest.approx(2.445406e9)
    assert {"avx2", "fma"} <= flags
    assert cores == 2


def test_sizes_and_cpu_lists():
    assert parse_size("32K") == 32 * 1024
    assert parse_size("1024K\n") == 1 << 20
    assert parse_size("32M") == 32 << 20
    with pytest.raises(ValueError):
        parse_size("lots")
    assert parse_cpu_list("0-3,8,10-11") == 7
    assert parse_cpu_list("0") == 1


def test_host_structure():
    host = HostCpu("x", 4, 4, 3e9, (
        CacheLevel(1, "Data", 32 << 10, 1), CacheLevel(1, "Instruction", 32 << 10, 1),
        CacheLevel(2, "Unified", 1 << 20, 1), CacheLevel(3, "Unified", 16 << 20, 4)), frozenset({"avx2", "fma"}))
    assert host.cache_bytes(1) == 32 << 10
    assert host.cache_instances(2) == 4 and host.cache_instances(3) == 1
    assert host.last_level_cache_bytes == 16 << 20
    assert host.simd_bits == 256 and host.fma_units_per_core == 2


def test_nvidia_smi_line():
    info = parse_nvidia_smi("NVIDIA H100 80GB HBM3, 550.54.15, 1980, 1980, 2619, 35, 71.2, 0x0000000000000000")
    assert info["name"] == "NVIDIA H100 80GB HBM3"
    assert info["clocks.sm"] == "1980" and info["driver_version"] == "550.54.15"
    with pytest.raises(ValueError, match="expected 8 fields"):
        parse_nvidia_smi("NVIDIA H100, 550")


def test_proc_stat_busy_excludes_idle_and_iowait():
    text = "cpu  100 5 50 800 45 0 0 0 0 0\ncpu0 50 2 25 400 20 0 0 0 0 0\n"
    busy, total = parse_proc_stat(text)
    assert total == 1000
    assert busy == 1000 - 800 - 45
    with pytest.raises(ValueError):
        parse_proc_stat("intr 1 2 3")


def test_contention_meter_subtracts_this_process(tmp_path, monkeypatch):
    import os
    import types

    from validate.env import ContentionMeter

    stat = tmp_path / "stat"
    own = iter([types.SimpleNamespace(user=1.0, system=0.0), types.SimpleNamespace(user=1.5, system=0.5)])
    monkeypatch.setattr(os, "times", lambda: next(own))
    monkeypatch.setattr(os, "sysconf", lambda name: 100)
    meter = ContentionMeter(stat)
    stat.write_text("cpu  0 0 0 0 0 0 0 0\n")
    meter.start()
    # 2 cores for 2 s = 400 ticks of capacity; 300 ticks busy, of which this process used 1.0 s = 100 ticks
    stat.write_text("cpu  300 0 0 100 0 0 0 0\n")
    assert meter.stop() == pytest.approx((3.0 - 1.0) / 4.0)
