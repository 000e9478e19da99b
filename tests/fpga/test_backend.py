"""``sim run`` / ``sim fpga-sweep`` on FPGA presets, mapping files and error messages."""

import json

import pytest

from sim import api
from sim.cli import main
from sim.errors import SimulationError
from specbase import SpecError


def test_sim_run_dense_reports_fpga_metrics():
    result = api.simulate("u250", "dense", {"layers": "64-32-10", "reuse_factor": 128, "precision": 16})
    for key in ("ii_cycles", "dsp", "bram18", "lut", "ff", "fits"):
        assert key in result.metrics
    assert result.metrics["fits"] is True
    assert {row["resource"] for row in result.tables["resources"]} == {"dsp", "bram18", "uram", "lut", "ff"}
    assert any("estimate" in note for note in result.notes)


def test_auto_rf_fits_small_device():
    result = api.simulate("zcu102", "dense", {"layers": "784-512-256-10", "precision": 16})
    assert result.metrics["fits"] is True
    assert result.metrics["dsp"] <= 2520
    assert any("chosen automatically" in note for note in result.notes)


def test_mapping_fixes_the_rf(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("reuse_factor: 64\nlayer_reuse_factors: {Y2: 320}\n")
    result = api.simulate("u250", "dense", {"layers": "64-32-10"}, mapping)
    assert result.metrics["reuse_factors"] == "64-320"
    assert result.latency_cycles == 64 + 320 + 3


def test_mapping_unknown_einsum_names_the_field(tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("layer_reuse_factors: {Y9: 4}\n")
    with pytest.raises(SpecError) as err:
        api.simulate("u250", "dense", {}, mapping)
    assert "layer_reuse_factors.Y9" in str(err.value) and "Y1" in str(err.value)


def test_bad_knob_names_file_field_and_allowed_values():
    with pytest.raises(SpecError) as err:
        api.simulate("u250", "dense", {"strategy": "fastest"})
    text = str(err.value)
    assert "parameters.strategy" in text and "resource" in text and "dense.yaml" in text


def test_bad_layers_string_is_a_spec_error():
    with pytest.raises(SpecError, match="64-32-10"):
        api.simulate("u250", "dense", {"layers": "64-x"})


def test_attention_on_hls4ml_datapath_is_rejected():
    with pytest.raises(SimulationError, match="edge_moe"):
        api.simulate("u250", "vit_layer_edge_moe")


def test_bad_datapath_in_arch_lists_allowed(tmp_path):
    text = (api.arch_pkg.PRESETS_DIR / "zcu102.yaml").read_text().replace("datapath: hls4ml", "datapath: gpu")
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as err:
        api.simulate(path, "dense")
    assert "fpga.datapath" in str(err.value) and "edge_moe" in str(err.value)


def test_edge_moe_layer_and_inference():
    layer = api.simulate("zcu102_edge_moe", "vit_layer_edge_moe")
    assert {row["layer"] for row in layer.tables["layers"]} == {"L0"}
    assert layer.metrics["fits"] is True
    full = api.simulate("zcu102_edge_moe", "vit_edge_moe")
    rows = full.tables["layers"]
    assert len([r for r in rows if r["layer"].startswith("L")]) == 12
    assert full.latency_cycles == pytest.approx(sum(r["latency_cycles"] for r in rows))
    assert sum(t.latency_cycles for t in full.einsums) == pytest.approx(full.latency_cycles, rel=0.01)


def test_fpga_sweep_cli(capsys):
    assert main(["fpga-sweep", "u250", "dense", "--set", "layers=64-32-10", "--rf", "1,128,2048",
                 "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["reuse_factors"] for r in rows] == ["1-1", "128-160", "2048-320"]
    assert rows[0]["dsp"] > rows[1]["dsp"] > rows[2]["dsp"]
    assert rows[0]["latency_cycles"] < rows[1]["latency_cycles"] < rows[2]["latency_cycles"]


def test_fpga_sweep_rejects_edge_moe(capsys):
    assert main(["fpga-sweep", "zcu102_edge_moe", "dense"]) == 1
    assert "hls4ml" in capsys.readouterr().err


def test_cnn_layers_become_conv_layers():
    result = api.simulate("u250", "cnn", {"input": "16x16x3", "layers": "c8k3-d10", "reuse_factor": 27})
    conv, dense = result.tables["layers"]
    assert (conv["kind"], conv["n_in"], conv["n_out"], conv["positions"]) == ("conv", 27, 8, 14 * 14)
    assert (dense["kind"], dense["n_in"], dense["n_out"]) == ("dense", 14 * 14 * 8, 10)
    assert result.metrics["latency_dsp_exact"] is False
    # Conv latency grows with out_h*out_w * RF (hls4ml maintainers' rule of thumb).
    assert conv["latency_cycles"] >= 14 * 14 * 27


def test_parallelization_factor_must_divide_output_pixels():
    with pytest.raises(SpecError) as err:
        api.simulate("u250", "cnn", {"input": "16x16x3", "layers": "c8k3-d10", "parallelization_factor": 5})
    text = str(err.value)
    assert "parameters.parallelization_factor" in text and "196" in text and "49" in text
