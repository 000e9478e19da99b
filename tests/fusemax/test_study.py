"""Configuration results checked against hand counts and physical properties (fast points only)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.reproduce import runner
from sim.reproduce.configs import CONFIGURATIONS
from workloads.models import MODELS

MAC, ADD, MAX, EXP_FLAT = 17.16, 8.34, 0.028, 94.65
BERT = MODELS["bert_base"]
B, H, E, F = 64, 12, 64, 64
CLOCK = 940e6


@pytest.fixture(scope="module")
def bert_1k():
    return {key: runner.run_attention(cfg, BERT, 1024, B) for key, cfg in CONFIGURATIONS.items()}


def _scores(tokens):
    return B * H * tokens * tokens


def test_fusemax_2d_busy_cycles_by_hand(bert_1k):
    """Per score on the 2D array: E MACs (BQK), 1 max (LM), exp (6 MAC + 1 add) and the subtraction (SLN),
    1 add (SLD), F MACs (SLNV): E + F + 10 cycles over 65,536 PEs."""
    point = bert_1k["fusemax"]
    busy = point.utilization["PE2D"] * point.latency_s * CLOCK
    assert busy == pytest.approx(_scores(1024) * (E + 1 + 7 + 1 + 1 + F) / 65536, rel=1e-6)


def test_flat_2d_utilization_is_e_over_512_when_the_1d_array_is_saturated(bert_1k):
    """FLAT's 1D array spends 4 cycles per score (max, sub + exp, add) over 256 lanes; the 2D array E + F."""
    point = bert_1k["flat"]
    assert point.utilization["PE1D"] > 0.95
    assert point.utilization["PE2D"] == pytest.approx((E + F) / (4 * 256), rel=0.05)


def test_compute_energy_per_score_by_hand(bert_1k):
    """FuseMax: (E + F + 6) MACs + 3 adds (exp, subtraction, SLD) + 1 max per score on the 2D array;
    FLAT: (E + F) MACs + exp + 2 adds + max, plus F divides per query."""
    scores = _scores(1024)
    fusemax = bert_1k["fusemax"].energy_by_part_pj
    flat = bert_1k["flat"].energy_by_part_pj
    fm_2d = fusemax["PE2D"] / scores
    assert fm_2d == pytest.approx((E + F + 6) * MAC + 3 * ADD + MAX, rel=1e-6)
    fl_ops = (flat["PE2D"] + flat["PE1D"]) / scores
    per_query_div = 36.25 * F / 1024
    assert fl_ops == pytest.approx((E + F) * MAC + EXP_FLAT + 2 * ADD + MAX + per_query_div, rel=1e-6)


def test_configuration_ladder_order_at_4k():
    points = {key: runner.run_attention(cfg, BERT, 4096, B) for key, cfg in CONFIGURATIONS.items()
              if key != "unfused"}
    latency = {key: p.latency_s for key, p in points.items()}
    assert latency["fusemax"] < latency["architecture"] < latency["flat"] < latency["cascade"]


def test_unfused_moves_every_score_through_dram(bert_1k):
    """QK is written once and read back; the softmax output is written and read again: >= 8 B per score."""
    assert bert_1k["unfused"].dram_bytes >= 8 * _scores(1024)
    assert bert_1k["unfused"].latency_s > bert_1k["flat"].latency_s


def test_fusemax_keeps_scores_on_chip(bert_1k):
    """At 1K one query tile holds every query: DRAM traffic is exactly Q, K, V in and AV out."""
    compulsory = 4 * B * H * E * 1024 * 2
    assert bert_1k["fusemax"].dram_bytes == pytest.approx(compulsory)
    assert bert_1k["flat"].dram_bytes == pytest.approx(compulsory)


@settings(max_examples=12, deadline=None)
@given(key=st.sampled_from(["unfused", "flat", "cascade", "fusemax"]), tokens=st.sampled_from([1024, 65536]),
       gib_per_s=st.sampled_from([100, 200, 400]), factor=st.floats(1.0, 4.0))
def test_more_dram_bandwidth_is_never_slower(key, tokens, gib_per_s, factor):
    config = CONFIGURATIONS[key]
    slow = runner.run_attention(config, BERT, tokens, 2, {"dram_bandwidth_bytes_per_s": gib_per_s * 2**30})
    fast = runner.run_attention(config, BERT, tokens, 2,
                                {"dram_bandwidth_bytes_per_s": factor * gib_per_s * 2**30})
    assert fast.latency_s <= slow.latency_s * (1 + 1e-9)


def test_latency_is_at_least_the_compute_and_dram_bounds(bert_1k):
    for key, point in bert_1k.items():
        cycles = point.latency_s * CLOCK
        for unit in ("PE2D", "PE1D"):
            assert point.utilization[unit] <= 1 + 1e-9, (key, unit)
        dram_cycles = point.dram_bytes / (400 * 2**30 / CLOCK)
        assert cycles >= dram_cycles * (1 - 1e-9), key
        assert math.isfinite(point.energy_pj) and point.energy_pj > 0
