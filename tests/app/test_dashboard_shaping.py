"""The dashboard's data-shaping helpers: results -> DataFrames, rooflines, schedules, sweep views."""

from __future__ import annotations

import pandas as pd
import pytest

from app import frames, sources, sweeps
from app.problems import error_text, problem_frame
from app.roofline import main_op, roofline
from app.schedule import busy_by_unit, default_window, gantt, window
from app.units import si
from sim import api
from specbase import SpecError


@pytest.fixture(scope="module")
def gemm():
    inputs = api.load_inputs("teaching_array", "gemm")
    return inputs.arch, inputs.workload, api.run(inputs.arch, inputs.workload)


@pytest.fixture(scope="module")
def attention():
    inputs = api.load_inputs("fusemax", "attention_1pass")
    return inputs.arch, inputs.workload, api.run(inputs.arch, inputs.workload)


def test_energy_frame_keeps_every_component_and_names_its_kind(gemm):
    hardware, _, result = gemm
    energy = frames.energy_frame(result, hardware)
    assert energy["energy_pj"].sum() == pytest.approx(result.total_energy_pj)
    assert energy["share"].sum() == pytest.approx(1.0)
    kinds = dict(zip(energy["component"], energy["kind"], strict=True))
    assert kinds["DRAM"] == frames.LEVEL and kinds["PEArray"] == frames.UNIT


def test_einsum_frames_add_up_to_the_result(attention):
    hardware, workload, result = attention
    table = frames.einsum_frame(result)
    assert list(table["einsum"]) == [e.name for e in result.einsums]
    assert table["ops"].sum() == pytest.approx(sum(sum(e.op_counts.values()) for e in workload.einsums))
    cycles = frames.einsum_cycles_long(result)
    compute = cycles[cycles["limit"].str.startswith("compute")]
    assert compute["cycles"].sum() == pytest.approx(table["compute_cycles"].sum())
    assert (table["latency_cycles"] >= table[["compute_cycles", "bandwidth_cycles"]].max(axis=1) - 1e-6).all()
    per_unit = frames.unit_latency_frame(result)
    assert per_unit["latency_cycles"].sum() == pytest.approx(table["latency_cycles"].sum())
    stacked = frames.einsum_energy_long(result, hardware)
    assert stacked["energy_pj"].sum() == pytest.approx(sum(e.total_energy_pj for e in result.einsums))


def test_traffic_frame_is_outermost_first_and_matches_the_levels(gemm):
    hardware, _, result = gemm
    traffic = frames.traffic_frame(result)
    reads = traffic[traffic["direction"] == "read"]
    assert list(reads["level"]) == [t.level for t in result.traffic]
    assert reads["bytes"].sum() == pytest.approx(sum(t.read_bytes for t in result.traffic))
    assert reads["level"].iloc[0] == hardware.outermost.name


def test_roofline_points_lie_under_the_roofs(gemm):
    hardware, workload, result = gemm
    model = roofline(result, hardware, workload)
    assert model.available
    whole = model.points.set_index("name").loc["whole workload"]
    # GEMM M=N=K: M*N*K macs; latency can beat neither the PE array's peak nor DRAM's bandwidth.
    m, n, k = (workload.parameters[r] for r in ("M", "N", "K"))
    assert whole["ops"] == m * n * k
    peak = hardware.unit("PEArray").total_pes * hardware.unit("PEArray").op("mac").rate(workload.dtype)
    assert main_op(hardware.unit("PEArray"), workload.dtype) == ("mac", peak)
    assert whole["ops_per_cycle"] <= peak * (1 + 1e-9)
    assert whole["ops_per_cycle"] <= model.bandwidth_bytes_per_cycle * whole["intensity_ops_per_byte"] * (1 + 1e-9)
    roof = model.roofs[model.roofs["roof"] == "PEArray (mac)"]
    assert roof["ops_per_cycle"].max() == pytest.approx(peak)


def test_roofline_without_memory_levels_says_why():
    inputs = api.load_inputs("streaming_sdpa", "sdpa_3pass", {"workload.N": 16})
    model = roofline(api.run(inputs.arch, inputs.workload), inputs.arch, inputs.workload)
    assert not model.available and "no memory levels" in model.reason


def test_gantt_rows_come_from_the_engine_timeline(attention):
    hardware, _, result = attention
    chart = gantt(result)
    assert chart.source == "timeline" and len(chart.rows) == len(result.tables["timeline"])
    assert (chart.rows["end_cycle"] >= chart.rows["start_cycle"]).all()
    assert set(chart.rows["unit"]) <= {u.name for u in hardware.compute}


def test_window_clips_intervals_and_busy_sums_them():
    rows = pd.DataFrame({"unit": ["A", "A", "B"], "einsum": ["x", "y", "x"], "label": ["x #0", "y #0", "x #1"],
                         "start_cycle": [0.0, 10.0, 5.0], "end_cycle": [10.0, 20.0, 30.0],
                         "duration_cycles": [10.0, 10.0, 25.0]})
    shown = window(rows, 8.0, 12.0, 10)
    assert list(shown["start_cycle"]) == [8.0, 10.0, 8.0]
    assert list(shown["end_cycle"]) == [10.0, 12.0, 12.0]
    busy = busy_by_unit(shown).set_index("unit")
    assert busy.loc["A", "busy_cycles"] == 4.0 and busy.loc["B", "busy_cycles"] == 4.0
    assert len(window(rows, 8.0, 12.0, 2)) == 2
    assert window(rows, 30.0, 40.0, 10).empty


def test_default_window_stops_at_the_first_long_idle_gap():
    rows = pd.DataFrame({"start_cycle": [0.0, 10.0, 20.0, 5000.0], "end_cycle": [10.0, 20.0, 30.0, 5010.0],
                         "duration_cycles": [10.0] * 4})
    assert default_window(rows) == (0.0, 30.0)
    assert default_window(rows, count=2) == (0.0, 20.0)
    assert default_window(rows, gap_factor=1000.0) == (0.0, 5010.0)


def test_front_filter_and_relative_views_of_sweep_rows():
    rows = pd.DataFrame({"point_id": [0, 1, 2, 3], "arch.rows": [8, 8, 16, 16], "latency_s": [4.0, 2.0, 1.0, 2.0],
                         "energy_pj": [1.0, 2.0, 3.0, 3.0], "area_um2": [1.0, 1.0, 1.0, 1.0]})
    marked = sweeps.with_front(rows, list(sweeps.OBJECTIVES))
    # point 3 is dominated by point 1 (same energy or less, less latency); the others trade off.
    assert list(marked["front"]) == [True, True, True, False]
    assert sweeps.swept_keys(rows) == ["arch.rows"]
    assert list(sweeps.filter_rows(rows, {"arch.rows": [16]})["point_id"]) == [2, 3]
    relative = sweeps.relative_to_best(rows, [0, 2]).set_index(["point", "objective"])["relative"]
    assert relative["point 0", "latency_s"] == 4.0 and relative["point 2", "latency_s"] == 1.0
    assert relative["point 2", "energy_pj"] == 3.0
    table = sweeps.compare_points(rows, [1, 2], ["arch.rows"])
    assert list(table.columns) == ["point 1", "point 2"] and table.loc["arch.rows", "point 2"] == "16"


def test_override_items_only_for_changed_values():
    defaults = {"rows": 16, "glb_size_bytes": "256 * 1024"}
    assert sources.override_items("arch", defaults, {"rows": "16", "glb_size_bytes": "256 * 1024"}) == []
    assert sources.override_items("arch", defaults, {"rows": " 32 ", "glb_size_bytes": ""}) == ["arch.rows=32"]


def test_upload_errors_name_the_uploaded_file_not_its_temp_copy():
    path = sources.save_upload("my_arch.yaml", b"name: x\nkind: spatial\nclock_hz: [\n")
    with pytest.raises(SpecError) as caught:
        sources.run_design(str(path), "gemm")
    text = error_text(caught.value)
    assert "my_arch.yaml" in text and str(sources.UPLOAD_ROOT) not in text
    assert set(problem_frame(caught.value)["file"]) == {"my_arch.yaml"}


def test_compare_ratios_divide_second_by_first(gemm, attention):
    summary = frames.compare_summary({"A": gemm[2], "B": attention[2]})
    ratios = frames.compare_ratios(summary).set_index("quantity")["ratio"]
    assert float(ratios["latency_cycles"]) == float(f"{attention[2].latency_cycles / gemm[2].latency_cycles:.4g}")


@pytest.mark.parametrize(("value", "unit", "text"), [(0.012584, "s", "12.58 ms"), (2.5e-5, "J", "25 µJ"),
                                                    (1536.0, "B", "1.536 kB"), (0.0, "s", "0 s")])
def test_si_prefixes(value, unit, text):
    assert si(value, unit) == text


def test_reopened_sweep_point_reproduces_its_stored_row(tmp_path):
    from mapper.sweep import load_sweep_spec, run_sweep

    spec_file = tmp_path / "searched.yaml"
    spec_file.write_text("name: searched\narch: teaching_array\nworkload: gemm\nsearch: random\n"
                         "budget: {mappings: 20}\ngrid:\n  arch.rows: [8, 16]\n")
    spec, doc = load_sweep_spec(spec_file)
    rows = sweeps.ok_rows(run_sweep(spec, doc, tmp_path / "store", workers=1, progress=False).rows)
    keys = sweeps.swept_keys(rows)
    assert keys == ["arch.rows"]
    for _, row in rows.iterrows():
        assert isinstance(row["mapping_yaml"], str) and row["mapping_yaml"]
        design = sweeps.point_design(row, keys)
        assert design.hardware.unit("PEArray").mesh[0] == row["arch.rows"]
        assert design.result.latency_cycles == pytest.approx(row["latency_cycles"])
        assert design.result.total_energy_pj == pytest.approx(row["energy_pj"])
