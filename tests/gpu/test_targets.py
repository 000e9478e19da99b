"""Published targets the GPU model must reproduce (shared/reference/gpu.md), with tolerances.

Tolerances: the paper figures are single measurements on boost-clocked parts whose sustained
clock varies by ~5-10% (gpu.md §2, §8), and analytical GPU models are validated to ~10% per
operator (LLMCompass 10.4%, gpu.md §9). A 10% band is therefore the honest resolution.
"""

import pytest

from sim import api
from sim.gpu.splitkv import num_splits_heuristic


def _fa(arch, **params):
    return api.simulate(arch, "flash_attention", params)


def test_h100_fa3_hdim128_long_sequence_near_740_tflops():
    r = _fa("h100", seq_len=16384, head_dim=128)
    assert r.metrics["tflops"] == pytest.approx(740, rel=0.10)
    assert r.metrics["tensor_peak_fraction"] == pytest.approx(0.75, abs=0.075)
    assert "TensorCore" in r.bound


@pytest.mark.parametrize("head_dim", [64, 128])
@pytest.mark.parametrize("seq_len", [1024, 4096, 16384])
def test_a100_fa2_between_50_and_73_percent_of_peak(head_dim, seq_len):
    # FA2 paper: 50-73% of peak across head dims and lengths; 5 points of slack either side.
    frac = _fa("a100", seq_len=seq_len, head_dim=head_dim).metrics["tensor_peak_fraction"]
    assert 0.45 <= frac <= 0.78


def test_a100_picks_fa2_and_h100_picks_fa3():
    assert "fa2" in _fa("a100").model
    assert "fa3" in _fa("h100").model


def test_decode_attention_reaches_about_90_percent_of_hbm_at_long_context():
    r = api.simulate("h200", "flash_decoding", {"seq_len": 65536})
    # TensorRT-LLM decode on H200: 4.31-4.37 TB/s of 4.8 = ~90% (gpu.md §7)
    assert r.metrics["hbm_fraction_of_nominal"] == pytest.approx(0.90, abs=0.03)
    assert r.metrics["achieved_hbm_bytes_per_s"] == pytest.approx(4.34e12, rel=0.05)


def test_flash_decoding_split_heuristic_code_comment_example():
    # flash_api.cpp comment: 48 work units on 108 SMs -> 2 splits (eff 0.89), not 3 (0.67)
    assert num_splits_heuristic(48, 108, 64, 128) == 2


def test_split_heuristic_one_split_when_work_fills_the_gpu():
    assert num_splits_heuristic(200, 216, 64) == 1  # 200 >= 0.8 * 216


def test_split_heuristic_hand_derivation_with_two_slots_per_sm():
    # 48 units, 216 slots: efficiencies s=1..5 = .22 .44 .67 .89 .56 (s=9 gives 1.0);
    # the smallest s with eff >= 0.85 * 1.0 is 4.
    assert num_splits_heuristic(48, 216, 64) == 4


def test_model_uses_split_kv_for_few_heads():
    r = api.simulate("a100", "flash_decoding", {"batch": 1, "kv_heads": 8, "group": 4, "seq_len": 65536})
    assert r.metrics["splits"] > 1
    assert r.metrics["kernels"] == 2  # split kernel + combine kernel


def _blasst(arch, sparsity):
    return api.simulate(arch, "blasst", {"sparsity": sparsity}).latency_s


def test_blasst_speedup_grows_with_sparsity_and_is_capped_by_qk():
    dense = _blasst("h100", 0.0)
    speedups = [dense / _blasst("h100", s) for s in (0.3, 0.5, 0.7, 0.9, 0.985)]
    assert speedups == sorted(speedups)
    # QK^T is never skipped: with QK^T half of the MMA work the ceiling is 2x; the blog's
    # curve flattens at ~1.85x (gpu.md §6). Allow 1.75-2.0.
    assert 1.75 <= speedups[-1] <= 2.0


def test_exp_takes_half_the_matmul_time_on_h100_and_all_of_it_on_b200():
    h100 = _fa("h100", head_dim=128).metrics["exp_to_mma_time_ratio"]
    b200 = _fa("b200", head_dim=128).metrics["exp_to_mma_time_ratio"]
    # gpu.md §4 table: 50% and 100%; the per-block rescale adds one exp per row and block (<1%).
    assert h100 == pytest.approx(0.5, rel=0.02)
    assert b200 == pytest.approx(1.0, rel=0.02)
    # With FA3's schedule a B200 is MUFU-bound; FA4's software exp on the FP32 lanes lifts it.
    assert "SFU" in _fa("b200", head_dim=128, seq_len=16384, kernel="fa3").bound
    assert "TensorCore" in _fa("b200", head_dim=128, seq_len=16384).bound


def test_b200_fa4_near_1613_tflops():
    # FA4 arXiv 2603.05451: up to 1613 TFLOP/s BF16 = 71% (gpu.md §3)
    r = _fa("b200", seq_len=16384, head_dim=128, dtype="bf16")
    assert "fa4" in r.model
    assert r.metrics["tflops"] == pytest.approx(1613, rel=0.10)
    assert 0 < r.metrics["exp_emulated_fraction"] < 1


@pytest.mark.parametrize(("sparsity", "paper"), [(0.30, 1.21), (0.49, 1.33), (0.76, 1.56), (0.94, 1.79),
                                                 (0.985, 1.83)])
def test_blasst_b200_prefill_16k_curve(sparsity, paper):
    # TRT-LLM blog16 draft, B200 prefill 16k BF16 (gpu.md §6); 10% band as above.
    dense = _blasst("b200", 0.0)
    assert dense / _blasst("b200", sparsity) == pytest.approx(paper, rel=0.10)
