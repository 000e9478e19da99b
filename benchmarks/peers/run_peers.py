"""Side-by-side benchmark: this simulator vs SCALE-Sim v3 and ZigZag on the same layers.

Run on demand (not part of the test suite)::

    python benchmarks/peers/run_peers.py                # full grid (~25 min; SCALE-Sim ~13 CPU min)
    python benchmarks/peers/run_peers.py --quick        # 128..512 cubed only (~3 min)
    python benchmarks/peers/run_peers.py --max-scalesim-cycles 2e5   # skip SCALE-Sim's long runs
    python benchmarks/peers/run_peers.py --render-only  # rewrite REPORT.md from results.csv

Each peer gets its own virtual environment under --venv-root (created on first use):
SCALE-Sim ``scalesim==3.0.0`` with ``numpy<2.4`` (2.4 crashes it) and ZigZag ``zigzag-dse==3.9.1``
with ``six`` (an undeclared import).  The peers run through the runner scripts next to this
file, one process per tool, sequentially, so every wall time in one report comes from one run
on one machine.  SCALE-Sim runs in stall-free (CALC) mode with trace files off; its run time
grows with simulated cycles, so cases predicted above --max-scalesim-cycles are skipped and
marked as such.

What each tool counts (see REPORT.md and docs/systolic.md):
* SCALE-Sim and this simulator: folds run back to back; each fold pays T streaming cycles,
  R cycles to load the stationary operand (ws/is) and R + C - 2 fill/drain; cycles are the
  0-based index of the last one (hence - 1).  Operands are assumed prefetched (stall-free).
* ZigZag: ideal temporal cycles + stalls + data on-loading before compute + off-loading after
  + one systolic drain (R + C - 2), for the best temporal mapping LOMA finds for a fixed
  spatial mapping (K over D1 rows, C over D2 columns: weight-stationary like the TPU).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from sim.api import load_inputs, run  # noqa: E402
from sim.systolic import ConvLayer, SystolicConfig, evaluate  # noqa: E402

PEERS = {
    "scalesim": ("venv-scalesim", ["scalesim==3.0.0", "numpy<2.4"]),
    "zigzag": ("venv-zigzag", ["zigzag-dse==3.9.1", "six"]),
}
SRAM_KIB = 1024
QKT = {"heads": 8, "M": 512, "N": 512, "K": 64}


def ensure_venv(root: pathlib.Path, tool: str) -> str:
    folder, packages = PEERS[tool]
    python = root / folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(root / folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
    return str(python)


def peer_version(python: str, package: str) -> str:
    code = f"import importlib.metadata as m; print(m.version('{package}'))"
    return subprocess.run([python, "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip()


def cases(quick: bool) -> list[dict]:
    sizes = (128, 256, 512) if quick else (128, 256, 512, 1024, 2048)
    out = []
    for rows in (32, 128):
        for n in sizes:
            out.append({"name": f"gemm{n}_{rows}x{rows}_ws", "rows": rows, "cols": rows,
                        "dataflow": "ws", "M": n, "N": n, "K": n, "heads": 1})
    for n in sizes[:3]:
        out.append({"name": f"gemm{n}_32x32_os", "rows": 32, "cols": 32, "dataflow": "os",
                    "M": n, "N": n, "K": n, "heads": 1})
    out.append({"name": "qkt_h8_s512_d64_32x32_ws", "rows": 32, "cols": 32, "dataflow": "ws",
                **QKT})
    return out


def our_config(case: dict) -> SystolicConfig:
    words = SRAM_KIB * 1024
    return SystolicConfig(case["rows"], case["cols"], case["dataflow"], words, words, words)


def predicted_cycles(case: dict) -> int:
    layer = ConvLayer.gemm(case["M"], case["N"], case["K"])
    return case["heads"] * evaluate(our_config(case), layer).total_cycles


def run_peer(python: str, runner: str, payload: list[dict]) -> list[dict]:
    if not payload:
        return []
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(payload, handle)
    proc = subprocess.run([python, str(HERE / runner), handle.name], capture_output=True,
                          text=True, check=False)
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if len(rows) != len(payload):
        sys.stderr.write(proc.stderr[-4000:])
    return rows


def scalesim_payload(case: dict) -> dict:
    return {"name": case["name"], "rows": case["rows"], "cols": case["cols"],
            "dataflow": case["dataflow"], "ifmap_kb": SRAM_KIB, "filter_kb": SRAM_KIB,
            "ofmap_kb": SRAM_KIB, "bandwidth": "CALC", "layers": case["heads"],
            "gemm": {"M": case["M"], "N": case["N"], "K": case["K"]}}


def zigzag_payload(case: dict) -> dict:
    return {"name": case["name"], "rows": case["rows"], "cols": case["cols"], "M": case["M"],
            "N": case["N"], "K": case["K"], "heads": case["heads"], "lpf_limit": 6}


def _best_of(fn, repeats: int) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start, time.process_time() - start_cpu))
    return min(times)


def run_ours(case: dict, repeats: int) -> dict:
    """Model-only and end-to-end (YAML load + lowering + model) times, after warm-up."""
    layer = ConvLayer.gemm(case["M"], case["N"], case["K"])
    config = our_config(case)
    report = evaluate(config, layer)
    if case["heads"] > 1:
        workload = str(HERE / "workloads" / "qkt.yaml")
        params = {"H": case["heads"], "S": case["M"], "D": case["K"]}
    else:
        workload = "gemm"
        params = {"M": case["M"], "N": case["N"], "K": case["K"]}
    params.update(rows=case["rows"], cols=case["cols"], dataflow=case["dataflow"],
                  ifmap_sram_kib=SRAM_KIB, filter_sram_kib=SRAM_KIB, ofmap_sram_kib=SRAM_KIB)

    def end_to_end():
        inputs = load_inputs("systolic", workload, params)
        return run(inputs.arch, inputs.workload)

    result = end_to_end()
    model_s, model_cpu_s = _best_of(lambda: evaluate(config, layer), repeats)
    e2e_s, e2e_cpu_s = _best_of(end_to_end, max(3, repeats // 10))
    heads = case["heads"]
    return {
        "ours_cycles": result.latency_cycles, "ours_energy_pj": result.total_energy_pj,
        "ours_ideal": heads * report.cycles.ideal_cycles,
        "ours_weight_load": heads * report.cycles.stationary_load_cycles,
        "ours_fill_drain": heads * report.cycles.fill_drain_cycles,
        "ours_stalls": heads * report.stalls.stall_cycles,
        "ours_offset": heads * report.cycles.cycle_index_offset,
        "ours_dram_reads": heads * (report.dram.ifmap_reads + report.dram.filter_reads),
        "ours_dram_writes": heads * report.dram.ofmap_writes_scalesim,
        "ours_model_s": model_s, "ours_e2e_s": e2e_s,
        "ours_model_cpu_s": model_cpu_s, "ours_e2e_cpu_s": e2e_cpu_s,
    }


def merge(case, ours, scalesim, zigzag) -> dict:
    row = dict(case)
    row.update(ours)
    if scalesim is not None and "error" not in scalesim:
        row.update(scalesim_cycles=scalesim["total_cycles"], scalesim_wall_s=scalesim["wall_s"],
                   scalesim_dram_reads=scalesim["ifmap_dram_reads"] + scalesim["filter_dram_reads"],
                   scalesim_dram_writes=scalesim["ofmap_dram_writes"],
                   scalesim_cpu_s=scalesim["cpu_s"],
                   cycles_match=scalesim["total_cycles"] == ours["ours_cycles"],
                   speedup_model=scalesim["wall_s"] / ours["ours_model_s"],
                   speedup_e2e=scalesim["wall_s"] / ours["ours_e2e_s"],
                   speedup_model_cpu=scalesim["cpu_s"] / max(ours["ours_model_cpu_s"], 1e-6),
                   speedup_e2e_cpu=scalesim["cpu_s"] / max(ours["ours_e2e_cpu_s"], 1e-6))
    elif scalesim is not None:
        row["scalesim_error"] = scalesim["error"]
    if zigzag is not None and "error" not in zigzag:
        stall = zigzag["latency_total0"] - zigzag["ideal_temporal_cycle"]
        row.update(zigzag_cycles=zigzag["latency_cycles"], zigzag_energy_pj=zigzag["energy_pj"],
                   zigzag_ideal=zigzag["ideal_temporal_cycle"], zigzag_stalls=stall,
                   zigzag_onload=zigzag["onload_cycles"], zigzag_offload=zigzag["offload_cycles"],
                   zigzag_drain=zigzag["systolic_drain_cycles"],
                   zigzag_wall_s=zigzag["wall_s"], zigzag_cpu_s=zigzag["cpu_s"],
                   zigzag_evaluations=zigzag["evaluations"],
                   zigzag_cost_model_s=zigzag["cost_model_s"],
                   zigzag_mappings_per_s=zigzag["evaluations"] / zigzag["wall_s"],
                   zigzag_mappings_per_cpu_s=zigzag["evaluations"] / zigzag["cpu_s"],
                   zigzag_temporal_mapping=zigzag["temporal_mapping"],
                   ours_evaluations_per_s=1.0 / ours["ours_model_s"],
                   ours_evaluations_per_cpu_s=1.0 / max(ours["ours_model_cpu_s"], 1e-6))
    elif zigzag is not None:
        row["zigzag_error"] = zigzag["error"]
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv-root", default="/tmp", type=pathlib.Path)
    parser.add_argument("--quick", action="store_true", help="only 128..512 cubed")
    parser.add_argument("--max-scalesim-cycles", type=float, default=1.5e6,
                        help="skip SCALE-Sim on cases predicted above this many cycles")
    parser.add_argument("--repeats", type=int, default=50, help="timing repeats for our model")
    parser.add_argument("--out", type=pathlib.Path, default=HERE)
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite REPORT.md from the saved results.csv, run nothing")
    args = parser.parse_args(argv)
    from report import read_csv, write_report

    if args.render_only:
        meta = json.loads((args.out / "results_meta.json").read_text())
        write_report(args.out / "REPORT.md", read_csv(args.out / "results.csv"), meta)
        return 0

    grid = cases(args.quick)
    scalesim_python = ensure_venv(args.venv_root, "scalesim")
    zigzag_python = ensure_venv(args.venv_root, "zigzag")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())

    ours = {c["name"]: run_ours(c, args.repeats) for c in grid}
    to_simulate = [c for c in grid if predicted_cycles(c) <= args.max_scalesim_cycles]
    scalesim = {r["name"]: r for r in run_peer(scalesim_python, "scalesim_runner.py",
                                                  [scalesim_payload(c) for c in to_simulate])}
    zigzag = {r["name"]: r for r in run_peer(zigzag_python, "zigzag_runner.py",
                                                [zigzag_payload(c) for c in grid])}
    rows = [merge(c, ours[c["name"]], scalesim.get(c["name"]), zigzag.get(c["name"]))
            for c in grid]
    meta = {"started": started, "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
                                           f"Python {platform.python_version()}",
            "load_average": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
            "scalesim": peer_version(scalesim_python, "scalesim"),
            "zigzag": peer_version(zigzag_python, "zigzag-dse"),
            "max_scalesim_cycles": args.max_scalesim_cycles, "sram_kib": SRAM_KIB}
    write_csv(args.out / "results.csv", rows)
    (args.out / "results_meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    write_report(args.out / "REPORT.md", rows, meta)
    return 0


def write_csv(path: pathlib.Path, rows: list[dict]) -> None:
    keys = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)


def median(values):
    return statistics.median(values) if values else float("nan")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    raise SystemExit(main())
