"""Sweep spec validation, expansion into design points, and field-path patches."""

import pytest
import yaml

from mapper.sweep.points import check_keys, expand_points, load_point
from mapper.sweep.spec import load_sweep_spec
from specbase import SpecError

BASE = {"name": "t", "arch": "teaching_array", "workload": "gemm", "search": "none"}


def test_grid_times_zip_times_sources(write_spec):
    _, spec, _ = write_spec({**BASE, "arch": ["teaching_array", "flat"],
                               "grid": {"workload.M": [64, 128, 256]},
                               "zip": {"workload.N": [32, 64], "workload.K": [16, 32]}})
    points = expand_points(spec)
    assert spec.point_count == len(points) == 2 * 1 * 2 * 3
    assert len({p.key for p in points}) == len(points)
    assert [p.point_id for p in points] == list(range(12))
    # zipped keys move together: N=32 always with K=16
    assert all(dict(p.values)["workload.K"] * 2 == dict(p.values)["workload.N"] for p in points)


def test_ranges_and_number_text(write_spec):
    _, spec, _ = write_spec({**BASE, "grid": {"arch.glb_size_bytes": {"start": 1024, "stop": 16384, "factor": 4},
                                              "arch.clock_hz": ["500e6", 1e9],
                                              "workload.M": {"start": 100, "stop": 300, "step": 100}}})
    axes = spec.axes()
    assert axes["arch.glb_size_bytes"] == [1024, 4096, 16384]
    assert axes["arch.clock_hz"] == [500_000_000, 1e9]
    assert axes["workload.M"] == [100, 200, 300]


def test_point_values_reach_the_loaded_arch_and_workload(write_spec):
    _, spec, doc = write_spec({**BASE, "grid": {"arch.rows": [8], "arch.clock_hz": [2e9],
                                                "arch.storage.DRAM.read_bandwidth_bytes_per_cycle": [32],
                                                "arch.compute[1].instances": [3], "workload.M": [48]}})
    check_keys(spec, doc)
    hw, wl = load_point(expand_points(spec)[0])
    assert hw.unit("PEArray").mesh == (8, 16)
    assert hw.clock_hz == 2e9
    assert hw.level("DRAM").read_bandwidth_bytes_per_cycle == 32
    assert hw.unit("VectorUnit").instances == 3
    assert wl.ranks["m"] == 48


def _problem_paths(exc: SpecError) -> list[str]:
    return [p.path for p in exc.problems]


@pytest.mark.parametrize(("patch", "path"), [
    ({"search": "annealing"}, "search"),
    ({"grid": {"rows": [1]}}, "grid"),
    ({"zip": {"arch.rows": [1, 2], "arch.cols": [1]}}, ""),
    ({"budget": {"mappings": None}}, "budget"),
    ({"grid": {"arch.rows": {"start": 4, "stop": 2, "step": 1}}}, "grid.arch.rows"),
    ({"pareto": ["latency_s", "speed"]}, "pareto"),
    ({"colour": "red"}, "colour"),
])
def test_schema_errors_name_the_field(tmp_path, patch, path):
    file = tmp_path / "bad.yaml"
    file.write_text(yaml.safe_dump({**BASE, **patch}))
    with pytest.raises(SpecError) as info:
        load_sweep_spec(file)
    problem = info.value.problems[0]
    assert problem.file == str(file)
    assert any(p.startswith(path) for p in _problem_paths(info.value)), _problem_paths(info.value)


def test_unknown_keys_list_the_declared_parameters(write_spec):
    _, spec, doc = write_spec({**BASE, "grid": {"arch.rowz": [1], "arch.storage.SRAM.size_bytes": [1],
                                                "workload.Q": [1]}})
    with pytest.raises(SpecError) as info:
        check_keys(spec, doc)
    problems = {p.path: p for p in info.value.problems}
    assert set(problems) == {"grid.arch.rowz", "grid.arch.storage.SRAM.size_bytes", "grid.workload.Q"}
    assert "arch.rows" in problems["grid.arch.rowz"].allowed
    assert "workload.M" in problems["grid.workload.Q"].allowed
    assert "GlobalBuffer" in problems["grid.arch.storage.SRAM.size_bytes"].message or \
        problems["grid.arch.storage.SRAM.size_bytes"].line is not None


def test_fingerprint_changes_with_the_spec(write_spec):
    _, a, _ = write_spec({**BASE, "grid": {"workload.M": [64]}}, "a.yaml")
    _, b, _ = write_spec({**BASE, "grid": {"workload.M": [64, 128]}}, "b.yaml")
    _, c, _ = write_spec({**BASE, "grid": {"workload.M": [64]}}, "c.yaml")
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint() == c.fingerprint()


def test_example_specs_are_valid_and_every_point_loads():
    from pathlib import Path

    examples = sorted((Path(__file__).resolve().parents[2] / "mapper" / "examples").glob("*.yaml"))
    assert len(examples) >= 2
    for path in examples:
        spec, doc = load_sweep_spec(path)
        check_keys(spec, doc)
        points = expand_points(spec)
        assert len(points) == spec.point_count
        for point in (*points[:2], points[-1]):
            load_point(point)
