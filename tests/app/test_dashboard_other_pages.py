"""AppTest of the Explore, Timeline, Validation and Compare pages."""

from __future__ import annotations

import json

import pandas as pd

from app import validation_data
from sim import api

TINY_SWEEP = """\
name: tiny
arch: teaching_array
workload: gemm
search: none
grid:
  arch.rows: [8, 16]
  workload.M: [256, 512]
"""


def chart_titles(at) -> list[str]:
    out = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title", "")
        out.append(title if isinstance(title, str) else title.get("text", ""))
    return out


def test_explore_runs_a_sweep_shows_the_front_and_opens_a_point_in_run(dashboard, tmp_path):
    at = dashboard("views/explore.py")
    at.radio(key="explore_source").set_value("Edit YAML").run()
    at.text_area(key="explore_text_default_mapping_sweep").set_value(TINY_SWEEP).run()
    assert any("4 design points" in m.value for m in at.markdown)
    output = tmp_path / "store"
    at.text_input(key=next(w.key for w in at.text_input if w.key.startswith("explore_output_"))).set_value(
        str(output)).run()
    at.button(key="explore_run").click().run()
    assert not at.exception and not at.error
    assert "4/4 points" in at.get("progress")[0].proto.text
    assert len(at.get("plotly_chart")) == 1
    table = next(d.value for d in at.dataframe if "front" in d.value.columns)
    front = table[table["front"]]
    # Halving M halves the work at equal area, so no M=512 point can be Pareto-optimal.
    assert len(front) >= 1 and set(front["workload.M"]) == {256}
    assert (output / "results.parquet").exists()

    at.selectbox(key="explore_open_id").set_value(int(front["point_id"].iloc[0])).run()
    at.button(key="explore_open").click().run()
    assert not at.exception
    assert any("sweep tiny, point" in c.value for c in at.caption)
    rows = int(front["arch.rows"].iloc[0])
    expected = api.simulate("teaching_array", "gemm", {"arch.rows": rows, "workload.M": 256})
    assert {m.label: m.value for m in at.metric}["cycles"] == f"{expected.latency_cycles:,.0f}"


def test_explore_loads_stored_results_and_filters(dashboard, tmp_path):
    from mapper.sweep import load_sweep_spec, run_sweep

    spec_file = tmp_path / "tiny.yaml"
    spec_file.write_text(TINY_SWEEP)
    spec, doc = load_sweep_spec(spec_file)
    run_sweep(spec, doc, tmp_path / "store", workers=1, progress=False)
    at = dashboard("views/explore.py")
    at.radio(key="explore_source").set_value("Stored results").run()
    at.text_input(key="explore_folder").set_value(str(tmp_path / "store")).run()
    at.button(key="explore_load").click().run()
    assert any("4 of 4 points shown" in m.value for m in at.markdown)
    at.multiselect(key="explore_filter_workload.M").set_value([512]).run()
    assert any("2 of 4 points shown" in m.value for m in at.markdown)


def test_explore_bad_spec_is_reported(dashboard):
    at = dashboard("views/explore.py")
    at.radio(key="explore_source").set_value("Edit YAML").run()
    at.text_area(key="explore_text_default_mapping_sweep").set_value(TINY_SWEEP + "search: magic\n").run()
    assert not at.exception
    assert at.error and "search" in at.error[0].value and "exhaustive" in at.error[0].value


def test_explore_missing_store_folder_says_so(dashboard, tmp_path):
    at = dashboard("views/explore.py")
    at.radio(key="explore_source").set_value("Stored results").run()
    at.text_input(key="explore_folder").set_value(str(tmp_path)).run()
    at.button(key="explore_load").click().run()
    assert at.error and "results.parquet" in at.error[0].value


def test_timeline_draws_the_engine_schedule_and_windows_it(dashboard):
    at = dashboard("views/timeline.py")
    assert "Run a design" in at.info[0].value
    at.button(key="timeline_run").click().run()
    assert not at.exception and not at.warning
    expected = api.simulate("fusemax", "attention_1pass").tables["timeline"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["intervals recorded"] == f"{len(expected):,}"
    assert "Tile schedule per unit" in chart_titles(at)
    slider = at.slider(key="timeline_window")
    assert slider.value[0] == slider.min and slider.value[1] < slider.max

    def drawn() -> int:
        caption = next(c.value for c in at.caption if "intervals in the window" in c.value)
        return int(caption.split()[0].replace(",", ""))

    assert drawn() < len(expected)
    slider.set_value((slider.min, slider.max)).run()
    assert drawn() == len(expected)


def test_timeline_says_plainly_when_a_model_has_no_schedule(dashboard):
    at = dashboard("views/timeline.py")
    at.selectbox(key="timeline_arch_preset").set_value("h100").run()
    at.selectbox(key="timeline_workload_preset").set_value("flash_attention").run()
    at.button(key="timeline_run").click().run()
    assert not at.exception
    assert "records no tile schedule" in at.warning[0].value
    assert not at.get("vega_lite_chart")


def test_validation_scores_the_stored_results_per_family(dashboard):
    at = dashboard("views/validation.py")
    stored = list(validation_data.stored_files())
    assert at.selectbox(key="validation_file").options == stored
    at.button(key="validation_load").click().run()
    assert not at.exception and not at.error
    summary = at.dataframe[0].value
    measured = pd.read_csv(validation_data.stored_files()[stored[0]])
    assert set(summary["family"]) == set(measured["family"])
    assert summary["cases"].sum() == len(measured)
    assert len(at.get("vega_lite_chart")) == 3


def test_validation_report_folder_missing_is_an_error(dashboard, tmp_path):
    at = dashboard("views/validation.py")
    at.radio(key="validation_source").set_value("Report folder").run()
    at.text_input(key="validation_folder").set_value(str(tmp_path)).run()
    at.button(key="validation_load").click().run()
    assert at.error and "comparison.csv" in at.error[0].value


def test_compare_runs_two_architectures_on_one_workload(dashboard):
    at = dashboard("views/compare.py")
    at.button(key="compare_run").click().run()
    assert not at.exception and not at.error
    flat = api.simulate("flat", "attention_1pass")
    fusemax = api.simulate("fusemax", "attention_1pass")
    ratios = next(d.value for d in at.dataframe if "ratio" in d.value.columns).set_index("quantity")
    assert float(ratios.loc["latency_cycles", "ratio"]) == float(f"{fusemax.latency_cycles / flat.latency_cycles:.4g}")
    cycles = [m.value for m in at.metric if m.label == "cycles"]
    assert cycles == [f"{flat.latency_cycles:,.0f}", f"{fusemax.latency_cycles:,.0f}"]
    titles = chart_titles(at)
    assert {"Latency per Einsum", "Energy per component", "Utilization per unit"} <= set(titles)
