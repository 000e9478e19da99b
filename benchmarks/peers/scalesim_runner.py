"""Run SCALE-Sim v3 on a list of cases and print one JSON line per case.

This script runs INSIDE a SCALE-Sim virtual environment (it imports `scalesim`), never in the
project's own environment.  Usage::

    /tmp/venv-scalesim/bin/python benchmarks/peers/scalesim_runner.py CASES.json > RESULTS.jsonl

CASES.json is a list of objects with keys: name, rows, cols, dataflow (os|ws|is), ifmap_kb,
filter_kb, ofmap_kb, bandwidth ("CALC" or an integer words/cycle for USER mode) and either
gemm {M, N, K} or conv {H, W, R, S, C, K, stride}, and optionally ``layers`` (run that many
identical layers; counts and cycles are summed over them, which makes percentages sums too).
SCALE-Sim is driven through its Python API
with save_disk_space=True (no per-cycle traces); every CSV row gets a trailing comma because its
parser drops the last field, and a dummy layout file is passed because the wheel lacks the default.
"""

import json
import os
import sys
import tempfile
import time

CONFIG_TEMPLATE = """[general]
run_name = {name}

[architecture_presets]
ArrayHeight: {rows}
ArrayWidth: {cols}
IfmapSramSzkB: {ifmap_kb}
FilterSramSzkB: {filter_kb}
OfmapSramSzkB: {ofmap_kb}
IfmapOffset: 0
FilterOffset: 10000000
OfmapOffset: 20000000
Dataflow: {dataflow}
Bandwidth: {bandwidth_words}
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: {bandwidth_words}
IfmapSRAMBankNum: 10
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: {bandwidth_words}
FilterSRAMBankNum: 10
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport: false
SparseRep: ellpack_block
OptimizedMapping: false
BlockSize: 8
RandomNumberGeneratorSeed: 40

[run_presets]
InterfaceBandwidth: {mode}
UseRamulatorTrace: False
"""

COMPUTE_KEYS = ("cycles_incl_prefetch", "total_cycles", "stall_cycles", "overall_util_pct",
                "mapping_efficiency_pct", "compute_util_pct")
ACCESS_KEYS = ("ifmap_sram_start", "ifmap_sram_stop", "ifmap_sram_reads",
               "filter_sram_start", "filter_sram_stop", "filter_sram_reads",
               "ofmap_sram_start", "ofmap_sram_stop", "ofmap_sram_writes",
               "ifmap_dram_start", "ifmap_dram_stop", "ifmap_dram_reads",
               "filter_dram_start", "filter_dram_stop", "filter_dram_reads",
               "ofmap_dram_start", "ofmap_dram_stop", "ofmap_dram_writes")


def _write_inputs(case, folder):
    bandwidth = case.get("bandwidth", "CALC")
    mode = "CALC" if bandwidth == "CALC" else "USER"
    words = 10 if bandwidth == "CALC" else int(bandwidth)
    config_path = os.path.join(folder, "scale.cfg")
    with open(config_path, "w") as handle:
        handle.write(CONFIG_TEMPLATE.format(
            name=case["name"], rows=case["rows"], cols=case["cols"], dataflow=case["dataflow"],
            ifmap_kb=case["ifmap_kb"], filter_kb=case["filter_kb"], ofmap_kb=case["ofmap_kb"],
            bandwidth_words=words, mode=mode))
    topology_path = os.path.join(folder, "topology.csv")
    with open(topology_path, "w") as handle:
        if "gemm" in case:
            g = case["gemm"]
            handle.write("Layer, M, N, K,\n")
            for index in range(case.get("layers", 1)):
                handle.write(f"{case['name']}_{index}, {g['M']}, {g['N']}, {g['K']},\n")
        else:
            c = case["conv"]
            handle.write("Layer, IFMAP H, IFMAP W, Filter H, Filter W, Channels, Num Filter, "
                         "Strides,\n")
            for index in range(case.get("layers", 1)):
                handle.write(f"{case['name']}_{index}, {c['H']}, {c['W']}, {c['R']}, {c['S']}, "
                             f"{c['C']}, {c['K']}, {c['stride']},\n")
    layout_path = os.path.join(folder, "layout.csv")
    with open(layout_path, "w") as handle:
        handle.write("Layer, a, b, c, d, e, f, g, h,\n")
        for index in range(case.get("layers", 1)):
            handle.write(f"{case['name']}_{index}, 1, 1, 1, 1, 1, 1, 1, 1,\n")
    return config_path, topology_path, layout_path


def _read_rows(path):
    """Report rows summed over layers (a case with ``layers`` > 1 repeats one layer)."""
    with open(path) as handle:
        lines = [line.strip() for line in handle if line.strip()]
    rows = [[float(x) for x in line.split(",")[1:] if x.strip()] for line in lines[1:]]
    return [sum(column) for column in zip(*rows, strict=True)] if len(rows) > 1 else rows[0]


def run_case(case):
    from scalesim.scale_sim import scalesim

    with tempfile.TemporaryDirectory() as folder:
        config_path, topology_path, layout_path = _write_inputs(case, folder)
        start_s = time.perf_counter()
        start_cpu_s = time.process_time()
        sim = scalesim(save_disk_space=True, verbose=False, config=config_path,
                       topology=topology_path, layout=layout_path,
                       input_type_gemm="gemm" in case)
        sim.run_scale(top_path=os.path.join(folder, "out"))
        wall_s = time.perf_counter() - start_s
        cpu_s = time.process_time() - start_cpu_s
        report_dir = os.path.join(folder, "out", case["name"])
        compute = _read_rows(os.path.join(report_dir, "COMPUTE_REPORT.csv"))
        access = _read_rows(os.path.join(report_dir, "DETAILED_ACCESS_REPORT.csv"))
    result = dict(case)
    result.update(zip(COMPUTE_KEYS, compute, strict=True))
    result.update(zip(ACCESS_KEYS, access, strict=True))
    result["wall_s"] = wall_s
    result["cpu_s"] = cpu_s
    return result


def main(argv):
    with open(argv[1]) as handle:
        cases = json.load(handle)
    for case in cases:
        try:
            result = run_case(case)
        except Exception as error:
            result = dict(case, error=f"{type(error).__name__}: {error}")
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv)
