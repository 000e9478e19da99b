import csv
import io
import json
import subprocess
import sys

import arch
from sim.cli import main


def test_run_prints_table(capsys):
    assert main(["run", "teaching_array", "gemm", "--set", "M=64", "--set", "N=64", "--set", "K=64"]) == 0
    out = capsys.readouterr().out
    for text in ("gemm on teaching_array", "Per Einsum", "Traffic per memory level", "Energy per component",
                 "Utilization per unit", "bound:"):
        assert text in out


def test_run_json_and_output_file(tmp_path, capsys):
    target = tmp_path / "r.json"
    assert main(["run", "arch/presets/fusemax.yaml", "workloads/presets/attention_1pass.yaml",
                 "--format", "json", "--output", str(target)]) == 0
    data = json.loads(target.read_text())
    assert data["arch"] == "fusemax" and data["latency_cycles"] > 0
    assert {e["name"] for e in data["einsums"]} >= {"BQK", "SLNV", "AV"}


def test_run_csv(capsys):
    assert main(["run", "teaching_array", "gemm", "--set", "M=64", "--format", "csv", "--model",
                 "first-order"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    latency = next(r for r in rows if r["section"] == "summary" and r["quantity"] == "latency_cycles")
    assert float(latency["value"]) > 0


def test_qualified_and_shared_parameter_names(tmp_path, capsys):
    arch_file = tmp_path / "a.yaml"
    text = (arch.PRESETS_DIR / "teaching_array.yaml").read_text().replace("parameters:\n", "parameters:\n  M: 3\n", 1)
    arch_file.write_text(text)
    assert main(["run", str(arch_file), "gemm", "--set", "M=64"]) == 2
    err = capsys.readouterr().err
    assert "declared in both files" in err and "arch.M, workload.M" in err
    assert main(["run", str(arch_file), "gemm", "--set", "workload.M=64", "--model", "first-order"]) == 0


def test_unknown_parameter_lists_declared(capsys):
    assert main(["run", "teaching_array", "gemm", "--set", "seq_len=4"]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter" in err and "workload: K, M, N, dtype" in err and "rows" in err


def test_bad_files_exit_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nkind: quantum\nclock_hz: -1\n")
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(bad), "gemm"], capture_output=True,
                          text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad}:2: kind: invalid value" in proc.stderr and f"{bad}:3: clock_hz" in proc.stderr


def test_presets_command(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert "fusemax" in out and "attention_1pass" in out
