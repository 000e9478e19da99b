"""``sim run`` on the streaming preset and ``sim streaming-table``."""

from __future__ import annotations

import json

from sim.cli import main


def test_sim_run_reports_cycles_and_fifo_peaks(capsys):
    assert main(["run", "streaming_sdpa", "sdpa_naive", "--set", "N=64", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["latency_cycles"] == 2 * 64 * 64 + 2 * 64 + 52
    peaks = {row["fifo"]: row["peak_occupancy"] for row in data["tables"]["fifos"]}
    assert peaks["SN:QK+SN->A"] == 64 + 24


def test_sim_run_reordered_table_format(capsys):
    assert main(["run", "streaming_sdpa", "sdpa_reordered", "--set", "N=32"]) == 0
    out = capsys.readouterr().out
    assert f"{2 * 32 * 32 + 46:,}" in out and "peak_occupancy" in out


def test_sim_run_reports_a_deadlock(capsys):
    assert main(["run", "streaming_sdpa", "sdpa_naive", "--set", "N=64", "--set", "bypass_extra_elements=-80",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["bound"] == "deadlock"
    assert {row["unit"] for row in data["tables"]["deadlock"]} == {"QK+SN", "A", "SD"}


def test_streaming_table_command(capsys):
    assert main(["streaming-table", "--n", "16", "32", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("workload,n,cycles")
    rows = {(r.split(",")[0], int(r.split(",")[1])): int(r.split(",")[2]) for r in lines[1:]}
    assert rows[("sdpa_naive", 32)] == 2 * 32 * 32 + 2 * 32 + 52
    assert rows[("sdpa_reordered", 16)] == 2 * 16 * 16 + 46
