"""Edge-MoE datapath: unit formulas against the reference sheet, and physics properties."""

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import workloads
from sim.fpga.edge_moe import EdgeMoeDatapath, Unit, attention_cycles, linear_cycles, schedule
from sim.fpga.edge_moe_stages import build_stages
from sim.fpga.roles import default_weights

DP = EdgeMoeDatapath()


def _stages(ffn="mlp", layers=1, patch_embed=0, dp=DP):
    w = workloads.load_workload("vit_layer_edge_moe", {"ffn": ffn, "layers": layers, "patch_embed": patch_embed})
    return w, build_stages(w, dp, default_weights(w), {})


def test_qk_loop_nest_matches_reference():
    # Reference: ceil(132/4) * 129 * (192/8) = 102,168 cycles per layer at II = 1.
    assert attention_cycles(129, 3 * 129 * 64, DP) == 33 * 129 * 24 == 102_168


def test_linear_tile_count():
    assert linear_cycles(1, 129, 192, 576, DP) == 129 * 12 * 36


def test_dense_layer_compute_matches_hand_derivation():
    # QKV: 3 * 129*12*12; proj: 129*12*12; MLP: 2 * 129*12*48; attention: 2 * 102,168.
    hand_linear = 3 * 129 * 12 * 12 + 129 * 12 * 12 + 2 * 129 * 12 * 48
    hand_attention = 2 * 102_168
    _, stages = _stages("mlp")
    linear = sum(s.compute_cycles for s in stages if s.unit is Unit.LINEAR)
    attention = sum(s.compute_cycles for s in stages if s.unit is Unit.ATTENTION)
    assert linear == hand_linear
    assert attention == hand_attention
    # Reference sheet: compute-only bound of 12 such layers ~ 5.13 M cycles.
    assert 12 * (linear + attention) == pytest.approx(5.13e6, rel=0.01)


def test_dense_layer_weight_bytes_match_reference():
    # Reference: ~0.88 MB of 16-bit linear weights per dense layer (QKV, proj, fc1, fc2).
    _, stages = _stages("mlp")
    weights = sum(s.weight_bytes for s in stages if s.unit is Unit.LINEAR)
    assert weights == 2 * (3 * 192 * 192 + 192 * 192 + 2 * 192 * 768)


def test_moe_runs_expert_by_expert():
    _, stages = _stages("moe")
    experts = [s for s in stages if s.chunks > 1]
    assert [s.chunks for s in experts] == [16, 16]
    # 16 tokens per expert (round(129*2/16)), 192 -> 384 -> 192.
    assert experts[0].compute_cycles == 16 * 16 * 12 * 24


def test_latency_at_least_compute_and_bandwidth_bounds():
    w, stages = _stages("moe")
    timings = schedule(stages, DP)
    latency = sum(t.latency_cycles for t in timings)
    compute = sum(s.compute_cycles for s in stages)
    traffic = sum(s.read_bytes + s.write_bytes + s.weight_bytes for s in stages)
    assert latency >= compute
    assert latency >= traffic / DP.offchip_bytes_per_cycle
    compulsory = sum(t.size_bytes for t in w.tensors.values() if t.role in ("input", "output"))
    assert traffic >= compulsory


@settings(max_examples=15, deadline=None)
@given(st.floats(min_value=0.5e9, max_value=100e9), st.floats(min_value=1.01, max_value=8))
def test_more_bandwidth_never_slower(bandwidth, factor):
    _, stages = _stages("moe")
    slow = replace(DP, offchip_bandwidth_bytes_per_s=bandwidth)
    fast = replace(DP, offchip_bandwidth_bytes_per_s=bandwidth * factor)
    t_slow = sum(t.latency_cycles for t in schedule(stages, slow))
    t_fast = sum(t.latency_cycles for t in schedule(stages, fast))
    assert t_fast <= t_slow


@settings(max_examples=10, deadline=None)
@given(st.sampled_from([64, 128, 256, 512]))
def test_wider_ports_never_slower_and_overlap_helps(bits):
    _, stages = _stages("moe")
    narrow = sum(t.latency_cycles for t in schedule(stages, replace(DP, axi_port_bits=bits)))
    wide = sum(t.latency_cycles for t in schedule(stages, replace(DP, axi_port_bits=bits * 2)))
    serial = sum(t.latency_cycles for t in schedule(stages, replace(DP, axi_port_bits=bits,
                                                                    overlap_weight_load=False)))
    assert wide <= narrow <= serial


def test_narrow_ports_make_experts_weight_bound():
    _, stages = _stages("moe")
    timings = schedule(stages, replace(DP, axi_port_bits=128))
    expert = next(t for t in timings if t.stage.chunks > 1)
    assert expert.bound == "offchip (next weights)"
    assert math.isclose(expert.weight_load_cycles, 2 * 192 * 384 * 2 / 2 / 16)


def test_softmax_fuses_into_qk_and_layernorm_is_its_own_pass():
    _, stages = _stages("mlp")
    by_leader = {s.name: s for s in stages}
    assert by_leader["L0_S"].einsums == ("L0_S", "L0_SM", "L0_SE", "L0_SL", "L0_P")
    assert by_leader["L0_H"].einsums == ("L0_H", "L0_G")
    assert by_leader["L0_MU1"].unit is Unit.VECTOR
