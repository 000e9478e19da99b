"""The batched path: numpy decoding per structure and the engine's batched kernel.

Reference for everything here: the per-genome decoding (:meth:`CascadeSpace.decode`, which
builds a Mapping) and :func:`sim.engine.evaluate.evaluate` on that Mapping.
"""

import itertools

import numpy as np
import pytest

import arch
import workloads
from mapper.search.constraints import Constraints
from mapper.search.driver import build_space
from mapper.search.settings import SearchSettings
from mapper.search.structure import canonical_order_table
from sim.engine.default import default_mapping
from sim.engine.evaluate import evaluate
from sim.errors import InfeasibleMapping

ATTENTION = ("flat", "attention_1pass", {"B": 1, "H": 2, "M": 512, "P": 256, "M0": 128})
CONSTRAINED = (*ATTENTION, {"fusion": "unfused", "levels": {"PE1D_RF": {"keep": ["BQK"], "order": ["p", "m0"]},
                                                           "GlobalBuffer": {"bypass": ["Q"]}}})
CASES = [
    ("teaching_array", "gemm", {"M": 64, "N": 48, "K": 32}, None),
    ("teaching_array", "gemm", {"M": 100, "N": 60, "K": 36}, {"imperfect": True}),  # non-dividing tiles
    (*ATTENTION, None),
    ("teaching_array", "conv2d", {"C": 8, "K": 8, "H": 6, "W": 6}, None),  # 7 ranks, sliding-window indices
    CONSTRAINED,
    ("tpu_like", "gemm", {"M": 64, "N": 96, "K": 128, "dtype": "int8"}, None),  # spatial reduction allowed
    ("tpu_like", "gemm", {"M": 64, "N": 64, "K": 128, "dtype": "int8"},
     {"levels": {"SRAM": {"keep": ["A", "Z"]}, "WeightReg": {"keep": ["B"]}, "OutputReg": {"keep": ["Z"]},
                 "PEArray": {"spatial": {"n": 32, "k": 32}, "spatial_axes": {"n": 0, "k": 1}}}}),
]


def _space(arch_name, workload_name, params, constraints, batched=True):
    hw, wl = arch.load_arch(arch_name), workloads.load_workload(workload_name, params)
    settings = SearchSettings(constraints=Constraints.model_validate(constraints or {}), batched=batched)
    return hw, wl, build_space(hw, wl, settings)


def _genomes(space, hw, wl, count, seed):
    """Uniform random genomes, plus the default mapping with one Einsum's genes redrawn (often feasible)."""
    rng = np.random.default_rng(seed)
    uniform = rng.integers(0, space.sizes, size=(count, len(space.sizes)))
    base = space.encode(default_mapping(hw, wl))
    if base is None:
        return uniform
    mutants = np.repeat(base[None, :], count, axis=0)
    for row in mutants:
        genes = np.array(space.einsums[rng.integers(len(space.einsums))].genes)
        row[genes] = rng.integers(0, space.sizes[genes])
    return np.concatenate([uniform, mutants])


def _plain_canonical_order(perm: tuple[int, ...], active: set[int]) -> tuple[int, ...]:
    return tuple([r for r in perm if r in active] + [r for r in range(len(perm)) if r not in active])


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_canonical_order_table_matches_its_definition(count):
    perms = list(itertools.permutations(range(count)))  # lexicographic, as the genes index them
    table = canonical_order_table(count)
    assert table.shape == (len(perms), 2**count)
    for p, perm in enumerate(perms):
        for mask in range(2**count):
            active = {r for r in range(count) if mask >> r & 1}
            assert perms[table[p, mask]] == _plain_canonical_order(perm, active)


@pytest.mark.parametrize(("arch_name", "workload_name", "params", "constraints"), CASES)
def test_numpy_screen_equals_per_genome_decoding(arch_name, workload_name, params, constraints):
    hw, wl, space = _space(arch_name, workload_name, params, constraints)
    genomes = _genomes(space, hw, wl, 150, seed=0)
    canonical, keep = space.screen(genomes)
    decoded = [space.decode(g) for g in genomes]
    assert keep.tolist() == [d.mapping is not None for d in decoded]
    assert 0 < keep.sum() < len(genomes)
    reference = np.array([d.canonical for d in decoded])
    assert np.array_equal(canonical[keep], reference[keep])
    assert np.array_equal(space.prune(genomes), keep)


@pytest.mark.parametrize(("arch_name", "workload_name", "params", "constraints"), CASES)
def test_batched_costs_equal_the_engine_on_random_mappings(arch_name, workload_name, params, constraints):
    hw, wl, space = _space(arch_name, workload_name, params, constraints)
    genomes = _genomes(space, hw, wl, 40, seed=1)
    genomes = genomes[space.prune(genomes)]
    costs = space.evaluate(genomes)
    assert space._batch.prepared_count >= 1 and space._batch.fallback_count == 0
    for genome, latency, energy, valid in zip(genomes, costs.latency_cycles, costs.energy_pj, costs.valid,
                                              strict=True):
        mapping = space.decode(genome).mapping
        try:
            result = evaluate(hw, wl, mapping, timeline_rows=0)
        except InfeasibleMapping:
            assert not valid and latency == np.inf
            continue
        assert valid
        assert latency == result.latency_cycles  # bit-exact
        assert energy == pytest.approx(result.total_energy_pj, rel=1e-12, abs=0)
    assert costs.valid.sum() >= 3 and (~costs.valid).sum() >= 1


def test_the_per_mapping_path_gives_the_same_costs():
    hw, wl, batched = _space(*CASES[0])
    _, _, plain = _space(*CASES[0], batched=False)
    genomes = _genomes(batched, hw, wl, 60, seed=2)
    genomes = genomes[batched.prune(genomes)]
    a, b = batched.evaluate(genomes), plain.evaluate(genomes)
    assert np.array_equal(a.valid, b.valid) and a.valid.any()
    assert np.array_equal(a.latency_cycles, b.latency_cycles)
    assert np.allclose(a.energy_pj[a.valid], b.energy_pj[b.valid], rtol=1e-12, atol=0)


def test_level_constraints_apply_by_level_name_on_every_unit_path():
    # flat: PE2D's path is DRAM, GlobalBuffer, PE2D_RF; PE1D's is DRAM, GlobalBuffer, PE1D_RF (storage index 3)
    hw, wl, space = _space(*CONSTRAINED)
    mappings = [m for m in space.mappings(_genomes(space, hw, wl, 40, seed=3)) if m is not None]
    checked = 0
    for mapping in mappings:
        for em in mapping.einsums.values():
            einsum = wl.einsum(em.einsum)
            tensors = {a.tensor for a in einsum.inputs} | {einsum.output.tensor}
            for level in em.levels:
                if level.level == "PE1D_RF":
                    assert set(level.bypass) == tensors - {"BQK"}
                    ranks = [lp.rank for lp in level.temporal]
                    rest = [r for r in einsum.ranks if r not in ("p", "m0")]
                    assert ranks == [r for r in ("p", "m0", *rest) if r in ranks]
                    checked += 1
                if level.level == "GlobalBuffer":
                    assert ("Q" in level.bypass) == ("Q" in tensors)
    assert checked >= 10


def test_imperfect_tiles_are_searched_by_default_and_stay_exact():
    hw, wl, space = _space("teaching_array", "gemm", {"M": 100, "N": 60, "K": 36}, None)
    genomes = _genomes(space, hw, wl, 200, seed=4)
    mappings = [m for m in space.mappings(genomes) if m is not None]
    products = [np.prod([lp.factor for lv in m.einsum("Z").levels for lp in lv.loops if lp.rank == "m"])
                for m in mappings]
    assert any(p > 100 for p in products)  # a partial last tile of m
    assert all(p >= 100 for p in products)


RANK8 = """
name: rank8
description: One Einsum over eight ranks (more than the mapper permutes).
ranks: {a: 2, b: 4, c: 2, d: 2, e: 4, f: 2, g: 2, h: 2}
dtype: fp16
inputs:
  A: [a, b, e, f]
  B: [e, f, g, h, c, d]
einsums:
  - Z[a,b,c,d,g,h] = sum_{e,f} A[a,b,e,f] * B[e,f,g,h,c,d]
"""


def test_einsums_with_more_ranks_than_permuted_decode_and_evaluate_exactly(tmp_path):
    path = tmp_path / "rank8.yaml"
    path.write_text(RANK8)
    hw, wl, space = _space("teaching_array", str(path), {}, None)
    genomes = _genomes(space, hw, wl, 60, seed=5)
    canonical, keep = space.screen(genomes)
    decoded = [space.decode(g) for g in genomes]
    assert keep.tolist() == [d.mapping is not None for d in decoded] and keep.any()
    assert np.array_equal(canonical[keep], np.array([d.canonical for d in decoded])[keep])
    costs = space.evaluate(genomes[keep])
    checked = 0
    for genome, latency, valid in zip(genomes[keep], costs.latency_cycles, costs.valid, strict=True):
        if valid:
            assert latency == evaluate(hw, wl, space.decode(genome).mapping, timeline_rows=0).latency_cycles
            checked += 1
    assert checked >= 1
