"""The backend on every preset workload and spatial preset, through the public API and the CLI."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import arch
import workloads
from sim import api
from sim.cli import main

EXAMPLE = Path(__file__).parents[2] / "sim" / "engine" / "examples" / "fusemax_binding.yaml"
WORKLOADS = ["gemm", "softmax_3pass", "attention_3pass", "attention_1pass"]


@pytest.mark.parametrize("arch_name", ["fusemax", "flat", "teaching_array"])
@pytest.mark.parametrize("workload_name", WORKLOADS)
def test_every_preset_runs_with_the_default_mapping(arch_name, workload_name):
    hw = arch.load_arch(arch_name)
    wl = workloads.load_workload(workload_name)
    result = api.run(hw, wl)
    assert result.model.startswith("tile-level engine")
    assert result.latency_cycles > 0
    assert result.traffic[0].level == hw.storage[0].name
    assert result.traffic[0].total_bytes >= wl.compulsory_bytes
    assert result.bound in {*(u.name for u in hw.compute), *(s.name for s in hw.storage)}
    assert set(result.utilization) == {u.name for u in hw.compute}
    mapped = [e for e in wl.einsums if e.ops_per_point]
    assert {e.name for e in result.einsums} == {e.name for e in mapped}
    ops_energy = sum(n * hw.unit(e.unit).energy_pj(k) for e in result.einsums for k, n in e.op_counts.items())
    units = {u.name for u in hw.compute}
    assert sum(pj for part, pj in result.energy_pj.items() if part in units) == pytest.approx(ops_energy)
    assert result.area_um2 == hw.area_breakdown_um2()


def test_energy_is_actions_times_energy_per_action():
    hw = arch.load_arch("teaching_array")
    wl = workloads.load_workload("gemm", {"M": 64, "N": 64, "K": 64})
    result = api.run(hw, wl)
    z = result.einsums[0]
    assert z.energy_pj["PEArray"] == pytest.approx(64**3 * 17.16)
    dram = hw.level("DRAM")
    traffic = result.traffic_at("DRAM")
    expected = traffic.read_bytes * dram.read_energy_pj_per_byte + traffic.write_bytes * dram.write_energy_pj_per_byte
    assert result.energy_pj["DRAM"] == pytest.approx(expected)
    assert dram.read_energy_pj_per_byte == pytest.approx(250 / 8)


def test_cli_prints_latency_traffic_energy_utilization_and_bound(capsys):
    code = main(["run", "fusemax", "attention_1pass", "--mapping", str(EXAMPLE), "--set", "B=2", "--set", "H=2"])
    out = capsys.readouterr().out
    assert code == 0
    for needle in ("latency:", "bound:", "Traffic per memory level", "Energy per component",
                   "Utilization per unit", "critical_resource"):
        assert needle in out


def test_cli_reports_infeasible_mapping_without_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("einsums:\n  Z:\n    unit: PEArray\n    levels:\n"
                   "      GlobalBuffer: {temporal: [m, n, k]}\n")
    code = main(["run", "teaching_array", "gemm", "--mapping", str(bad)])
    err = capsys.readouterr().err
    assert code == 1
    assert "infeasible mapping" in err and "GlobalBuffer" in err


def _spatial_presets() -> list[str]:
    names = sorted(p.stem for p in (Path(arch.__file__).parent / "presets").glob("*.yaml"))
    return [n for n in names if arch.load_arch(n).kind in ("spatial", "cpu")]


@pytest.mark.parametrize("arch_name", _spatial_presets())
def test_default_mapping_is_feasible_over_a_grid_of_gemm_sizes(arch_name):
    from sim.engine.default import default_mapping
    from sim.engine.evaluate import feasibility_problems

    hw = arch.load_arch(arch_name)
    for m, n, k in itertools.product([1, 3, 100, 256, 1024, 4096], [1, 16, 256, 768], [1, 7, 256, 1024]):
        wl = workloads.load_workload("gemm", {"M": m, "N": n, "K": k})
        assert feasibility_problems(hw, wl, default_mapping(hw, wl)) == [], (m, n, k)
