"""The full FuseMax study against the paper's headline numbers (slow: the whole 4 x 6 grid).

Tolerances (relative, |measured - paper| / paper) and why each is what it is. Measured values
of the full run on 2026-11-22 are in docs/fusemax.md section 4.

- speedups vs FLAT (attention mean, end-to-end mean, end-to-end at 1M): 10% (measured +4%, +4%,
  +2%). FLAT's per-(model, length) row tiles are not in the reference; ours come from the buffer
  capacity, which moves FLAT's long-sequence latency by a few percent.
- FuseMax utilizations: 5% (measured within 0.5%). FLAT 2D utilization: 10% at E = 64 (measured
  -7%), 20% at E = 128 (measured -16%): E/512 holds while FLAT is compute bound; when it spills
  (>= 64K, >= 16K for XLM) DRAM, not the 1D array, limits it.
- energy ratios: 20% (measured +17%, +13%). Only dynamic energy is modelled (no leakage, which
  grows with FLAT's 7x longer runtime) and buffer energies are estimates (docs section 5).
- speedup vs unfused: 25% (measured +19%). An ideal phase-by-phase bound is already +9% over the
  paper (docs section 5); a separate test checks the unfused latency against that bound.
"""

import math

import pytest

from sim.reproduce.study import run_study
from sim.reproduce.targets import TARGETS, relative_error
from workloads.models import MODELS

TOLERANCE = {
    "attention_speedup_vs_flat": 0.10,
    "attention_energy_vs_flat": 0.20,
    "attention_speedup_vs_unfused": 0.25,
    "e2e_speedup_vs_flat": 0.10,
    "e2e_energy_vs_flat": 0.20,
    "e2e_speedup_vs_flat_1m": 0.10,
    "fusemax_util2d_1k": 0.05,
    "fusemax_util2d_long": 0.05,
    "fusemax_util1d": 0.05,
    "flat_util2d_e64": 0.10,
    "flat_util2d_e128": 0.20,
}


@pytest.fixture(scope="module")
def study():
    return run_study(list(MODELS.values()))


@pytest.fixture(scope="module")
def summary(study):
    return study.summary


@pytest.mark.slow
@pytest.mark.parametrize("target", TARGETS, ids=[t.key for t in TARGETS])
def test_summary_within_tolerance_of_the_paper(summary, target):
    measured = summary[target.key]
    assert math.isfinite(measured)
    assert abs(relative_error(measured, target.paper)) <= TOLERANCE[target.key], (target.label, measured)


@pytest.mark.slow
def test_fusemax_utilization_rises_with_length(summary):
    assert summary["fusemax_util2d_long"] > summary["fusemax_util2d_1k"]


@pytest.mark.slow
def test_unfused_is_slower_than_its_ideal_phase_bounds(study):
    """Unfused = QK phase + softmax phase + SNV phase, each at best max(compute, DRAM) with a 400 GiB/s
    channel: QK writes 2 B per score and reads K (2E/256 B), the softmax's 1D array does 4 ops per score
    over 256 lanes, SNV reads SN (2 B) and V (2F/256 B). The engine can only be slower than this bound."""
    bytes_per_cycle = 400 * 2**30 / 940e6
    for row in study.rows:
        e = row.model.head_dim
        scores = 64 * row.model.heads * row.tokens**2
        qk = max(e / 65536, (2 + 2 * e / 256) / bytes_per_cycle)
        softmax = max(4 / 256, 4 / bytes_per_cycle)
        snv = max(e / 65536, (2 + 2 * e / 256) / bytes_per_cycle)
        bound_s = scores * (qk + softmax + snv) / 940e6
        assert row.attention["unfused"].latency_s >= bound_s * (1 - 1e-6), (row.model.name, row.tokens)
