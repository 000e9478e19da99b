"""Mechanics of the CTA/wave model: waves, padding, passes, physics properties."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arch as arch_pkg
import workloads
from sim import api
from sim.gpu.schedule import causal_steps, makespan_cycles, stream_k_partials, stream_k_steps, wave_efficiency


def test_wave_quantization_example():
    # FA3 benchmark at 16k: 16 heads x 128 query blocks = 2048 CTAs on 132 SMs -> 15.52 waves
    r = api.simulate("h100", "flash_attention", {"seq_len": 16384})
    assert r.metrics["ctas"] == 2048
    assert r.metrics["waves"] == pytest.approx(2048 / 132)
    assert r.metrics["wave_efficiency"] == pytest.approx(2048 / (16 * 132))


def test_makespan_equal_and_unequal():
    assert makespan_cycles([10.0] * 5, 2) == 30.0
    assert makespan_cycles([5.0, 1.0, 1.0, 1.0], 2) == 5.0


def test_stream_k_balances_to_one_tile():
    steps = stream_k_steps(1000, 216)
    assert sum(steps) == 1000 and max(steps) - min(steps) <= 1
    assert stream_k_partials(12, 3, 4) == 0 and stream_k_partials(12, 5, 4) > 0


def test_causal_steps_triangle():
    assert causal_steps(4, 128, 128, 4) == [1, 2, 3, 4]
    assert wave_efficiency(264, 132) == 1.0


def test_softmax_bytes_per_element_match_pass_structure():
    # softmax.md §3: 3-pass recompute 16, reload 20, 2-pass / online 12 bytes per fp32 element
    expected = {"softmax_3pass": 16, "softmax_3pass_reload": 20, "softmax_2pass": 12, "softmax_online": 12}
    for name, per_elem in expected.items():
        params = {"rows": 264, "N": 1048576}
        r = api.simulate("h100", name, params)
        assert r.traffic_at("HBM").total_bytes / (264 * 1048576) == pytest.approx(per_elem, rel=0.01), name


def test_softmax_fitting_rows_are_read_once():
    r = api.simulate("h100", "softmax_3pass", {"rows": 4096, "N": 4096})
    assert r.traffic_at("HBM").total_bytes == pytest.approx(4096 * 4096 * 8, rel=0.01)


def test_flat_gemm_padding_to_64_executes_64x_the_useful_mma_work():
    r64 = api.simulate("h100", "flat_gemm", {"pad_m": 64, "M": 1})
    r8 = api.simulate("h100", "flat_gemm", {"pad_m": 8, "M": 1})
    assert r64.metrics["tc_padding_factor"] == pytest.approx(64)
    assert r8.metrics["tc_padding_factor"] == pytest.approx(8)
    assert r8.latency_s <= r64.latency_s


def test_gemm_preset_runs_on_h100_and_is_compute_bound_when_large():
    r = api.simulate("h100", "gemm", {"M": 8192, "N": 8192, "K": 8192})
    assert r.bound.startswith("TensorCore")
    assert 0.5 < r.metrics["tensor_peak_fraction"] <= 1.0


def test_causal_is_about_half_the_work():
    full = api.simulate("h100", "flash_attention", {"seq_len": 8192})
    causal = api.simulate("h100", "flash_attention", {"seq_len": 8192, "causal": 1})
    assert causal.latency_s == pytest.approx(full.latency_s / 2, rel=0.15)


def test_bad_kernel_name_is_a_clear_error():
    from sim.errors import SimulationError
    with pytest.raises(SimulationError, match="allowed: auto"):
        api.simulate("h100", "flash_attention", {"kernel": "nope"})


def _run(hbm_scale: float, seq: int):
    hw = arch_pkg.load_arch("h100", {"hbm_bandwidth_bytes_per_s": 3.35e12 * hbm_scale})
    wl = workloads.load_workload("flash_decoding", {"seq_len": seq, "batch": 4})
    return api.run(hw, wl)


@settings(max_examples=12, deadline=None)
@given(st.floats(1.0, 4.0), st.sampled_from([2048, 8192, 32768]))
def test_more_bandwidth_never_slower_and_latency_above_bounds(scale, seq):
    slow, fast = _run(1.0, seq), _run(scale, seq)
    assert fast.latency_cycles <= slow.latency_cycles * (1 + 1e-9)
    hw = arch_pkg.load_arch("h100")
    bw = hw.level("HBM").read_bandwidth_bytes_per_cycle
    wl = workloads.load_workload("flash_decoding", {"seq_len": seq, "batch": 4})
    compulsory = wl.compulsory_bytes
    assert slow.traffic_at("HBM").total_bytes >= compulsory * 0.999
    assert slow.latency_cycles >= compulsory / bw


@settings(max_examples=8, deadline=None)
@given(st.sampled_from([1024, 2048, 4096]), st.sampled_from([64, 128]))
def test_attention_latency_at_least_the_tensor_core_bound(seq, d):
    r = api.simulate("h100", "flash_attention", {"seq_len": seq, "head_dim": d})
    peak = 4096 * 132
    assert r.latency_cycles >= r.metrics["tc_flops_executed"] / peak
    assert math.isfinite(r.metrics["tflops"])
