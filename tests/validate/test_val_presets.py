"""The validation's workload bindings agree with the cases, and the physics holds on them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arch
from sim import api
from validate.cases import KernelCase
from validate.simulate import BINDINGS, workload_for
from validate.suites import suite


@pytest.mark.parametrize("case", suite("cpu", "default"), ids=lambda c: c.name)
def test_workload_compulsory_bytes_equal_the_cases(case):
    for preset in BINDINGS[case.family]:
        workload = workload_for(case, preset)[0]
        assert workload.compulsory_bytes == pytest.approx(case.compulsory_bytes), preset


def test_layernorm_and_decode_op_counts_by_hand():
    ln = workload_for(KernelCase("layernorm", {"rows": 8, "cols": 16}), "layernorm")[0]
    ops = {e.name: dict(e.op_counts) for e in ln.einsums}
    assert ops["S1"] == {"add": 8 * 16}
    assert ops["S2"] == {"mac": 8 * 16}
    assert ops["Y"] == {"add": 2 * 8 * 16, "mul": 2 * 8 * 16}
    case = KernelCase("decode_attention", {"batch": 2, "q_heads": 8, "kv_heads": 2, "kv_len": 32, "head_dim": 16})
    dec = workload_for(case, "decode_attention")[0]
    macs = sum(dict(e.op_counts).get("mac", 0) for e in dec.einsums)
    assert 2 * macs == case.flops  # QK and AV: 2 x B x HQ x L x d MACs
    assert sum(dict(e.op_counts).get("exp", 0) for e in dec.einsums) == 2 * 8 * 32


HOST = arch.load_arch("host_cpu")


def _with_dram_bandwidth(hw, factor: float):
    dram = hw.storage[0]
    faster = replace(dram, read_bandwidth_bytes_per_cycle=dram.read_bandwidth_bytes_per_cycle * factor,
                     write_bandwidth_bytes_per_cycle=dram.write_bandwidth_bytes_per_cycle * factor)
    return replace(hw, storage=(faster, *hw.storage[1:]))


cases = st.one_of(
    st.builds(lambda r, c: KernelCase("layernorm", {"rows": r, "cols": c}),
              st.integers(1, 512), st.integers(1, 4096)),
    st.builds(lambda b, g, kv, d: KernelCase("decode_attention", {"batch": b, "q_heads": 2 * g, "kv_heads": 2,
                                                                  "kv_len": kv, "head_dim": d}),
              st.integers(1, 4), st.integers(1, 8), st.integers(1, 8192), st.sampled_from([64, 128])),
)


@settings(max_examples=25, deadline=None)
@given(case=cases, factor=st.floats(1.0, 16.0))
def test_bandwidth_bound_holds_and_more_bandwidth_is_never_slower(case, factor):
    preset = "layernorm" if case.family == "layernorm" else "decode_attention"
    workload = workload_for(case, preset)[0]
    base = api.run(HOST, workload)
    dram = HOST.storage[0]
    floor_cycles = case.compulsory_bytes / max(dram.read_bandwidth_bytes_per_cycle,
                                               dram.write_bandwidth_bytes_per_cycle)
    assert base.latency_cycles >= floor_cycles * (1 - 1e-9)
    faster = api.run(_with_dram_bandwidth(HOST, factor), workload)
    assert faster.latency_cycles <= base.latency_cycles * (1 + 1e-9)
