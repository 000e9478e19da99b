"""The five configurations as mappings: they parse, fit, and bind each Einsum where the paper does."""

import pytest

from sim.reproduce import runner
from sim.reproduce.configs import CONFIGURATIONS, GEMM_MAPPING
from sim.reproduce.tiles import gemm_candidates
from workloads.models import MODELS

TWO_D_FUSEMAX = {"BQK", "LM", "SLN", "SLD", "SLNV"}
ONE_D_FUSEMAX = {"RM", "PRM", "SPD", "RD", "SPNV", "RNV", "AV"}


def _chosen(key, model="bert_base", tokens=1024, batch=64):
    config = CONFIGURATIONS[key]
    hw = runner.hardware(config.arch)
    shape = runner.attention_shape(MODELS[model], tokens, batch)
    candidates = config.candidates(hw, shape)
    overrides = dict(shape)
    if config.one_pass:
        overrides["M0"] = candidates[0]["PE_ROWS"]
    wl = runner.workload(config.cascade, overrides)
    params, path = runner.first_feasible(candidates, config.mapping_path, (hw,), wl)
    return params, path, runner.mapping(path, params, hw, wl)


@pytest.mark.parametrize("key", list(CONFIGURATIONS))
@pytest.mark.parametrize("model, tokens", [("bert_base", 1024), ("xlm", 4096), ("t5_small", 65536)])
def test_every_configuration_fits_at_every_regime(key, model, tokens):
    params, path, mapping = _chosen(key, model, tokens)
    assert path.exists() and mapping.einsums
    if "P2" in params:
        assert params["P1"] * params["P2"] == tokens
    if "ROW_TILES" in params:
        assert params["R"] * params["ROW_TILES"] == tokens


def test_fusemax_binding_matches_the_paper():
    _, _, mapping = _chosen("fusemax")
    units = {name: em.unit for name, em in mapping.einsums.items()}
    assert {n for n, u in units.items() if u == "PE2D"} == TWO_D_FUSEMAX
    assert {n for n, u in units.items() if u == "PE1D"} == ONE_D_FUSEMAX


def test_binding_and_architecture_differ_only_in_overlap():
    _, _, binding = _chosen("fusemax")
    _, _, architecture = _chosen("architecture")
    assert {n: e.unit for n, e in binding.einsums.items()} == {n: e.unit for n, e in architecture.einsums.items()}
    inner = {g.name: g.overlap for g in binding.root.groups()}
    assert inner["m1"] == "pipelined"
    assert {g.name: g.overlap for g in architecture.root.groups()}["m1"] == "sequential"


def test_cascade_puts_only_bqk_and_slnv_on_the_flat_2d_array():
    _, _, mapping = _chosen("cascade")
    assert {n for n, e in mapping.einsums.items() if e.unit == "PE2D"} == {"BQK", "SLNV"}


def test_flat_fuses_heads_at_1k_rows_at_4k_and_spills_at_64k():
    assert _chosen("flat", tokens=1024)[0]["ROW_TILES"] == 1
    params, path, _ = _chosen("flat", tokens=4096)
    assert params["ROW_TILES"] > 1 and path.name == "flat.yaml"
    params, path, mapping = _chosen("flat", tokens=65536)
    assert params["SPILL"] and path.name == "flat_spill.yaml"
    assert [g.name for g in mapping.root.children] == ["pass1", "pass2"]


def test_unfused_runs_each_phase_alone():
    _, _, mapping = _chosen("unfused")
    alone = [c for c in mapping.root.children if isinstance(c, str)]
    assert alone == ["QK", "SNV", "AV"]


def test_gemm_mapping_is_the_same_on_both_designs():
    shape = {"M": 64 * 4096, "K": 8192, "N": 2048}
    peers = (runner.hardware("flat"), runner.hardware("fusemax"))
    wl = runner.workload("gemm", {**shape, "dtype": "fp16"})
    params, _ = runner.first_feasible(gemm_candidates(peers[0], shape), lambda p: GEMM_MAPPING, peers, wl)
    assert params["M_TILE"] * params["M_TILES"] == shape["M"]
    assert params["K_TILES"] > 1, "a 1024 x 8192 block of A cannot sit in half of 16 MiB"
