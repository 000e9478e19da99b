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
