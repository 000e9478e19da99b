"""The lowering follows the Einsums' structure, not tensor or workload names."""

from __future__ import annotations

from pathlib import Path

import pytest

import arch
import workloads
from sim.streaming.lowering import lower
from sim.streaming.timing import simulate_timing
from specbase import SpecError, parse_document

from .conftest import hardware, pipeline

RENAMED_REORDERED = """
name: renamed
parameters: {L: 24, h: 2}
ranks: {i: L, j: L, c: h, o: h}
iterative_ranks: [j]
inputs: {X: [c, i], Y: [c, j], Z: [o, j]}
outputs: [OUT]
einsums:
  - {name: a0, einsum: "MX[0,i] = -inf"}
  - {name: b0, einsum: "DEN[0,i] = 0"}
  - {name: c0, einsum: "NUM[o,0,i] = 0"}
  - SC[j,i] = sum_c X[c,i] * Y[c,j]
  - MX[j+1,i] = max(MX[j,i], SC[j,i])
  - FAC[j,i] = exp(MX[j,i] - MX[j+1,i])
  - W[j,i] = exp(SC[j,i] - MX[j+1,i])
  - DEN[j+1,i] = DEN[j,i] * FAC[j,i] + W[j,i]
  - NUM[o,j+1,i] = NUM[o,j,i] * FAC[j,i] + W[j,i] * Z[o,j]
  - OUT[o,i] = NUM[o,L,i] / DEN[L,i]
"""


def _load(text: str, name: str = "inline.yaml"):
    return workloads.load_workload(parse_document(text, name))


def test_naive_fuses_exp_into_the_dot_unit_and_finds_the_bypass():
    p = pipeline("sdpa_naive", 32)
    kinds = {u.name: u.params["kind"] for u in p.units}
    assert kinds["QK+SN"] == "dot" and kinds["SD"] == "row_reduce" and kinds["A"] == "row_binary"
    assert kinds["AV"] == "row_matvec"
    assert [f.name for f in p.fifos if f.role == "bypass"] == ["SN:QK+SN->A"]


def test_3pass_has_two_bypass_fifos():
    p = pipeline("sdpa_3pass", 32)
    assert sorted(f.name for f in p.fifos if f.role == "bypass") == ["QK:QK->SN", "SN:SN->A"]


def test_reordered_running_max_feeds_two_running_units_through_two_ports():
    p = pipeline("sdpa_reordered", 32)
    rm = p.unit("RM+PRM+SN")
    assert rm.params["kind"] == "running_max"
    assert {port.name: len(port.fifos) for port in rm.outputs} == {"delta": 2, "value": 2}
    assert p.unit("RD").params["kind"] == "running_sum"
    assert p.unit("RNV").params["kind"] == "running_matvec"
    assert not [f for f in p.fifos if f.role == "bypass"]


def test_lowering_ignores_names():
    w = _load(RENAMED_REORDERED)
    p = lower(hardware(), w)
    kinds = sorted(u.params["kind"] for u in p.units)
    reference = sorted(u.params["kind"] for u in pipeline("sdpa_reordered", 24).units)
    assert kinds == reference
    assert simulate_timing(p).cycles == 2 * 24 * 24 + 46


def test_unsupported_einsum_names_its_path():
    text = RENAMED_REORDERED.replace("W[j,i] = exp(SC[j,i] - MX[j+1,i])", "W[j,i] = SC[j,i] * SC[j,i]")
    with pytest.raises(SpecError) as info:
        lower(hardware(), _load(text))
    assert "einsums[6]" in str(info.value)
    assert "inline.yaml" in str(info.value)


def test_missing_unit_kind_names_the_arch_field():
    doc = parse_document("""
name: tiny
kind: streaming
clock_hz: 1e9
streaming:
  units:
    source: {initiation_interval_cycles: 1, latency_cycles: 1}
    sink: {initiation_interval_cycles: 0, latency_cycles: 0}
""", "tiny.yaml")
    with pytest.raises(SpecError) as info:
        lower(arch.load_arch(doc), workloads.load_workload("sdpa_naive", {"N": 8}))
    assert "streaming.units.dot" in str(info.value) and "tiny.yaml" in str(info.value)


def test_bad_capacity_expression_lists_the_names_it_may_use():
    doc = parse_document("""
name: tiny
kind: streaming
clock_hz: 1e9
streaming:
  units:
    source: {initiation_interval_cycles: 1, latency_cycles: 1}
    sink: {initiation_interval_cycles: 0, latency_cycles: 0}
    dot: {initiation_interval_cycles: 1, latency_cycles: 1}
    row_reduce: {initiation_interval_cycles: 1, latency_cycles: 1}
    row_binary: {initiation_interval_cycles: 1, latency_cycles: 1}
    row_matvec: {initiation_interval_cycles: 1, latency_cycles: 1}
  fused_op_latency_cycles: {exp: 0}
  fifos:
    bypass: {capacity_elements: "rows_elements + 3"}
""", "tiny.yaml")
    with pytest.raises(SpecError) as info:
        lower(arch.load_arch(doc), workloads.load_workload("sdpa_naive", {"N": 8}))
    message = str(info.value)
    assert "streaming.fifos.bypass.capacity_elements" in message and "row_elements" in message


def test_capacity_syntax_error_is_caught_when_the_arch_loads():
    doc = parse_document("""
name: tiny
kind: streaming
clock_hz: 1e9
streaming:
  units:
    source: {initiation_interval_cycles: 1, latency_cycles: 1}
    sink: {initiation_interval_cycles: 0, latency_cycles: 0}
  fifos:
    default: {capacity_elements: "2 +* 3"}
""", "tiny.yaml")
    with pytest.raises(SpecError, match=r"streaming\.fifos\.default\.capacity_elements"):
        arch.load_arch(doc)


def test_fifo_depth_may_be_an_expression_of_workload_parameters():
    text = Path(arch.PRESETS_DIR, "streaming_sdpa.yaml").read_text().replace(
        "row_elements + reducer_latency_cycles + producer_latency_cycles + bypass_extra_elements", "N + 34")
    hw = arch.load_arch(parse_document(text, "n34.yaml"))
    p = lower(hw, workloads.load_workload("sdpa_naive", {"N": 100}))
    assert p.fifo("SN:QK+SN->A").capacity_elements == 134
    assert simulate_timing(p).cycles == 2 * 100 * 100 + 2 * 100 + 52
