from __future__ import annotations

import pytest

from validate.cases import KernelCase, arithmetic_intensity, case_from_row


def test_matmul_work():
    case = KernelCase("matmul", {"m": 64, "n": 32, "k": 16}, "bf16")
    assert case.flops == 2 * 64 * 32 * 16
    assert case.compulsory_bytes == (64 * 16 + 16 * 32 + 64 * 32) * 2
    assert arithmetic_intensity(case) == pytest.approx(case.flops / case.compulsory_bytes)


def test_causal_prefill_counts_half_the_scores():
    full = KernelCase("sdpa_prefill", {"batch": 2, "heads": 4, "seq": 128, "head_dim": 64, "causal": 0})
    causal = KernelCase("sdpa_prefill", {"batch": 2, "heads": 4, "seq": 128, "head_dim": 64, "causal": 1})
    assert full.flops == 4 * 2 * 4 * 128 * 128 * 64
    assert causal.flops == full.flops / 2
    assert causal.compulsory_bytes == 4 * 2 * 4 * 128 * 64 * 4  # Q, K, V, O in fp32


def test_decode_bytes_are_dominated_by_the_kv_cache():
    case = KernelCase("decode_attention", {"batch": 64, "q_heads": 64, "kv_heads": 4, "kv_len": 16384,
                                           "head_dim": 128}, "bf16")
    kv = 2 * 64 * 4 * 16384 * 128 * 2
    q_and_o = 2 * 64 * 64 * 128 * 2
    assert case.compulsory_bytes == kv + q_and_o
    assert case.flops == 4 * 64 * 64 * 16384 * 128


def test_names_are_stable_through_storage():
    case = KernelCase("matmul", {"k": 3, "n": 2, "m": 1})
    assert case.name == "matmul_m1_n2_k3_fp32"
    assert case_from_row("matmul", case.params_json(), "fp32") == case


@pytest.mark.parametrize(("family", "params", "dtype", "message"), [
    ("conv", {}, "fp32", "unknown kernel family"),
    ("matmul", {"m": 1, "n": 1, "k": 1}, "int3", "unknown dtype"),
    ("softmax", {"rows": 4}, "fp32", "lacks parameters"),
])
def test_bad_cases_are_rejected_with_the_allowed_values(family, params, dtype, message):
    with pytest.raises(ValueError, match=message):
        KernelCase(family, params, dtype)
