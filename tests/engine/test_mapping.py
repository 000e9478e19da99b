"""Mapping files: parsing, precise errors (SpecError) versus infeasible mappings (InfeasibleMapping)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

import arch
import workloads
from sim.engine.backend import parse_mapping
from sim.engine.evaluate import evaluate
from sim.engine.mapping import FusionGroup, Loop, mapping_from_dict
from sim.errors import InfeasibleMapping
from specbase import SpecError, load_document, parse_document
from tests.engine.conftest import gemm

EXAMPLE = Path(__file__).parents[2] / "sim" / "engine" / "examples" / "fusemax_binding.yaml"


def test_fusemax_example_parses_into_the_papers_structure():
    hw = arch.load_arch("fusemax")
    wl = workloads.load_workload("attention_1pass")
    mapping = parse_mapping(load_document(EXAMPLE), hw, wl)
    (p2,) = mapping.root.children
    assert isinstance(p2, FusionGroup)
    assert [lp.rank for lp in p2.loops] == ["b", "h", "p"]
    m1, av = p2.children
    assert av == "AV" and m1.overlap == "pipelined" and [lp.rank for lp in m1.loops] == ["m1"]
    # P = P2 x P1 x P0 with P0 = 256 spatial: the bare GLB loop takes P1 = 1024 / (1 * 256) = 4.
    bqk = mapping.full_nest("BQK")
    assert [str(lp) for lp in bqk[0].temporal] == ["t:b64", "t:h12", "t:p1", "t:m14"]
    assert [str(lp) for lp in bqk[1].loops] == ["t:p4", "s:m0256", "s:p256"]
    assert mapping.einsum("RM").unit == "PE1D" and mapping.einsum("SLN").unit == "PE2D"


def test_views_and_initializations_take_no_mapping_and_cost_nothing():
    hw = arch.load_arch("fusemax")
    wl = workloads.load_workload("attention_1pass")
    result = evaluate(hw, wl, parse_mapping(load_document(EXAMPLE), hw, wl))
    assert {e.name for e in result.einsums}.isdisjoint({"BK", "BV", "RM_init", "RD_init", "RNV_init"})
    dram = result.traffic_at("DRAM")
    # Q, K (through its view BK) and V are read exactly once, AV written once: compulsory traffic.
    assert dram.read_bytes == sum(wl.tensor(t).size_bytes for t in ("Q", "K", "V"))
    assert dram.write_bytes == wl.tensor("AV").size_bytes


def _doc(text: str):
    return parse_document(text, "m.yaml")


def _problems(text: str, hw=None, wl=None) -> list:
    hw = hw or arch.load_arch("teaching_array")
    wl = wl or gemm(64, 64, 64)
    with pytest.raises(SpecError) as info:
        parse_mapping(_doc(text), hw, wl)
    return list(info.value.problems)


def test_factors_that_do_not_multiply_name_the_field_and_line():
    text = ("mapping:\n  einsums:\n    Z:\n      unit: PEArray\n      levels:\n"
            "        DRAM: {temporal: [{m: 4}, n, k]}\n        GlobalBuffer: {temporal: [{m: 8}]}\n")
    (problem,) = _problems(text)
    assert problem.file == "m.yaml"
    assert problem.path == "mapping.einsums.Z.levels"
    assert "'m' multiply to 32" in problem.message and "size 64" in problem.message
    assert problem.line == 6  # where the levels block starts


def test_unknown_names_list_the_allowed_values():
    text = ("einsums:\n  Z:\n    unit: TPU\n    levels: {DRAM: {temporal: [m, n, k]}}\n"
            "fusion:\n  - {loops: [q], children: [Z], overlap: eager}\n")
    problems = {p.path: p for p in _problems(text)}
    assert "PEArray" in problems["einsums.Z.unit"].allowed
    assert "q" in problems["fusion[0].loops[0]"].message
    assert "pipelined" in problems["fusion[0].overlap"].allowed


def test_unit_that_cannot_execute_the_ops_is_rejected():
    wl = workloads.load_workload("softmax_3pass", {"rows": 16, "N": 64})
    text = "einsums:\n  GM:\n    unit: PEArray\n"
    (problem,) = _problems(text, wl=wl)
    assert problem.path == "einsums.GM.unit"
    assert "cannot execute max" in problem.message
    assert problem.allowed == "VectorUnit"


def test_bad_loop_syntax_and_unknown_fields():
    text = "einsums:\n  Z:\n    unit: PEArray\n    levels:\n      DRAM: {temporal: [{m: 0}], order: x}\n"
    paths = {p.path for p in _problems(text)}
    assert "einsums.Z.levels.DRAM.temporal[0].m" in paths
    assert "einsums.Z.levels.DRAM.order" in paths


def test_tiles_that_do_not_fit_are_infeasible_not_spec_errors():
    hw = arch.load_arch("teaching_array")
    wl = gemm(256, 256, 256)
    mapping = mapping_from_dict({"einsums": {"Z": {"unit": "PEArray", "levels": {
        "DRAM": {"temporal": []},
        "GlobalBuffer": {"temporal": ["m", "n", "k"], "spatial": [{"m": 16, "axis": 0}, {"n": 16, "axis": 1}]},
    }}}}, hw, wl)
    with pytest.raises(InfeasibleMapping) as info:
        evaluate(hw, wl, mapping)
    message = str(info.value)
    assert "'GlobalBuffer' needs" in message and "holds 256 KiB" in message
    assert not isinstance(info.value, SpecError)


def test_spatial_factors_beyond_the_mesh_are_infeasible():
    hw = arch.load_arch("teaching_array")
    wl = gemm(64, 64, 64)
    mapping = mapping_from_dict({"einsums": {"Z": {"unit": "PEArray", "levels": {
        "DRAM": {"temporal": ["m", "n", "k"]},
        "GlobalBuffer": {"spatial": [{"m": 32, "axis": 0}, {"n": 8, "axis": 1}]},
    }}}}, hw, wl)
    with pytest.raises(InfeasibleMapping, match="mesh axis 0 multiply to 32 but 'PEArray' has 16"):
        evaluate(hw, wl, mapping)


def test_mapping_objects_are_frozen_and_expose_the_full_nest():
    hw = arch.load_arch("teaching_array")
    wl = gemm(64, 64, 64)
    mapping = mapping_from_dict({"fusion": [], "einsums": {"Z": {"unit": "PEArray"}}}, hw, wl)
    with pytest.raises(AttributeError):
        mapping.double_buffering = False
    nest = mapping.full_nest("Z")
    assert [lv.level for lv in nest] == ["DRAM", "GlobalBuffer", "PERegisters", "PEArray"]
    product = {r: 1 for r in "mnk"}
    for level in nest:
        for lp in level.loops:
            product[lp.rank] *= lp.factor
    assert product == {"m": 64, "n": 64, "k": 64}
    assert Loop("m", 4) == Loop("m", 4, False, None)


def test_enumerated_candidates_are_valid_and_reach_better_mappings():
    from sim.engine.default import default_mapping
    from sim.engine.evaluate import evaluate_many, latency_cycles
    from sim.engine.space import einsum_candidates, factorizations, with_einsum

    assert sorted(factorizations(4, 2)) == [(1, 4), (2, 2), (4, 1)]
    assert all(a * b * c == 12 for a, b, c in factorizations(12, 3))
    hw = arch.load_arch("teaching_array")
    wl = gemm(64, 64, 64)
    base = default_mapping(hw, wl)
    candidates = [with_einsum(base, em) for em in itertools.islice(einsum_candidates(hw, wl, base, "Z"), 0, None, 40)]
    assert len({c.einsum("Z") for c in candidates}) == len(candidates)
    for cand in candidates[:20]:
        nest = cand.full_nest("Z")
        for rank in "mnk":
            assert math.prod(lp.factor for lv in nest for lp in lv.loops if lp.rank == rank) == 64
    latencies = evaluate_many(hw, wl, candidates)
    feasible = [x for x in latencies if x is not None]
    assert feasible and min(feasible) >= latency_cycles(hw, wl, base) * 0.5
    assert None in latencies
    assert base.einsum("Z") in set(einsum_candidates(hw, wl, base, "Z"))


def test_consumer_before_its_producer_is_rejected():
    wl = workloads.load_workload("softmax_3pass", {"rows": 16, "N": 64})
    text = "fusion:\n  - {loops: [r], children: [Y, GM, SD]}\n"
    problems = _problems(text, wl=wl)
    assert any("'Y' is placed before 'GM'" in p.message and p.path == "fusion" for p in problems)
