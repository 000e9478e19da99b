"""``sim fpga-sweep``: latency / resource trade-off of an hls4ml network over reuse factors.

    sim fpga-sweep u250 dense --set layers=64-32-10 --set precision=16 [--rf 1,8,64,512]

Each row is one distinct set of legal per-layer RFs (requests that legalize to the same set
are merged). Without ``--rf`` every RF legal for some layer is requested.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from sim import api
from sim.errors import SimulationError
from sim.fpga.calibration import DEFAULT_PORT_COSTS
from sim.fpga.device import device_from_arch, fpga_section
from sim.fpga.hls4ml import NetworkEstimate
from sim.fpga.hls4ml_backend import network_layers
from sim.fpga.knobs import datapath_config
from sim.fpga.mapping import FpgaMapping
from sim.fpga.rf_search import sweep
from sim.fpga.roles import default_weights
from specbase import SpecError, parse_overrides

COLUMNS = ("requested_rf", "reuse_factors", "latency_cycles", "ii_cycles", "latency_us", "dsp", "bram18",
           "lut", "ff", "fits", "limiting_resource")


def register(subparsers) -> None:
    from sim.cli import add_set_option

    parser = subparsers.add_parser("fpga-sweep", help="sweep the hls4ml reuse factor: latency vs resources")
    parser.add_argument("arch", help="FPGA architecture YAML file or preset (fpga.datapath: hls4ml)")
    parser.add_argument("workload", help="workload YAML file or preset (e.g. dense)")
    parser.add_argument("--mapping", help="mapping YAML file (strategy, io_type, precision, weights, ...)")
    parser.add_argument("--rf", help="comma-separated RF requests (default: every RF legal for some layer)")
    add_set_option(parser)
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.set_defaults(func=_run)


def _run(args) -> int:
    inputs = api.load_inputs(args.arch, args.workload, parse_overrides(args.overrides), args.mapping)
    rows = sweep_rows(inputs.arch, inputs.workload, inputs.mapping or FpgaMapping(), _requests(args.rf))
    print(render(rows, args.format))
    return 0


def _requests(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise SpecError.single("--rf", "", f"invalid list {text!r}", allowed="positive integers joined by ','")
    return values


def sweep_rows(arch, workload, mapping: FpgaMapping, requests: tuple[int, ...] | None) -> list[dict]:
    if fpga_section(arch).datapath != "hls4ml":
        raise SimulationError(f"fpga-sweep needs an arch with fpga.datapath: hls4ml; {arch.name!r} uses "
                              f"{fpga_section(arch).datapath!r}")
    weights = mapping.weights if mapping.weights is not None else default_weights(workload)
    layers = network_layers(workload, weights)
    bits = max((workload.tensor(w).bits for w in weights if w in workload.tensors), default=16)
    config = datapath_config(workload, mapping, bits)
    device = device_from_arch(arch)
    estimates = sweep(layers, replace(config, layer_reuse_factors={}), device, requests, DEFAULT_PORT_COSTS,
                      mapping.max_utilization or 1.0)
    return [_row(est, arch.clock_hz, device) for est in estimates]


def _row(est: NetworkEstimate, clock_hz: float, device) -> dict:
    res = est.resources
    return {
        "requested_rf": est.config.reuse_factor, "reuse_factors": "-".join(map(str, est.reuse_factors)),
        "latency_cycles": est.latency_cycles, "ii_cycles": est.ii_cycles,
        "latency_us": round(est.latency_cycles / clock_hz * 1e6, 4), "dsp": res.dsp, "bram18": res.bram18,
        "lut": round(res.lut), "ff": round(res.ff), "fits": est.fits,
        "limiting_resource": device.limiting_resource(res),
    }


def render(rows: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().rstrip("\n")
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) if rows else len(c) for c in COLUMNS}
    lines = ["  ".join(c.rjust(widths[c]) for c in COLUMNS)]
    lines += ["  ".join(str(r[c]).rjust(widths[c]) for c in COLUMNS) for r in rows]
    lines.append("latency and DSP are exact for dense Resource/io_parallel; BRAM18, LUT and FF are estimates")
    return "\n".join(lines)
