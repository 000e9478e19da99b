"""Agreement with SCALE-Sim v3 on the committed fixture (data/scalesim_fixture.json).

The fixture holds SCALE-Sim's own reports for a grid of GEMM and convolution layers (see
data/make_scalesim_fixture.py for the command); CI never runs SCALE-Sim itself.
"""

import json
import pathlib

import pytest

from sim.systolic.scalesim_compat import EXACT_KEYS, PERCENT_KEYS, evaluate_case, mismatches

FIXTURE = json.loads((pathlib.Path(__file__).parent / "data" / "scalesim_fixture.json").read_text())
STALL_FREE = [c for c in FIXTURE["cases"] if c["bandwidth"] == "CALC" and "error" not in c]


def test_fixture_covers_the_grid():
    dataflows = {c["dataflow"] for c in STALL_FREE}
    arrays = {(c["rows"], c["cols"]) for c in STALL_FREE}
    assert dataflows == {"os", "ws", "is"}
    assert any(r != c for r, c in arrays)
    assert any("conv" in c for c in STALL_FREE) and any("gemm" in c for c in STALL_FREE)
    assert len(STALL_FREE) >= 250


@pytest.mark.parametrize("case", STALL_FREE, ids=[c["name"] for c in STALL_FREE])
def test_every_reported_quantity_matches(case):
    assert mismatches(case) == {}, f"{case['name']}: (scalesim, ours) differ"


def test_quantities_compared():
    assert set(EXACT_KEYS) >= {"total_cycles", "ifmap_dram_reads", "ofmap_sram_writes"}
    assert set(PERCENT_KEYS) == {"overall_util_pct", "mapping_efficiency_pct", "compute_util_pct"}


# peers.md closed forms, derived by hand:
#   os: folds * (K + R + C - 2) - 1 with folds = ceil(M/R) * ceil(N/C)
#   ws: folds * (M + 2R + C - 2) - 1 with folds = ceil(K/R) * ceil(N/C)
REFERENCES = {
    "ref_os_512": 256 * (512 + 32 + 32 - 2) - 1,
    "ref_ws_512": 256 * (512 + 64 + 32 - 2) - 1,
    "ref_ws_1024": 64 * (1024 + 256 + 128 - 2) - 1,
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_peer_reference_cycles(name):
    case = next(c for c in FIXTURE["cases"] if c["name"] == name)
    assert case["total_cycles"] == REFERENCES[name]
    assert evaluate_case(case).total_cycles == REFERENCES[name]


def test_reference_values_quoted_in_peers_md():
    assert REFERENCES == {"ref_os_512": 146_943, "ref_ws_512": 155_135, "ref_ws_1024": 89_983}
