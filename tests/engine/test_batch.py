"""The batched path: equal to ``evaluate`` on the same mappings; Numba kernel equal to its Python twin."""

from __future__ import annotations

import copy
import itertools
import random
from pathlib import Path

import numpy as np
import pytest
import yaml

import arch
import workloads
from sim.engine.batch import prepare
from sim.engine.evaluate import evaluate, feasibility_problems, is_feasible
from sim.engine.mapping import mapping_from_dict
from sim.errors import InfeasibleMapping
from tests.engine.conftest import gemm

EXAMPLE = Path(__file__).parents[2] / "sim" / "engine" / "examples" / "fusemax_binding.yaml"


def _divisor_split(rng: random.Random, size: int, parts: int) -> list[int]:
    out = []
    for _ in range(parts - 1):
        d = rng.choice([x for x in range(1, size + 1) if size % x == 0])
        out.append(d)
        size //= d
    return [*out, size]


def _random_tri_mapping(rng: random.Random, hw, wl):
    """A random GEMM nest on the ``tri`` fixture: factors over DRAM, GLB, RF, PE, spatial on the 2x2 mesh,
    random orders and keep/bypass choices (often infeasible: the RF holds 64 B)."""
    levels = {"DRAM": {"temporal": []}, "GLB": {"temporal": [], "spatial": []}, "RF": {"temporal": []},
              "PE": {"temporal": []}}
    for rank, axis in (("m", 0), ("n", 1), ("k", None)):
        spatial = rng.choice([1, 2]) if axis is not None else 1
        if spatial > 1:
            levels["GLB"]["spatial"].append({rank: spatial, "axis": axis})
        parts = _divisor_split(rng, wl.ranks[rank] // spatial, 4)
        for name, factor in zip(levels, parts, strict=True):
            if factor > 1:
                levels[name]["temporal"].append({rank: factor})
    for body in levels.values():
        rng.shuffle(body["temporal"])
    for name in ("GLB", "RF"):
        levels[name]["bypass"] = [t for t in ("A", "B", "Z") if rng.random() < 0.3]
    return mapping_from_dict({"einsums": {"Z": {"unit": "PE", "levels": levels}}}, hw, wl)


def _assert_equal_to_evaluate(hw, wl, mappings, rel: float = 0.0):
    prepared = prepare(hw, wl, mappings[0])
    batch = prepared.evaluate(prepared.encode(mappings))
    for i, mapping in enumerate(mappings):
        try:
            result = evaluate(hw, wl, mapping, timeline_rows=0)
        except InfeasibleMapping:
            assert not batch.feasible[i]
            assert batch.latency_cycles[i] == np.inf
            continue
        assert batch.feasible[i]
        assert batch.latency_cycles[i] == pytest.approx(result.latency_cycles, rel=rel, abs=0)
        assert batch.energy_pj[i] == pytest.approx(sum(result.energy_pj.values()), rel=1e-12)
    return batch


def test_batch_equals_evaluate_on_random_nests(tri):
    wl = gemm(8, 8, 16)
    rng = random.Random(3)
    mappings = [_random_tri_mapping(rng, tri, wl) for _ in range(60)]
    batch = _assert_equal_to_evaluate(tri, wl, mappings)
    assert 0 < batch.feasible.sum() < len(mappings)


def test_batch_equals_evaluate_on_gemm_tilings():
    hw = arch.load_arch("teaching_array")
    wl = gemm(256, 256, 256)
    mappings = []
    for fm, fn, fk in itertools.product([1, 4, 16], [1, 4], [1, 8, 256]):
        for order in ("mnk", "kmn"):
            dram = {"m": fm, "n": fn, "k": fk}
            mappings.append(mapping_from_dict({"einsums": {"Z": {"unit": "PEArray", "levels": {
                "DRAM": {"temporal": [{r: dram[r]} for r in order]},
                "GlobalBuffer": {"temporal": ["m", "n", "k"],
                                 "spatial": [{"m": 16, "axis": 0}, {"n": 16, "axis": 1}]}}}}}, hw, wl))
    batch = _assert_equal_to_evaluate(hw, wl, mappings)
    assert batch.feasible.any()


def test_batch_equals_evaluate_on_fused_attention():
    hw = arch.load_arch("fusemax")
    wl = workloads.load_workload("attention_1pass", {"M": 2048, "P": 2048})
    base = yaml.safe_load(EXAMPLE.read_text())["mapping"]
    for m1, p2 in (("sequential", "sequential"), ("stall", "pipelined"), ("pipelined", "pipelined")):
        data = copy.deepcopy(base)
        data["fusion"][0]["loops"] = ["b", "h", {"p": 8}]
        data["fusion"][0]["overlap"] = p2
        data["fusion"][0]["children"][0]["overlap"] = m1
        _assert_equal_to_evaluate(hw, wl, [mapping_from_dict(data, hw, wl)])


def test_numba_kernel_equals_python_twin(tri):
    wl = gemm(8, 8, 16)
    rng = random.Random(5)
    mappings = [_random_tri_mapping(rng, tri, wl) for _ in range(40)]
    prepared = prepare(tri, wl, mappings[0])
    candidates = prepared.encode(mappings)
    candidates.temporal[::7, 0, 1, 0] = 3
    compiled = prepared.evaluate(candidates)
    twin = prepared.evaluate(candidates, jit=False)
    assert np.array_equal(compiled.feasible, twin.feasible)
    assert np.array_equal(compiled.latency_cycles, twin.latency_cycles)
    assert np.array_equal(compiled.energy_pj, twin.energy_pj)


def test_factors_that_do_not_multiply_to_the_rank_size_are_infeasible(tri):
    wl = gemm(8, 8, 16)
    mapping = _random_tri_mapping(random.Random(1), tri, wl)
    prepared = prepare(tri, wl, mapping)
    candidates = prepared.candidates(2)
    m = prepared.ranks("Z").index("m")
    candidates.temporal[1, 0, 0, m] *= 2
    batch = prepared.evaluate(candidates)
    assert not batch.feasible[1]
    assert batch.latency_cycles[1] == np.inf


def test_encode_rejects_another_structure(tri):
    wl = gemm(8, 8, 16)
    mapping = _random_tri_mapping(random.Random(1), tri, wl)
    other = mapping_from_dict({"double_buffering": False, "einsums": {"Z": {"unit": "PE"}}}, tri, wl)
    with pytest.raises(ValueError, match="double buffering"):
        prepare(tri, wl, mapping).encode([other])


def test_is_feasible_agrees_with_evaluate(tri):
    wl = gemm(8, 8, 16)
    rng = random.Random(9)
    for _ in range(20):
        mapping = _random_tri_mapping(rng, tri, wl)
        problems = feasibility_problems(tri, wl, mapping)
        try:
            evaluate(tri, wl, mapping, timeline_rows=0)
            assert problems == [] and is_feasible(tri, wl, mapping)
        except InfeasibleMapping as error:
            assert problems and not is_feasible(tri, wl, mapping)
            assert problems[0] in str(error)


def _imperfect_gemm(tri, m_outer: int, m_inner: int):
    """Z[m,n] = A[m,k] B[k,n] with m = 10 split as m_outer x m_inner (ceil), n = k = 2 at the GLB."""
    wl = gemm(10, 2, 2)
    return wl, mapping_from_dict({"einsums": {"Z": {"unit": "PE", "levels": {
        "DRAM": {"temporal": [{"m": m_outer}]}, "GLB": {"temporal": [{"m": m_inner}, "n", "k"]}}}}}, tri, wl)


def test_ceil_factors_count_the_partial_tile_by_its_real_extent(tri):
    wl, mapping = _imperfect_gemm(tri, 4, 3)  # 4 x 3 = 12 >= 10: the last m-tile holds 1 row, not 3
    result = evaluate(tri, wl, mapping, timeline_rows=0)
    z = result.einsums[0]
    # 10 x 2 x 2 = 40 MACs in 40 PE iterations (not 4 x 3 x 2 x 2 = 48: padding rows are skipped).
    assert z.compute_cycles == 40
    # DRAM reads: A once (10 x 2) + B once (2 x 2, reused across m); writes: Z once (10 x 2); fp16.
    dram = result.traffic_at("DRAM")
    assert dram.read_bytes == (20 + 4) * 2
    assert dram.write_bytes == 20 * 2
    _assert_equal_to_evaluate(tri, wl, [mapping], rel=1e-12)


def test_ceil_factors_need_the_outermost_factor_to_be_the_ceiling(tri):
    from specbase import SpecError

    with pytest.raises(SpecError, match=r"must be ceil\(10 / 3\)"):
        _imperfect_gemm(tri, 5, 3)  # 5 x 3 = 15: the fifth m-tile would be empty
    wl, mapping = _imperfect_gemm(tri, 4, 3)
    prepared = prepare(tri, wl, mapping)
    candidates = prepared.candidates(2)
    candidates.temporal[1, 0, 0, prepared.ranks("Z").index("m")] = 5
    assert prepared.evaluate(candidates).feasible.tolist() == [True, False]


def test_batch_equals_evaluate_with_ceil_factors(tri):
    wl = gemm(10, 6, 4)
    mappings = []
    for m_outer, m_inner, n_outer, n_inner in ((4, 3, 2, 3), (2, 5, 3, 2), (1, 10, 3, 2), (3, 4, 1, 6), (4, 3, 2, 4)):
        mappings.append(mapping_from_dict({"einsums": {"Z": {"unit": "PE", "levels": {
            "DRAM": {"temporal": [{"m": m_outer}, {"n": n_outer}]},
            "GLB": {"temporal": [{"m": m_inner}, {"n": n_inner}, "k"]}}}}}, tri, wl))
    batch = _assert_equal_to_evaluate(tri, wl, mappings, rel=1e-12)
    assert batch.feasible.all()


def test_batch_evaluator_groups_structures_and_falls_back(tri):
    from sim.engine.batch import BatchEvaluator

    wl = gemm(8, 8, 16)
    rng = random.Random(11)
    mappings = [_random_tri_mapping(rng, tri, wl) for _ in range(12)]
    mappings.append(mapping_from_dict({"double_buffering": False, "einsums": {"Z": {"unit": "PE"}}}, tri, wl))
    # Two temporal loops over k at one level: not expressible as arrays, evaluated one by one.
    mappings.append(mapping_from_dict({"einsums": {"Z": {"unit": "PE", "levels": {
        "DRAM": {"temporal": [{"k": 2}, {"m": 8}, {"k": 8}]}, "GLB": {"temporal": ["n"]}}}}}, tri, wl))
    evaluator = BatchEvaluator(tri, wl)
    out = evaluator(mappings)
    assert len(evaluator._prepared) == 2
    for i, mapping in enumerate(mappings):
        try:
            result = evaluate(tri, wl, mapping, timeline_rows=0)
        except InfeasibleMapping:
            assert not out.feasible[i]
            continue
        assert out.feasible[i]
        assert out.latency_cycles[i] == result.latency_cycles
        assert out.energy_pj[i] == pytest.approx(sum(result.energy_pj.values()), rel=1e-12)
