from __future__ import annotations

import math

import pytest

import arch
import workloads as workload_pkg
from specbase import SpecError
from validate.cases import KernelCase
from validate.simulate import choose_workloads, default_arch, estimate, workload_for
from validate.suites import suite


@pytest.fixture(scope="module")
def host_arch():
    return arch.load_arch("host_cpu")


def test_every_quick_case_gets_a_positive_estimate(host_arch):
    workloads = choose_workloads()
    for case in suite("cpu", "quick"):
        est = estimate(case, host_arch, workloads[case.family])
        assert est.estimated_s > 0 and math.isfinite(est.estimated_s), (case.name, est.notes)
        assert est.bound


def test_dtype_reaches_the_workload_both_ways():
    fp32 = KernelCase("matmul", {"m": 64, "n": 64, "k": 64}, "fp32")
    bf16 = KernelCase("matmul", {"m": 64, "n": 64, "k": 64}, "bf16")
    assert _load_bytes(fp32, "gemm") == 2 * _load_bytes(bf16, "gemm")
    # attention presets fix their dtype: the document is rewritten and the note says so
    case = KernelCase("sdpa_prefill", {"batch": 1, "heads": 2, "seq": 256, "head_dim": 64, "causal": 0}, "fp32")
    wl, notes = workload_for(case, "attention_1pass")
    assert wl.tensor("Q").dtype == "fp32"
    declares_dtype = "dtype" in workload_pkg.declared_parameters(workload_pkg.workload_document("attention_1pass"))
    assert declares_dtype or any("replaced by 'fp32'" in n for n in notes)


def _load_bytes(case, preset):
    wl = workload_for(case, preset)[0]
    return wl.tensor("A").size_bytes


def test_decode_binding_groups_query_heads(host_arch):
    case = KernelCase("decode_attention", {"batch": 2, "q_heads": 32, "kv_heads": 8, "kv_len": 1024,
                                           "head_dim": 64}, "fp32")
    wl = workload_for(case, "decode_attention")[0]
    assert wl.tensor("K").size_bytes == 2 * 8 * 1024 * 64 * 4
    assert wl.tensor("Q").size_bytes == 2 * 32 * 64 * 4
    bad = KernelCase("decode_attention", {"batch": 1, "q_heads": 6, "kv_heads": 4, "kv_len": 64, "head_dim": 64})
    est = estimate(bad, host_arch, "decode_attention")
    assert math.isnan(est.estimated_s) and "not a multiple" in est.notes


def test_causal_cases_carry_a_note(host_arch):
    case = KernelCase("sdpa_prefill", {"batch": 1, "heads": 2, "seq": 256, "head_dim": 64, "causal": 1})
    assert "causal" in estimate(case, host_arch, "attention_1pass").notes


def test_default_arch_and_workload_choices():
    assert default_arch("cpu", "AMD EPYC") == "host_cpu"
    assert default_arch("cuda", "NVIDIA H100 80GB HBM3") == "h100"
    assert default_arch("cuda", "NVIDIA H200") == "h200"
    with pytest.raises(SpecError, match="pass --arch"):
        default_arch("cuda", "Some Other GPU")
    assert choose_workloads({"sdpa_prefill": "attention_3pass"})["sdpa_prefill"] == "attention_3pass"
    with pytest.raises(SpecError, match="allowed: flash_attention, attention_1pass, attention_3pass"):
        choose_workloads({"sdpa_prefill": "gemm"})
    with pytest.raises(SpecError, match="unknown kernel family"):
        choose_workloads({"conv": "gemm"})


def test_model_failure_falls_back_to_first_order_and_says_so(host_arch, monkeypatch):
    from sim import api
    from sim.errors import InfeasibleMapping

    real_run = api.run

    def failing_auto(hardware, workload, mapping=None, model="auto"):
        if model == "auto":
            raise InfeasibleMapping("tiles do not fit")
        return real_run(hardware, workload, mapping, model)

    monkeypatch.setattr(api, "run", failing_auto)
    est = estimate(KernelCase("softmax", {"rows": 64, "cols": 64}), host_arch, "softmax_3pass")
    assert est.estimated_s > 0 and est.model.startswith("first-order")
    assert "tiles do not fit" in est.notes and "first-order estimate instead" in est.notes


def test_causal_reaches_presets_that_declare_it(host_arch):
    params = {"batch": 1, "heads": 2, "seq": 512, "head_dim": 64}
    full = estimate(KernelCase("sdpa_prefill", {**params, "causal": 0}), host_arch, "flash_attention")
    causal = estimate(KernelCase("sdpa_prefill", {**params, "causal": 1}), host_arch, "flash_attention")
    assert "no causal parameter" not in causal.notes
    if causal.estimated_s == full.estimated_s:
        assert "ignores causal=1" in causal.notes, "a model that does not act on causal must be called out"
    else:
        assert causal.estimated_s < full.estimated_s, "the causal half of the scores costs less"
    wl, _ = workload_for(KernelCase("sdpa_prefill", {**params, "causal": 1}, "bf16"), "flash_attention")
    assert wl.tensor("Q").dtype == "bf16"


def test_causal_halves_the_work_on_a_model_that_uses_it():
    h100 = arch.load_arch("h100")
    params = {"batch": 1, "heads": 16, "seq": 8192, "head_dim": 128}
    full = estimate(KernelCase("sdpa_prefill", {**params, "causal": 0}, "bf16"), h100, "flash_attention")
    causal = estimate(KernelCase("sdpa_prefill", {**params, "causal": 1}, "bf16"), h100, "flash_attention")
    assert "ignores causal" not in causal.notes, "the GPU model acts on causal masking"
    assert 0.3 * full.estimated_s < causal.estimated_s < 0.8 * full.estimated_s
