"""Running sweeps: store, resume after a kill, executors (in-process, pool, Dask), CLI."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from mapper.sweep.points import expand_points
from mapper.sweep.runner import run_sweep
from mapper.sweep.spec import load_sweep_spec
from mapper.sweep.store import SweepStore
from sim.cli import main
from sim.errors import SimulationError

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"name": "small", "arch": "teaching_array", "workload": "gemm", "search": "none",
         "grid": {"arch.rows": [8, 16], "workload.M": [64, 128, 256]},
         "zip": {"workload.N": [64, 128], "workload.K": [32, 64]}}


def _raw_keys(output: Path) -> list[str]:
    keys = []
    for part in sorted((output / "parts").glob("part-*.parquet")):
        keys += pq.read_table(part, columns=["point_key"]).column("point_key").to_pylist()
    return keys


def test_inline_sweep_stores_one_row_per_point_with_every_input(write_spec, tmp_path):
    _, spec, doc = write_spec(SMALL)
    out = run_sweep(spec, doc, tmp_path / "out", workers=1, progress=False)
    rows = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert len(rows) == spec.point_count == 12 and out.computed == 12 and out.failed == 0
    for key in ("arch.rows", "workload.M", "workload.N", "workload.K", "latency_s", "energy_pj", "area_um2"):
        assert key in rows.columns
    assert set(rows["point_key"]) == {p.key for p in expand_points(spec)}
    # more PEs means more area; inputs are recorded as given
    by_rows = rows.groupby("arch.rows")["area_um2"].first()
    assert by_rows[16] > by_rows[8]
    front = pd.read_parquet(tmp_path / "out" / "pareto.parquet")
    assert 1 <= len(front) == int(rows["pareto"].sum())


def test_rerun_computes_nothing_and_a_changed_spec_is_refused(write_spec, tmp_path):
    _, spec, doc = write_spec(SMALL)
    run_sweep(spec, doc, tmp_path / "out", workers=1, progress=False)
    again = run_sweep(spec, doc, tmp_path / "out", workers=1, progress=False)
    assert again.computed == 0 and again.skipped == 12 and len(again.rows) == 12
    _, other, other_doc = write_spec({**SMALL, "grid": {"arch.rows": [4]}}, "other.yaml")
    with pytest.raises(SimulationError, match="different spec"):
        run_sweep(other, other_doc, tmp_path / "out", workers=1, progress=False)


def test_a_partial_store_resumes_without_loss_or_duplicates(write_spec, tmp_path):
    _, spec, doc = write_spec(SMALL)
    points = expand_points(spec)
    full = run_sweep(spec, doc, tmp_path / "full", workers=1, progress=False).rows
    store = SweepStore(tmp_path / "part", spec.fingerprint(), len(points), spec.name)
    store.append(full.iloc[[3, 7, 8]].to_dict("records"))
    (tmp_path / "part" / "parts" / "part-999.tmp").write_text("half-written")
    resumed = run_sweep(spec, doc, tmp_path / "part", workers=1, progress=False)
    assert resumed.skipped == 3 and resumed.computed == 9
    assert sorted(_raw_keys(tmp_path / "part")) == sorted(p.key for p in points)
    assert not list((tmp_path / "part" / "parts").glob("*.tmp"))
    pd.testing.assert_series_equal(resumed.rows["latency_cycles"], full["latency_cycles"])


def test_killed_sweep_subprocess_resumes_without_loss_or_duplicates(tmp_path):
    spec_path = tmp_path / "kill.yaml"
    spec_path.write_text(yaml.safe_dump({
        "name": "kill", "arch": "flat", "workload": "attention_1pass", "search": "none",
        "grid": {"workload.M": [256, 512, 1024], "workload.P": list(range(64, 64 * 11, 64)),
                 "workload.B": [1, 2]}}))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "sim.cli", "sweep", str(spec_path), "--output", str(out), "--workers", "1",
           "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((out / "parts").glob("part-*.parquet")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _raw_keys(out)
    spec, doc = load_sweep_spec(spec_path)
    total = spec.point_count
    assert 0 < len(before) < total, "the kill must land mid-sweep"
    assert not (out / "results.parquet").exists()
    resumed = run_sweep(spec, doc, out, workers=1, progress=False)
    after = _raw_keys(out)
    assert resumed.skipped == len(set(before)) and resumed.computed == total - len(set(before))
    assert len(after) == len(set(after)) == total
    assert set(after) == {p.key for p in expand_points(spec)}
    rows = pd.read_parquet(out / "results.parquet")
    assert len(rows) == total and rows["point_id"].tolist() == list(range(total))


def test_process_pool_matches_in_process(write_spec, tmp_path):
    _, spec, doc = write_spec(SMALL)
    inline = run_sweep(spec, doc, tmp_path / "a", workers=1, progress=False).rows
    pooled = run_sweep(spec, doc, tmp_path / "b", workers=2, progress=False)
    assert pooled.executor.startswith("local process pool")
    pd.testing.assert_series_equal(inline["energy_pj"], pooled.rows["energy_pj"])
    assert inline["point_key"].tolist() == pooled.rows["point_key"].tolist()


def test_dask_local_cluster_matches_in_process(write_spec, tmp_path):
    distributed = pytest.importorskip("distributed")
    _, spec, doc = write_spec(SMALL)
    inline = run_sweep(spec, doc, tmp_path / "a", workers=1, progress=False).rows
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        out = run_sweep(spec, doc, tmp_path / "b", scheduler=cluster.scheduler_address, progress=False)
    assert out.executor.startswith("Dask scheduler") and out.computed == 12
    pd.testing.assert_series_equal(inline["latency_cycles"], out.rows["latency_cycles"])


def test_unreachable_scheduler_is_a_clear_error(write_spec, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("mapper.sweep.executors.CONNECT_TIMEOUT_S", 1)
    _, spec, doc = write_spec(SMALL)
    with pytest.raises(SimulationError, match="cannot reach the Dask scheduler"):
        run_sweep(spec, doc, tmp_path / "x", scheduler="tcp://127.0.0.1:9", progress=False)


def test_failed_points_become_error_rows(write_spec, tmp_path):
    _, spec, doc = write_spec({**SMALL, "grid": {"workload.M": [64, 0]}, "zip": {}})
    out = run_sweep(spec, doc, tmp_path / "out", workers=1, progress=False)
    rows = out.rows.set_index("workload.M")
    assert rows.loc[64, "status"] == "ok" and rows.loc[0, "status"] == "error"
    assert "M" in rows.loc[0, "error"] or "m" in rows.loc[0, "error"]
    assert out.failed == 1 and not rows.loc[0, "pareto"] if "pareto" in rows else True


def test_cli_sweep_and_resume(tmp_path, capsys):
    spec_path = tmp_path / "s.yaml"
    spec_path.write_text(yaml.safe_dump(SMALL))
    assert main(["sweep", str(spec_path), "--output", str(tmp_path / "o"), "--workers", "1", "--no-progress"]) == 0
    first = capsys.readouterr().out
    assert "12/12 points" in first and "Pareto front" in first
    assert main(["sweep", str(spec_path), "--output", str(tmp_path / "o"), "--workers", "1", "--no-progress"]) == 0
    assert "0 computed, 12 already stored" in capsys.readouterr().out


def test_cli_bad_spec_is_an_error_not_a_traceback(tmp_path, capsys):
    spec_path = tmp_path / "s.yaml"
    spec_path.write_text(yaml.safe_dump({**SMALL, "grid": {"arch.rowz": [1]}}))
    assert main(["sweep", str(spec_path), "--output", str(tmp_path / "o"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "grid.arch.rowz" in err and "arch.rows" in err and "Traceback" not in err
