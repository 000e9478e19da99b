"""Cycle counts against the authors' own DAM outputs ([SAD] gina7484/stream-attn-dam).

Reference numbers are copied from ../shared/reference/streaming_sdpa.md §5 (committed
<N>_result.txt, seq_agnostic_<N>.txt, unbound_seq_agnostic_<N>.txt). The unit timing is
the [SAD] "mirror latency from Spatial" set in arch/presets/streaming_sdpa.yaml.
"""

from __future__ import annotations

import pytest

from sim.streaming.timing import simulate_timing

from .conftest import pipeline

NAIVE = {512: 525_364, 1024: 2_099_252, 4096: 33_562_676, 16384: 536_903_732}
REORDERED = {512: 524_334, 1024: 2_097_198, 16384: 536_870_958, 32768: 2_147_483_694}


@pytest.mark.parametrize("n", [512, 1024])
def test_naive_matches_dam(n):
    assert simulate_timing(pipeline("sdpa_naive", n)).cycles == NAIVE[n]


@pytest.mark.parametrize("n", [512, 1024])
def test_reordered_matches_dam(n):
    assert simulate_timing(pipeline("sdpa_reordered", n)).cycles == REORDERED[n]


@pytest.mark.slow
@pytest.mark.parametrize("n", [4096, 16384])
def test_naive_matches_dam_large(n):
    assert simulate_timing(pipeline("sdpa_naive", n)).cycles == NAIVE[n]


@pytest.mark.slow
@pytest.mark.parametrize("n", [16384, 32768])
def test_reordered_matches_dam_large(n):
    assert simulate_timing(pipeline("sdpa_reordered", n)).cycles == REORDERED[n]


@pytest.mark.parametrize("n", [16, 48, 200])
def test_closed_forms_fitted_to_dam_hold_at_other_sizes(n):
    """The sheet's exact fits: naive = 2N^2 + 2N + 52, reordered = 2N^2 + 46."""
    assert simulate_timing(pipeline("sdpa_naive", n)).cycles == 2 * n * n + 2 * n + 52
    assert simulate_timing(pipeline("sdpa_reordered", n)).cycles == 2 * n * n + 46


def _sad_naive_depths(p, n):
    """[SAD] naive_attn.rs: Q source N, K/V sources N^2, short 13, long N+34, rowsum 24, div 9, out N."""
    depth = {"source": None, "bypass": n + 34, "row": 24, "sink": n}
    caps = {}
    for f in p.fifos:
        if f.role == "stream":
            caps[f.name] = 13 if f.name.startswith("SN:") else 9
        else:
            caps[f.name] = depth[f.role] if f.role != "source" else (n if f.name.startswith("Q:") else n * n)
    return caps


def _sad_reordered_depths(p):
    """[SAD] bounded_seq_agnostic_attn: sources 2, QKT 12, delta/current 2, rowsum 10, matmul 14, out 22."""
    caps = {}
    for f in p.fifos:
        if f.role == "source":
            caps[f.name] = 2
        elif f.name.startswith("QK:"):
            caps[f.name] = 12
        elif f.name.startswith(("PRM:", "SN:")):
            caps[f.name] = 2
        elif f.name.startswith("RD:"):
            caps[f.name] = 10
        elif f.name.startswith("RNV:"):
            caps[f.name] = 14
        else:
            caps[f.name] = 22
    return caps


def test_naive_with_the_exact_dam_fifo_depths():
    p = pipeline("sdpa_naive", 512)
    assert simulate_timing(p.with_fifos(**_sad_naive_depths(p, 512))).cycles == NAIVE[512]


def test_reordered_with_the_exact_dam_fifo_depths_and_unbounded():
    p = pipeline("sdpa_reordered", 512)
    assert simulate_timing(p.with_fifos(**_sad_reordered_depths(p))).cycles == REORDERED[512]
    unbounded = p.with_fifos(**{f.name: None for f in p.fifos})
    assert simulate_timing(unbounded).cycles == REORDERED[512]
