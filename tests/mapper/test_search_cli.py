"""``sim search`` and sweeps that search a mapping per point."""

import pandas as pd
import pytest
import yaml

from mapper.cli import parse_budget
from mapper.sweep.runner import run_sweep
from sim import api
from sim.cli import main
from specbase import SpecError

GEMM = ["--set", "M=64", "--set", "N=64", "--set", "K=32"]


def test_parse_budget():
    assert parse_budget("5000") == (5000, None)
    assert parse_budget("30s") == (None, 30.0)
    assert parse_budget("2m") == (None, 120.0)
    assert parse_budget("5000,30s") == (5000, 30.0)
    for bad in ("", "fast", "0", "-3s"):
        with pytest.raises(SpecError):
            parse_budget(bad)


def test_cli_search_prints_a_mapping_that_sim_run_accepts(tmp_path, capsys):
    out = tmp_path / "best.yaml"
    assert main(["search", "teaching_array", "gemm", *GEMM, "--budget", "300", "--objective", "latency",
                 "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    doc = yaml.safe_load(printed)
    assert "mapping" in doc and "# search:" in printed and "evaluated: 300" in printed
    assert out.read_text() + "\n" == printed
    best = float(next(line for line in printed.splitlines() if "latency_cycles:" in line).split(":")[1])
    result = api.simulate("teaching_array", "gemm", {"M": 64, "N": 64, "K": 32}, out)
    assert result.latency_cycles == pytest.approx(best, rel=1e-5)


def test_cli_search_constraints_file_errors_name_the_field(tmp_path, capsys):
    bad = tmp_path / "c.yaml"
    bad.write_text("constraints:\n  fusion: sometimes\n")
    assert main(["search", "teaching_array", "gemm", *GEMM, "--constraints", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "constraints.fusion" in err and "search" in err and "Traceback" not in err


def test_cli_search_on_a_kind_without_map_space_is_an_error(capsys):
    assert main(["search", "a100", "gemm", *GEMM]) == 1
    assert "search: none" in capsys.readouterr().err


def test_sweep_with_search_stores_the_mapping_of_every_point(write_spec, tmp_path):
    _, spec, doc = write_spec({"name": "searched", "arch": "teaching_array", "workload": "gemm",
                               "search": "genetic", "objective": "edp", "budget": {"mappings": 150},
                               "grid": {"arch.glb_size_bytes": [4096, 65536]},
                               "zip": {"workload.M": [32, 64], "workload.N": [32, 64], "workload.K": [32, 64]}})
    out = run_sweep(spec, doc, tmp_path / "o", workers=1, progress=False)
    rows = pd.read_parquet(tmp_path / "o" / "results.parquet")
    assert out.failed == 0 and len(rows) == 4
    assert (rows["mappings_evaluated"] == 150).all()
    for text in rows["mapping_yaml"]:
        assert "mapping" in yaml.safe_load(text)
    # physics: every latency is at least the compute bound of its GEMM on the 256 PEs
    macs = rows["workload.M"] * rows["workload.N"] * rows["workload.K"]
    assert (rows["latency_cycles"] >= macs / 256).all()


def test_cli_search_constraints_with_unknown_names_list_the_allowed_ones(tmp_path, capsys):
    bad = tmp_path / "c.yaml"
    bad.write_text("bind: {Z: Tensor}\nlevels:\n  SRAM: {order: [m, q]}\n  DRAM: {keep: [X]}\n")
    assert main(["search", "teaching_array", "gemm", *GEMM, "--constraints", str(bad)]) == 2
    err = capsys.readouterr().err
    for expected in (str(bad), "bind.Z", "PEArray", "levels.SRAM", "GlobalBuffer", "levels.SRAM.order",
                     "levels.DRAM.keep"):
        assert expected in err
    assert "Traceback" not in err
