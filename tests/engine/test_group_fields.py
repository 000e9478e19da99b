"""Fusion-group fields: fill_drain_cycles (once per group iteration) and keep_tensors (home override)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import arch
import workloads
from sim.engine.evaluate import evaluate
from sim.engine.mapping import mapping_from_dict
from specbase import SpecError
from tests.engine.test_batch import _assert_equal_to_evaluate

EXAMPLE = Path(__file__).parents[2] / "sim" / "engine" / "examples" / "fusemax_binding.yaml"


def _attention_with_fill_drain(cycles: float, p2_loops: int = 8):
    hw = arch.load_arch("fusemax")
    wl = workloads.load_workload("attention_1pass", {"M": 2048, "P": 2048})
    data = yaml.safe_load(EXAMPLE.read_text())["mapping"]
    data["fusion"][0]["loops"] = ["b", "h", {"p": p2_loops}]
    data["fusion"][0]["fill_drain_cycles"] = cycles
    return hw, wl, mapping_from_dict(data, hw, wl)


def test_fill_drain_is_charged_once_per_group_iteration():
    hw, wl, plain = _attention_with_fill_drain(0)
    _, _, charged = _attention_with_fill_drain(256)
    iterations = wl.ranks["b"] * wl.ranks["h"] * 8
    base = evaluate(hw, wl, plain, timeline_rows=0).latency_cycles
    more = evaluate(hw, wl, charged, timeline_rows=0).latency_cycles
    # Adding 256 cycles to one task per iteration delays the max-plus schedule by at most 256 per iteration.
    assert 0 < more - base <= 256 * iterations
    _assert_equal_to_evaluate(hw, wl, [charged])


def test_fill_drain_on_a_nested_group_is_an_error():
    hw = arch.load_arch("fusemax")
    wl = workloads.load_workload("attention_1pass", {"M": 2048, "P": 2048})
    data = yaml.safe_load(EXAMPLE.read_text())["mapping"]
    data["fusion"][0]["children"][0]["fill_drain_cycles"] = 256
    with pytest.raises(SpecError, match="only a top-level fusion group"):
        mapping_from_dict(data, hw, wl)


def _attention_keeping(kept: dict):
    hw = arch.load_arch("fusemax")
    wl = workloads.load_workload("attention_1pass", {"M": 2048, "P": 2048})
    data = yaml.safe_load(EXAMPLE.read_text())["mapping"]
    data["fusion"][0]["loops"] = ["b", "h", {"p": 8}]
    data["fusion"][0]["children"][0]["keep_tensors"] = kept
    return hw, wl, mapping_from_dict(data, hw, wl)


def _rows(result, einsum: str, tensor: str) -> dict[str, dict]:
    return {r["level"]: r for r in result.tables["accesses"] if r["einsum"] == einsum and r["tensor"] == tensor}


def test_keep_tensors_moves_a_score_tile_into_the_pe_registers():
    hw, wl, plain = _attention_keeping({})
    _, _, kept = _attention_keeping({"BQK": "PE2D_RF", "SLN": "PE2D_RF"})
    before, after = evaluate(hw, wl, plain, timeline_rows=0), evaluate(hw, wl, kept, timeline_rows=0)
    # Without the override BQK lives in the GlobalBuffer: LM reads every score from it.
    assert _rows(before, "LM", "BQK")["GlobalBuffer"]["reads"] == wl.ranks["b"] * wl.ranks["h"] * 2048 * 2048
    # With it, BQK never reaches the GlobalBuffer: BQK writes it into PE2D_RF, LM and SLN read it there.
    for einsum in ("BQK", "LM", "SLN"):
        assert "GlobalBuffer" not in _rows(after, einsum, "BQK")
        assert "PE2D_RF" in _rows(after, einsum, "BQK")
    assert after.traffic_at("GlobalBuffer").read_bytes < before.traffic_at("GlobalBuffer").read_bytes
    _assert_equal_to_evaluate(hw, wl, [kept])


def test_keep_tensors_needs_a_level_on_every_users_path():
    with pytest.raises(SpecError, match="not on the path of every unit") as info:
        _attention_keeping({"BQK": "PE1D_RF"})
    assert "PE2D_RF" in str(info.value)
    with pytest.raises(SpecError, match="only an intermediate"):
        _attention_keeping({"Q": "PE2D_RF"})


def test_spilled_scores_are_read_on_chip_by_a_consumer_in_the_producers_group_iteration():
    # FLAT's spill: pass 1 = {QK, GM}, pass 2 = {SN, SD, A, AV}. QK's users span both passes, so its home
    # is DRAM; GM runs in the same pass-1 iteration as QK and reads the tile from the GlobalBuffer, which
    # QK writes through on its way to DRAM. QK has 2 heads x 512 x 512 = 524,288 elements.
    hw = arch.load_arch("fusemax")
    wl = workloads.load_workload("attention_3pass", {"B": 1, "H": 2, "M": 512, "P": 512})
    mapping = mapping_from_dict({"fusion": [
        {"name": "pass1", "loops": ["b", "h", {"p": 4}], "children": ["QK", "GM"]},
        {"name": "pass2", "loops": ["b", "h", {"p": 4}], "children": ["SN", "SD", "A", "AV"]}]}, hw, wl)
    result = evaluate(hw, wl, mapping, timeline_rows=0)
    scores = 2 * 512 * 512
    assert _rows(result, "QK", "QK")["DRAM"]["updates"] == scores
    assert _rows(result, "QK", "QK")["GlobalBuffer"]["updates"] == scores
    assert "DRAM" not in _rows(result, "GM", "QK")
    assert _rows(result, "GM", "QK")["GlobalBuffer"]["reads"] == scores
    assert _rows(result, "SN", "QK")["DRAM"]["reads"] == scores
    _assert_equal_to_evaluate(hw, wl, [mapping])


def test_an_input_read_by_several_members_of_a_group_is_loaded_once_per_iteration():
    # Softmax Y = exp(X - max X) / sum exp(X - max X) over 256 rows of 1024: GM, SD and Y all read X.
    # Unfused, each phase streams X from DRAM (3 x X). Fused over row tiles, GM loads the row tile into
    # the GlobalBuffer and SD and Y read it there: X crosses DRAM once, GM and SD never do.
    hw = arch.load_arch("fusemax")
    wl = workloads.load_workload("softmax_3pass", {"rows": 256, "N": 1024})
    x_bytes = wl.tensor("X").size_bytes
    unfused = evaluate(hw, wl, mapping_from_dict({}, hw, wl), timeline_rows=0)
    fused_mapping = mapping_from_dict({"fusion": [{"name": "rows", "loops": [{"r": 64}],
                                                   "children": ["GM", "SD", "Y"]}]}, hw, wl)
    fused = evaluate(hw, wl, fused_mapping, timeline_rows=0)
    assert unfused.traffic_at("DRAM").read_bytes >= 3 * x_bytes
    assert fused.traffic_at("DRAM").read_bytes == x_bytes
    for einsum in ("SD", "Y"):
        assert "DRAM" not in _rows(fused, einsum, "X")
        assert _rows(fused, einsum, "X")["GlobalBuffer"]["reads"] == 256 * 1024
    _assert_equal_to_evaluate(hw, wl, [fused_mapping])
