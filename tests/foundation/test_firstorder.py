import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import arch
import workloads
from sim import firstorder
from sim.api import simulate
from specbase import parse_document

from .conftest import GEMM_ARCH


def _arch(_unused=None, **overrides):
    return arch.load_arch(parse_document(yaml.safe_dump(GEMM_ARCH), "tiny.yaml"), overrides)


def test_gemm_by_hand(write_yaml):
    """64^3 fp16 GEMM on 16x16 MAC PEs and 16 B/cycle DRAM.

    MACs = 64^3 = 262,144 on 256 PEs -> 1,024 compute cycles.
    Compulsory traffic = A + B read + Z written = 3 * 64*64 * 2 B = 24,576 B; reads 16,384 B at
    16 B/cycle = 1,024 cycles, writes 8,192 B at 16 B/cycle = 512 cycles; reads and writes have
    separate budgets, so bandwidth time = 1,024 cycles: a tie, which the model calls DRAM-bound.
    Energy = 262,144 MACs x 2 pJ + 24,576 B x (256 pJ per 8 B access) = 524,288 + 786,432 pJ.
    """
    hardware = _arch(write_yaml)
    gemm = workloads.load_workload("gemm", {"M": 64, "N": 64, "K": 64})
    result = firstorder.run(hardware, gemm)
    (row,) = result.einsums
    assert row.unit == "PE"
    assert row.op_counts == {"mac": 262_144}
    assert row.compute_cycles == 1024
    assert row.bandwidth_cycles["DRAM"] == 1024
    assert result.latency_cycles == 1024
    assert row.bound == "DRAM"
    assert result.traffic_at("DRAM").read_bytes == 16_384
    assert result.traffic_at("DRAM").write_bytes == 8_192
    assert result.energy_pj["PE"] == pytest.approx(524_288)
    assert result.energy_pj["DRAM"] == pytest.approx(786_432)
    assert result.utilization["PE"] == pytest.approx(1.0)
    assert result.metrics["compulsory_bytes"] == 24_576


def test_gemm_becomes_compute_bound_with_more_bandwidth(write_yaml):
    hardware = _arch(write_yaml, dram_bw=64)
    result = firstorder.run(hardware, workloads.load_workload("gemm", {"M": 64, "N": 64, "K": 64}))
    assert result.latency_cycles == 1024 and result.bound == "PE"


def test_unit_choice_follows_ops(write_yaml):
    hardware = _arch(write_yaml)
    softmax = workloads.load_workload("softmax_3pass", {"rows": 4, "N": 64})
    units = {row.name: row.unit for row in firstorder.run(hardware, softmax).einsums}
    assert units == {"GM": "Vec", "SD": "Vec", "Y": "Vec"}


def test_composite_exp_cost(write_yaml):
    """SD = sum exp(X - GM): per point 1 exp (6 mac + 1 add = 7 cycles) + 2 adds = 9 PE-cycles on 4 lanes."""
    hardware = _arch(write_yaml)
    softmax = workloads.load_workload("softmax_3pass", {"rows": 4, "N": 64})
    row = next(r for r in firstorder.run(hardware, softmax).einsums if r.name == "SD")
    assert row.compute_cycles == pytest.approx(4 * 64 * 9 / 4)


def test_missing_op_is_a_clear_error(write_yaml):
    data = yaml.safe_load(yaml.safe_dump(GEMM_ARCH))
    del data["compute"][1]
    hardware = arch.load_arch(write_yaml(data, "noexp.yaml"))
    with pytest.raises(firstorder.SimulationError, match="executes 'max'; units: PE \\(mac\\)"):
        firstorder.run(hardware, workloads.load_workload("softmax_3pass", {"rows": 4, "N": 64}))


def test_every_foundation_preset_pair_runs():
    for hw in ("fusemax", "flat", "teaching_array", "h100", "a100"):
        for wl in ("gemm", "softmax_3pass", "attention_3pass", "attention_1pass"):
            result = simulate(hw, wl, {"workload.M": 512} if wl == "gemm" else {}, model="first-order")
            assert result.latency_cycles > 0 and result.total_energy_pj > 0


sizes = st.sampled_from([16, 32, 64, 96, 128])
bandwidths = st.sampled_from([1, 4, 16, 64, 256])


@settings(max_examples=40, deadline=None)
@given(m=sizes, n=sizes, k=sizes, bw=bandwidths, rows=st.sampled_from([4, 8, 16]))
def test_latency_respects_both_bounds(m, n, k, bw, rows):
    hardware = _arch(dram_bw=bw, rows=rows)
    gemm = workloads.load_workload("gemm", {"M": m, "N": n, "K": k})
    result = firstorder.run(hardware, gemm)
    compute_bound = m * n * k / (rows * 16)
    bandwidth_bound = (m * k + k * n) * 2 / bw
    assert result.latency_cycles >= max(compute_bound, bandwidth_bound) - 1e-9
    assert result.traffic_at("DRAM").total_bytes >= gemm.compulsory_bytes


@settings(max_examples=30, deadline=None)
@given(bw=bandwidths, factor=st.sampled_from([2, 3, 8]),
       wl=st.sampled_from(["gemm", "softmax_3pass", "attention_3pass"]))
def test_more_bandwidth_never_slower(bw, factor, wl):
    small = {"gemm": {"M": 64, "N": 32, "K": 48}, "softmax_3pass": {"rows": 8, "N": 64},
             "attention_3pass": {"B": 1, "H": 2, "M": 64, "P": 64, "E": 16, "F": 16}}[wl]
    workload = workloads.load_workload(wl, small)
    slow = firstorder.run(_arch(dram_bw=bw), workload)
    fast = firstorder.run(_arch(dram_bw=bw * factor), workload)
    assert fast.latency_cycles <= slow.latency_cycles


def test_deterministic():
    a = simulate("fusemax", "attention_1pass", model="first-order")
    b = simulate("fusemax", "attention_1pass", model="first-order")
    assert a == b
