"""`sim validate` / `sim calibrate` end to end on this machine's CPU (short runs)."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.cli import main
from validate.runner import PUBLISHED_FIXTURE

pytest.importorskip("torch")


def test_validate_cpu_quick_then_rebuild_from_the_stored_file(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["validate", "--device", "cpu", "--quick", "--families", "matmul,layernorm",
                 "--out", str(out)]) == 0
    measured = pd.read_csv(out / "measurements.csv")
    assert set(measured["family"]) == {"matmul", "layernorm"}
    assert (measured["median_s"] > 0).all() and (measured["repeats"] >= 5).all()
    assert (measured["device_kind"] == "cpu").all() and (measured["timer"] == "perf_counter").all()
    comparison = pd.read_csv(out / "comparison.csv")
    assert comparison["estimated_s"].notna().all()
    assert "MAPE" in capsys.readouterr().out
    again = tmp_path / "again"
    assert main(["validate", "--from", str(out / "measurements.csv"), "--out", str(again)]) == 0
    rebuilt = pd.read_csv(again / "comparison.csv")
    assert rebuilt["measured_s"].tolist() == pytest.approx(comparison["measured_s"].tolist())
    assert rebuilt["estimated_s"].tolist() == pytest.approx(comparison["estimated_s"].tolist())
    assert not (again / "measurements.csv").exists()


def test_published_fixture_report_needs_no_device(tmp_path):
    assert main(["validate", "--from", str(PUBLISHED_FIXTURE), "--out", str(tmp_path), "--format", "parquet"]) == 0
    summary = pd.read_parquet(tmp_path / "summary.parquet")
    assert set(summary["source"]) == {"published"}
    assert set(summary["family"]) == {"sdpa_prefill", "decode_attention"}
    assert "published figures" in (tmp_path / "report.md").read_text()


def test_bad_workload_choice_is_a_clear_error(tmp_path, capsys):
    code = main(["validate", "--from", str(PUBLISHED_FIXTURE), "--out", str(tmp_path), "--workload", "softmax"])
    assert code == 2
    assert "FAMILY=PRESET" in capsys.readouterr().err


def test_calibrate_quick_writes_a_loadable_cpu_arch(tmp_path):
    import arch

    path = tmp_path / "me.yaml"
    assert main(["calibrate", "--quick", "--out", str(path), "--name", "me"]) == 0
    hw = arch.load_arch(path)
    assert hw.kind == "cpu" and hw.name == "me" and hw.section("cpu").calibrated
    dram = hw.level("DRAM")
    # a sane DRAM read bandwidth for any current host: 0.5 GB/s .. 2 TB/s
    assert 0.5e9 < dram.read_bandwidth_bytes_per_cycle * hw.clock_hz < 2e12


@pytest.mark.parametrize(("argv", "message"), [
    (["--families", "matmul,conv"], "unknown kernel family"),
    (["--device", "tpu"], "cpu, cuda, cuda:N, auto"),
    (["--device", "cpu:1"], "unknown device"),
])
def test_bad_arguments_are_clear_errors(tmp_path, capsys, argv, message):
    assert main(["validate", "--out", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_asking_for_cuda_without_a_gpu_is_a_clear_error(tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert main(["validate", "--device", "cuda", "--quick", "--out", str(tmp_path)]) == 2
    assert "is_available" in capsys.readouterr().err
