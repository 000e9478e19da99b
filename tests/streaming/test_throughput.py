"""Cycles = N^2 x the II of the slowest unit + fill, for other unit timings too."""

from __future__ import annotations

from pathlib import Path

import pytest

import arch
import workloads
from sim.streaming.lowering import lower
from sim.streaming.timing import simulate_timing
from specbase import parse_document

PRESET = Path(arch.PRESETS_DIR, "streaming_sdpa.yaml").read_text()


def _with_ii(ii: int):
    text = PRESET.replace("initiation_interval_cycles: 2", f"initiation_interval_cycles: {ii}")
    return arch.load_arch(parse_document(text, "ii.yaml"))


@pytest.mark.parametrize("ii", [1, 3])
@pytest.mark.parametrize("n", [32, 64, 128])
def test_reordered_fill_is_constant_and_throughput_is_the_slowest_ii(ii, n):
    hardware = _with_ii(ii)
    run = simulate_timing(lower(hardware, workloads.load_workload("sdpa_reordered", {"N": n})))
    fill = run.cycles - ii * n * n
    assert 0 < fill < 60
    other = simulate_timing(lower(hardware, workloads.load_workload("sdpa_reordered", {"N": 2 * n})))
    assert other.cycles - ii * 4 * n * n == fill


@pytest.mark.parametrize("ii", [1, 3])
def test_naive_fill_grows_by_one_row(ii):
    hardware = _with_ii(ii)
    cycles = {n: simulate_timing(lower(hardware, workloads.load_workload("sdpa_naive", {"N": n}))).cycles
              for n in (32, 64, 128)}
    fills = {n: c - ii * n * n for n, c in cycles.items()}
    assert fills[64] - fills[32] == ii * 32
    assert fills[128] - fills[64] == ii * 64
