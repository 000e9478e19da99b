"""AppTest of the Run page: widgets, a preset run, parameter overrides, bad specs, downloads."""

from __future__ import annotations

import json
import subprocess
import sys

from app.units import si
from sim import api

EXPECTED_TITLES = ("Latency per Einsum", "Cycles per Einsum", "Energy per component", "Energy per Einsum",
                   "Traffic per memory level", "Utilization per unit", "Roofline position")


def chart_titles(at) -> list[str]:
    titles = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title", "")
        titles.append(title if isinstance(title, str) else title.get("text", ""))
    return titles


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_sidebar_offers_every_preset_and_nothing_runs_before_the_button(dashboard):
    at = dashboard()
    assert at.selectbox(key="run_arch_preset").options == list(api.presets()["arch"])
    assert at.selectbox(key="run_workload_preset").options == list(api.presets()["workloads"])
    assert at.selectbox(key="run_model").options == list(api.MODELS)
    assert at.text_input(key="run_arch_rows_teaching_array").value == "16"
    assert not at.metric
    assert "press Run" in at.info[0].value


def test_running_the_default_preset_shows_the_result_and_every_chart(dashboard):
    at = dashboard()
    at.button(key="run_button").click().run()
    assert not at.exception and not at.error
    expected = api.simulate("teaching_array", "gemm")
    shown = metrics(at)
    assert shown["cycles"] == f"{expected.latency_cycles:,.0f}"
    assert shown["latency"] == si(expected.latency_s, "s")
    assert shown["bound"] == expected.bound
    titles = chart_titles(at)
    for title in EXPECTED_TITLES:
        assert any(t.startswith(title) for t in titles), (title, titles)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download JSON", "Download CSV"]


def test_parameter_edit_becomes_a_set_override_like_the_cli(dashboard):
    at = dashboard()
    at.text_input(key="run_workload_M_gemm").set_value("512").run()
    assert any("--set workload.M=512" in c.value for c in at.sidebar.caption)
    at.button(key="run_button").click().run()
    expected = api.simulate("teaching_array", "gemm", {"workload.M": 512})
    default = api.simulate("teaching_array", "gemm")
    assert metrics(at)["cycles"] == f"{expected.latency_cycles:,.0f}"
    assert expected.latency_cycles != default.latency_cycles


def test_bad_edited_arch_shows_the_same_problems_as_the_cli(dashboard, tmp_path):
    bad = "name: bad\nkind: warp\nclock_hz: -5\n"
    at = dashboard()
    at.radio(key="run_arch_mode").set_value("Edit YAML").run()
    at.text_area(key="run_arch_text_teaching_array").set_value(bad).run()
    at.button(key="run_button").click().run()
    assert not at.exception
    shown = at.error[0].value
    cli_file = tmp_path / "edited_arch_teaching_array.yaml"
    cli_file.write_text(bad)
    cli = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(cli_file), "gemm"], capture_output=True,
                         text=True)
    assert cli.returncode == 2
    cli_text = cli.stderr.strip().removeprefix("error: ").replace(str(cli_file), cli_file.name)
    assert shown == cli_text
    problems = at.dataframe[0].value
    assert set(problems["field"]) == {"kind", "clock_hz"}
    assert "'spatial'" in problems.set_index("field").loc["kind", "allowed"]
    assert not at.metric


def test_unknown_parameter_value_is_reported_not_raised(dashboard):
    at = dashboard()
    at.text_input(key="run_arch_rows_teaching_array").set_value("rows_not_defined * 2").run()
    at.button(key="run_button").click().run()
    assert not at.exception
    assert at.error and "rows" in at.error[0].value
