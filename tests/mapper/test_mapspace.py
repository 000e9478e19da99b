"""The engine-backed map space: every genome decodes to a mapping the engine accepts."""

import numpy as np
import pytest

import arch
import workloads
from mapper.search.budget import Budget
from mapper.search.constraints import Constraints
from mapper.search.driver import build_space, search_mapping
from mapper.search.evaluator import engine_costs
from mapper.search.loop import run_search
from mapper.search.serialize import mapping_to_yaml
from mapper.search.settings import SearchSettings
from sim.engine.default import default_mapping
from sim.engine.evaluate import evaluate
from sim.engine.mapping import parse_mapping
from sim.errors import SimulationError
from specbase import SpecError, parse_document

CASES = [("teaching_array", "gemm", {"M": 64, "N": 48, "K": 32}),
         ("flat", "attention_1pass", {"B": 1, "H": 2, "M": 512, "P": 256, "M0": 128})]


def _inputs(arch_name, workload_name, params):
    return arch.load_arch(arch_name), workloads.load_workload(workload_name, params)


@pytest.mark.parametrize(("arch_name", "workload_name", "params"), CASES)
def test_decoded_mappings_round_trip_through_yaml_and_the_engine(arch_name, workload_name, params):
    hw, wl = _inputs(arch_name, workload_name, params)
    space = build_space(hw, wl, SearchSettings())
    genomes = np.random.default_rng(0).integers(0, space.sizes, size=(40, len(space.sizes)))
    mappings = [m for m in space.mappings(genomes) if m is not None]
    assert len(mappings) >= 10
    costs = engine_costs(hw, wl, mappings)
    checked = 0
    for mapping, latency, energy, valid in zip(mappings, costs.latency_cycles, costs.energy_pj, costs.valid,
                                               strict=True):
        parsed = parse_mapping(parse_document(mapping_to_yaml(mapping), "m.yaml"), hw, wl)
        assert parsed.einsums.keys() == mapping.einsums.keys()
        if valid and checked < 6:
            result = evaluate(hw, wl, parsed, timeline_rows=0)
            assert result.latency_cycles == pytest.approx(latency, rel=1e-12)
            assert result.total_energy_pj == pytest.approx(energy, rel=1e-9)
            checked += 1
    assert checked >= 1


def test_equivalent_genomes_share_a_canonical_form_and_a_cost():
    hw, wl = _inputs("teaching_array", "gemm", {"M": 16, "N": 16, "K": 16})
    space = build_space(hw, wl, SearchSettings(constraints=Constraints(bind={"Z": "PEArray"})))
    genome = np.zeros(len(space.sizes), dtype=np.int64)  # factorization 0 puts every factor in one slot
    eg = space.einsums[0]
    variants = []
    for order in range(space.sizes[eg.orders[1]]):
        g = genome.copy()
        g[eg.orders[1]] = order  # loops at GlobalBuffer: all factors 1 there, so the order cannot matter
        variants.append(g)
    canon = space.canonical(np.array(variants))
    assert len(np.unique(canon, axis=0)) == 1
    costs = space.evaluate(np.array(variants))
    assert len(set(costs.latency_cycles.tolist())) == 1


def test_constraints_hold_in_every_decoded_mapping():
    hw, wl = _inputs("teaching_array", "gemm", {"M": 64, "N": 64, "K": 64})
    constraints = Constraints.model_validate({
        "bind": {"Z": "PEArray"},
        "levels": {"DRAM": {"order": ["k", "n", "m"], "factors": {"k": 2}},
                   "GlobalBuffer": {"keep": ["A", "B"]},
                   "PEArray": {"spatial": {"m": 16}}}})
    space = build_space(hw, wl, SearchSettings(constraints=constraints))
    genomes = np.random.default_rng(1).integers(0, space.sizes, size=(60, len(space.sizes)))
    mappings = [m for m in space.mappings(genomes) if m is not None]
    assert mappings
    for mapping in mappings:
        em = mapping.einsum("Z")
        assert em.unit == "PEArray"
        dram, glb = em.level("DRAM"), em.level("GlobalBuffer")
        assert [lp.factor for lp in dram.temporal if lp.rank == "k"] == [2]
        ranks = [lp.rank for lp in dram.temporal]
        assert ranks == [r for r in ["k", "n", "m"] if r in ranks]
        assert glb.bypass == ("Z",)
        assert np.prod([lp.factor for lp in glb.spatial if lp.rank == "m"]) == 16


def test_search_is_at_least_as_good_as_the_default_and_obeys_the_compute_bound():
    hw, wl = _inputs("teaching_array", "gemm", {"M": 64, "N": 64, "K": 64})
    outcome = search_mapping(hw, wl, SearchSettings(objective="latency", budget_mappings=600, seed=0))
    macs = 64 ** 3
    assert outcome.result.latency_cycles >= macs / hw.unit("PEArray").total_pes
    default = evaluate(hw, wl, default_mapping(hw, wl))
    assert outcome.result.latency_cycles <= default.latency_cycles
    assert outcome.stats.evaluated == 600
    assert outcome.result.latency_cycles == pytest.approx(outcome.stats.best_score)


def test_exhaustive_search_of_a_small_space_is_exact():
    hw, wl = _inputs("teaching_array", "gemm", {"M": 4, "N": 4, "K": 4})
    constraints = Constraints.model_validate({
        "bind": {"Z": "PEArray"},
        "levels": {name: {"order": ["m", "n", "k"], "keep": ["A", "B", "Z"]}
                   for name in ("DRAM", "GlobalBuffer", "PERegisters")}})
    space = build_space(hw, wl, SearchSettings(constraints=constraints))
    total = int(np.prod(space.sizes))
    run = run_search(space, "exhaustive", "latency", Budget(total + 1))
    assert run.stats.stop_reason == "space exhausted"
    # brute force over the same space
    every = np.array(np.unravel_index(np.arange(total), space.sizes)).T
    costs = engine_costs(hw, wl, space.mappings(every))
    assert run.latency_cycles == costs.latency_cycles[costs.valid].min()


def test_seeded_searches_repeat_exactly():
    hw, wl = _inputs("teaching_array", "gemm", {"M": 64, "N": 64, "K": 64})
    runs = [search_mapping(hw, wl, SearchSettings(budget_mappings=300, seed=7)) for _ in range(2)]
    assert runs[0].mapping_yaml == runs[1].mapping_yaml
    assert runs[0].stats.history[-1][0::2] == runs[1].stats.history[-1][0::2]


def test_kinds_without_a_map_space_say_so():
    hw, wl = _inputs("a100", "gemm", {"M": 64, "N": 64, "K": 64})
    with pytest.raises(SimulationError, match="search: none"):
        build_space(hw, wl, SearchSettings())


def test_cached_einsum_costs_give_the_engine_numbers():
    from mapper.search.evaluator import EngineEvaluator

    hw, wl = _inputs(*CASES[1])
    space = build_space(hw, wl, SearchSettings(constraints=Constraints(fusion="fused")))
    rng = np.random.default_rng(3)
    base = run_search(space, "random", "edp", Budget(40), seed=3).genome  # a feasible mapping
    genes = np.array(space.einsums[2].genes)
    variants = np.repeat(base[None, :], 12, axis=0)
    variants[:, genes] = rng.integers(0, space.sizes[genes], size=(12, len(genes)))  # only one Einsum varies
    mappings = [m for m in space.mappings(variants) if m is not None]
    evaluator = EngineEvaluator()
    costs = evaluator(hw, wl, mappings)
    assert evaluator.hits >= len(mappings) - 1  # every other Einsum's cost is reused
    for mapping, latency, energy, valid in zip(mappings, costs.latency_cycles, costs.energy_pj, costs.valid,
                                               strict=True):
        if valid:
            result = evaluate(hw, wl, mapping, timeline_rows=0)
            assert (result.latency_cycles, result.total_energy_pj) == pytest.approx((latency, energy), rel=1e-9)
    assert costs.valid.sum() >= 2


@pytest.mark.parametrize(("arch_name", "workload_name", "params"), CASES)
def test_the_default_mapping_is_in_the_space_and_seeds_the_search(arch_name, workload_name, params):
    hw, wl = _inputs(arch_name, workload_name, params)
    space = build_space(hw, wl, SearchSettings())
    default = default_mapping(hw, wl)
    genome = space.encode(default)
    assert genome is not None
    decoded = evaluate(hw, wl, space.decode(genome).mapping, timeline_rows=0)
    reference = evaluate(hw, wl, default, timeline_rows=0)
    assert (decoded.latency_cycles, decoded.total_energy_pj) == (reference.latency_cycles, reference.total_energy_pj)
    first = search_mapping(hw, wl, SearchSettings(objective="latency", budget_mappings=1))
    assert first.stats.evaluated == 1 and first.result.latency_cycles == reference.latency_cycles


@pytest.mark.parametrize(("arch_name", "workload_name", "params"), CASES)
def test_lower_bounds_never_exceed_the_engine(arch_name, workload_name, params):
    # physics: latency >= the busiest unit's compute cycles; energy >= ops energy + leakage over that time
    hw, wl = _inputs(arch_name, workload_name, params)
    space = build_space(hw, wl, SearchSettings())
    rng = np.random.default_rng(11)
    genomes = np.repeat(space.encode(default_mapping(hw, wl))[None, :], 60, axis=0)
    for row in genomes:  # the default mapping with one Einsum's genes redrawn: mostly feasible
        genes = np.array(space.einsums[rng.integers(len(space.einsums))].genes)
        row[genes] = rng.integers(0, space.sizes[genes])
    genomes = genomes[space.prune(genomes)]
    low = space.lower_bounds(genomes)
    costs = space.evaluate(genomes)
    assert costs.valid.sum() >= 1
    ok = costs.valid
    assert np.all(costs.latency_cycles[ok] >= low.latency_cycles[ok] * (1 - 1e-12))
    assert np.all(costs.energy_pj[ok] >= low.energy_pj[ok] * (1 - 1e-12))
    assert np.all(low.latency_cycles > 0)


def _spatial_ranks_used(space, genomes) -> set[tuple[str, int | None]]:
    used = set()
    for mapping in space.mappings(genomes):
        if mapping is None:
            continue
        for level in mapping.einsums["Z"].levels:
            used |= {(loop.rank, loop.axis) for loop in level.spatial if loop.factor > 1}
    return used


def test_reduced_ranks_go_over_pes_only_on_units_that_reduce_across_them():
    genomes = {}
    for name in ("teaching_array", "tpu_like"):
        hw, wl = _inputs(name, "gemm", {"M": 64, "N": 64, "K": 64})
        space = build_space(hw, wl, SearchSettings())
        sample = np.random.default_rng(0).integers(0, space.sizes, size=(400, len(space.sizes)))
        genomes[name] = {rank for rank, _ in _spatial_ranks_used(space, sample)}
    assert arch.load_arch("tpu_like").unit("PEArray").spatial_reduction
    assert "k" not in genomes["teaching_array"] and {"m", "n"} <= genomes["teaching_array"]
    assert "k" in genomes["tpu_like"]


def test_spatial_axes_pin_each_rank_to_one_mesh_axis():
    hw, wl = _inputs("tpu_like", "gemm", {"M": 64, "N": 64, "K": 64, "dtype": "int8"})
    constraints = Constraints.model_validate({"levels": {"PEArray": {"spatial": {"m": 1, "n": 32, "k": 32},
                                                                     "spatial_axes": {"n": 0, "k": 1}}}})
    space = build_space(hw, wl, SearchSettings(constraints=constraints))
    sample = np.random.default_rng(1).integers(0, space.sizes, size=(200, len(space.sizes)))
    assert space.prune(sample).all()  # nothing can overflow a mesh axis any more
    assert _spatial_ranks_used(space, sample) == {("n", 0), ("k", 1)}


def test_a_spatial_axis_the_mesh_lacks_is_named_in_the_error():
    hw, wl = _inputs("tpu_like", "gemm", {"M": 64, "N": 64, "K": 64})
    constraints = Constraints.model_validate({"levels": {"PEArray": {"spatial_axes": {"n": 2}}}})
    with pytest.raises(SpecError) as error:
        build_space(hw, wl, SearchSettings(constraints=constraints))
    assert "levels.PEArray.spatial_axes.n: no mesh axis 2 (allowed: 0, 1)" in str(error.value)
