"""Physics of the engine as hypothesis properties."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workloads
from sim.engine.default import default_mapping
from sim.engine.evaluate import evaluate
from tests.engine.conftest import TRI, load_arch_dict

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def cases(draw):
    kind = draw(st.sampled_from(["gemm", "softmax_3pass", "attention_3pass", "attention_1pass"]))
    if kind == "gemm":
        params = {"M": draw(st.sampled_from([8, 16, 48])), "N": draw(st.sampled_from([8, 32])),
                  "K": draw(st.sampled_from([4, 16, 64]))}
    elif kind == "softmax_3pass":
        params = {"rows": draw(st.sampled_from([4, 12])), "N": draw(st.sampled_from([16, 64]))}
    elif kind == "attention_3pass":
        params = {"B": 1, "H": draw(st.sampled_from([1, 2])), "E": 8, "F": 8, "M": 32, "P": 16}
    else:
        params = {"B": 1, "H": draw(st.sampled_from([1, 3])), "E": 8, "F": 8, "M": 64, "P": 16,
                  "M0": draw(st.sampled_from([8, 16]))}
    hw = {"dram_bw": draw(st.sampled_from([2, 8, 64])), "glb_bytes": draw(st.sampled_from([4096, 65536])),
          "glb_bw": draw(st.sampled_from([8, 32])), "mac_cycles": draw(st.sampled_from([1, 2])),
          "vec_cycles": draw(st.sampled_from([1, 4]))}
    return workloads.load_workload(kind, params), hw


def _run(workload, hw, mapping=None):
    arch = load_arch_dict(TRI, hw)
    mapping = mapping or default_mapping(arch, workload)
    return evaluate(arch, workload, mapping), mapping


@SETTINGS
@given(cases())
def test_traffic_at_least_compulsory(case):
    workload, hw = case
    result, _ = _run(workload, hw)
    dram = result.traffic_at("DRAM")
    inputs = sum(t.size_bytes for t in workload.inputs)
    outputs = sum(t.size_bytes for t in workload.outputs)
    assert dram.read_bytes >= inputs
    assert dram.write_bytes >= outputs


@SETTINGS
@given(cases())
def test_latency_at_least_compute_and_bandwidth_bounds(case):
    workload, hw = case
    result, _ = _run(workload, hw)
    m = result.metrics
    slack = 1e-9 * result.latency_cycles
    assert result.latency_cycles + slack >= m["compute_bound_cycles"]
    assert result.latency_cycles + slack >= m["bandwidth_bound_cycles"]
    assert result.latency_cycles + slack >= m["compulsory_bandwidth_cycles"]
    for unit, fraction in result.utilization.items():
        assert 0.0 <= fraction <= 1.0 + 1e-9, unit


@SETTINGS
@given(cases(), st.sampled_from(["dram_bw", "glb_bw", "mac_cycles", "vec_cycles"]))
def test_doubling_a_resource_never_increases_latency(case, knob):
    workload, hw = case
    base, mapping = _run(workload, hw)
    faster = dict(hw)
    if knob.endswith("_bw"):
        faster[knob] *= 2
    else:
        faster[knob] /= 2
    better, _ = _run(workload, faster, mapping)
    assert better.latency_cycles <= base.latency_cycles * (1 + 1e-9)


@SETTINGS
@given(cases())
def test_results_are_deterministic(case):
    workload, hw = case
    first, _ = _run(workload, hw)
    second, _ = _run(workload, hw)
    assert first.to_dict() == second.to_dict()


@st.composite
def ceil_gemms(draw):
    """GEMM with m split as ceil(M / inner) x inner over DRAM and the GLB, k split likewise."""
    m, k = draw(st.sampled_from([7, 10, 13, 30])), draw(st.sampled_from([5, 12, 17]))
    m_inner, k_inner = draw(st.integers(1, m)), draw(st.integers(1, k))
    return m, k, m_inner, k_inner, draw(st.sampled_from([2, 8]))


def _ceil_gemm(m: int, k: int, m_inner: int, k_inner: int, dram_bw: int, padded: bool):
    m_outer, k_outer = -(-m // m_inner), -(-k // k_inner)
    size_m, size_k = (m_outer * m_inner, k_outer * k_inner) if padded else (m, k)
    workload = workloads.load_workload("gemm", {"M": size_m, "N": 4, "K": size_k})
    arch = load_arch_dict(TRI, {"dram_bw": dram_bw})
    from sim.engine.mapping import mapping_from_dict

    mapping = mapping_from_dict({"einsums": {"Z": {"unit": "PE", "levels": {
        "DRAM": {"temporal": [{"m": m_outer}, {"k": k_outer}]},
        "GLB": {"temporal": [{"m": m_inner}, "n", {"k": k_inner}]}}}}}, arch, workload)
    return workload, evaluate(arch, workload, mapping)


@SETTINGS
@given(ceil_gemms())
def test_ceil_factors_lie_between_compulsory_and_padded(case):
    workload, real = _ceil_gemm(*case, padded=False)
    _, padded = _ceil_gemm(*case, padded=True)
    dram, pad = real.traffic_at("DRAM"), padded.traffic_at("DRAM")
    assert dram.read_bytes >= sum(t.size_bytes for t in workload.inputs) * (1 - 1e-12)
    assert dram.write_bytes >= sum(t.size_bytes for t in workload.outputs) * (1 - 1e-12)
    assert dram.read_bytes <= pad.read_bytes * (1 + 1e-12)
    assert dram.write_bytes <= pad.write_bytes * (1 + 1e-12)
    macs = workload.einsums[0].points
    assert macs <= real.einsums[0].compute_cycles <= padded.einsums[0].compute_cycles
    assert real.latency_cycles <= padded.latency_cycles * (1 + 1e-9)
