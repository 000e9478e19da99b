"""Shared synthetic host and calibration (numbers chosen for the tests, not measured)."""

from __future__ import annotations

import pytest

from validate.calibrate import Calibration, plan_levels
from validate.hostinfo import CacheLevel, HostCpu

SYNTHETIC_HOST = HostCpu("Test CPU", 2, 2, 2.5e9, (
    CacheLevel(1, "Data", 32 << 10, 1), CacheLevel(2, "Unified", 512 << 10, 1),
    CacheLevel(3, "Unified", 32 << 20, 2)), frozenset({"avx2", "fma"}))


def synthetic_calibration(threads: int = 2) -> Calibration:
    return Calibration(
        clock_hz=2.5e9, threads=threads, levels=plan_levels(SYNTHETIC_HOST, threads),
        read_bytes_per_s={"DRAM": 20e9, "L3": 80e9, "L2": 100e9, "L1": 150e9},
        write_bytes_per_s={"DRAM": 15e9, "L3": 70e9, "L2": 90e9, "L1": 80e9},
        matmul_flops_per_s={"fp32": 160e9, "bf16": 1.6e9, "fp16": 0.8e9},
        elementwise_per_s_per_core={"exp": 1e9, "log": 0.8e9, "sqrt": 2e9, "div": 4e9},
        load_average=0.2, contention_fraction=0.0, software="test", date_utc="2026-01-01T00:00:00+00:00")


@pytest.fixture
def host():
    return SYNTHETIC_HOST


@pytest.fixture
def calibration():
    return synthetic_calibration
