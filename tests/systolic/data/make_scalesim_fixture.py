"""Regenerate scalesim_fixture.json: SCALE-Sim v3 reports for a grid of small cases.

Not part of the test suite (CI never installs SCALE-Sim).  Produced with::

    python3 -m venv /tmp/venv-scalesim
    /tmp/venv-scalesim/bin/pip install scalesim==3.0.0 'numpy<2.4'
    python tests/systolic/data/make_scalesim_fixture.py /tmp/venv-scalesim/bin/python

The grid covers square and non-square arrays, the three dataflows, GEMMs whose sizes are not
multiples of the array, convolution layers with strides and overlapping windows, SRAMs large
enough to hold every operand and SRAMs small enough to force DRAM refetches, a few
bandwidth-limited (USER mode) runs, and the three reference checks quoted in peers.md.
"""

import itertools
import json
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
RUNNER = HERE.parents[2] / "benchmarks" / "peers" / "scalesim_runner.py"
OUTPUT = HERE / "scalesim_fixture.json"

ARRAYS = ((4, 4), (8, 8), (8, 16), (16, 8))
DATAFLOWS = ("os", "ws", "is")
GEMMS = ((40, 24, 30), (64, 64, 64), (100, 37, 53), (17, 130, 9), (128, 40, 96))
CONVS = (
    {"H": 12, "W": 12, "R": 3, "S": 3, "C": 4, "K": 10, "stride": 1},
    {"H": 15, "W": 11, "R": 5, "S": 3, "C": 3, "K": 20, "stride": 2},
    {"H": 8, "W": 8, "R": 1, "S": 1, "C": 16, "K": 16, "stride": 1},
)
SRAMS_KB = ((64, 64, 64), (1, 1, 1), (2, 4, 1))


def _case(name, rows, cols, dataflow, sram, layer, bandwidth="CALC"):
    case = {"name": name, "rows": rows, "cols": cols, "dataflow": dataflow,
            "ifmap_kb": sram[0], "filter_kb": sram[1], "ofmap_kb": sram[2],
            "bandwidth": bandwidth}
    case.update(layer)
    return case


def grid_cases():
    cases = []
    for (rows, cols), df, sram in itertools.product(ARRAYS, DATAFLOWS, SRAMS_KB):
        for m, n, k in GEMMS:
            layer = {"gemm": {"M": m, "N": n, "K": k}}
            cases.append(_case(f"g{len(cases)}", rows, cols, df, sram, layer))
        for conv in CONVS:
            cases.append(_case(f"c{len(cases)}", rows, cols, df, sram, {"conv": conv}))
    for df, bandwidth in itertools.product(DATAFLOWS, (10, 20)):
        for layer in ({"gemm": {"M": 64, "N": 48, "K": 40}}, {"conv": CONVS[0]}):
            cases.append(_case(f"u{len(cases)}", 8, 8, df, (1, 1, 1), layer, bandwidth))
    return cases


def reference_cases():
    big = (1024, 1024, 1024)
    return [
        _case("ref_os_512", 32, 32, "os", big, {"gemm": {"M": 512, "N": 512, "K": 512}}),
        _case("ref_ws_512", 32, 32, "ws", big, {"gemm": {"M": 512, "N": 512, "K": 512}}),
        _case("ref_ws_1024", 128, 128, "ws", big, {"gemm": {"M": 1024, "N": 1024, "K": 1024}}),
    ]


def run(python, cases):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(cases, handle)
    out = subprocess.run([python, str(RUNNER), handle.name], check=True, capture_output=True,
                         text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main(argv):
    python = argv[1]
    cases = grid_cases()
    if "--no-reference" not in argv:
        cases += reference_cases()
    results = run(python, cases)
    version = subprocess.run([python, "-c", "import importlib.metadata as m;"
                              "print(m.version('scalesim'), m.version('numpy'))"],
                             check=True, capture_output=True, text=True).stdout.split()
    document = {
        "producer": "tests/systolic/data/make_scalesim_fixture.py",
        "command": "python tests/systolic/data/make_scalesim_fixture.py "
                   "/tmp/venv-scalesim/bin/python",
        "scalesim_version": version[0],
        "numpy_version": version[1],
        "cases": results,
    }
    OUTPUT.write_text(json.dumps(document, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv)
