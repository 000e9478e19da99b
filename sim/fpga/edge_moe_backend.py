"""Run an Einsum cascade on the Edge-MoE datapath and report stages, layers and resources."""

from __future__ import annotations

from collections import defaultdict

from arch import Architecture
from sim.fpga.device import device_from_arch, fpga_section
from sim.fpga.edge_moe import EdgeMoeDatapath, StageTiming, Unit, schedule
from sim.fpga.edge_moe_resources import UnitResources, datapath_resources
from sim.fpga.edge_moe_stages import OUTSIDE_LAYERS, build_stages
from sim.fpga.mapping import FpgaMapping
from sim.fpga.resources import RESOURCE_NAMES, Resources
from sim.fpga.roles import default_weights
from sim.result import EinsumResult, LevelTraffic, Result, frozen_map
from workloads import Workload

MODEL = "fpga.edge_moe (analytical pass model; estimate)"
NOTES = (
    "Edge-MoE datapath: units run one pass after another; each pass is pipelined at II = 1 and "
    "streams activations over AXI; ping-pong weights hide the next pass's load",
    "estimate: no published Edge-MoE latency was found to validate against; HLS pipeline depth, "
    "loop-exit bubbles, DDR refresh and AXI efficiency below peak are not modelled (optimistic)",
    "resources: DSP/BRAM18 from unit and buffer sizes; LUT/FF cover MAC lanes and AXI ports only "
    "(control, softmax/exp/sqrt units and the gating unit are not counted)",
    "no energy model for this datapath",
)


def datapath_from_arch(arch: Architecture) -> EdgeMoeDatapath:
    sec = fpga_section(arch)
    units = sec.edge_moe
    kwargs = {} if units is None else units.model_dump()
    return EdgeMoeDatapath(clock_hz=arch.clock_hz, axi_port_bits=sec.axi_port_bits, axi_ports=sec.axi_ports,
                           axi_latency_cycles=sec.axi_latency_cycles,
                           offchip_bandwidth_bytes_per_s=sec.offchip_bandwidth_bytes_per_s, **kwargs)


def run_edge_moe(arch: Architecture, workload: Workload, mapping: FpgaMapping) -> Result:
    dp = datapath_from_arch(arch)
    weights = mapping.weights if mapping.weights is not None else default_weights(workload)
    stages = build_stages(workload, dp, weights, mapping.units)
    timings = schedule(stages, dp)
    device = device_from_arch(arch)
    parts = datapath_resources(dp, stages, device.dsp_min_multiplier_bits)
    used = Resources.total(p.resources for p in parts)
    latency = sum(t.latency_cycles for t in timings)
    layers = _layer_rows(timings, arch.clock_hz)
    return Result(
        arch=arch.name, workload=workload.name, model=MODEL, clock_hz=arch.clock_hz, latency_cycles=latency,
        bound=_overall_bound(timings),
        einsums=_einsum_results(workload, timings),
        traffic=_traffic(timings, arch),
        utilization=frozen_map(_utilization(timings, dp, latency, device, used)),
        metrics=frozen_map(_metrics(timings, latency, arch.clock_hz, device, used, layers)),
        tables=frozen_map({"stages": tuple(t.row() for t in timings), "layers": layers,
                           "resources": _resource_rows(parts, used, device)}),
        notes=NOTES,
    )


def _overall_bound(timings: tuple[StageTiming, ...]) -> str:
    cycles: dict[str, float] = defaultdict(float)
    for t in timings:
        cycles[t.bound] += t.latency_cycles
    return max(cycles, key=cycles.get) if cycles else "compute"


def _einsum_results(workload: Workload, timings: tuple[StageTiming, ...]) -> tuple[EinsumResult, ...]:
    lead = {t.stage.einsums[0]: t for t in timings if t.stage.einsums}
    member = {name: t for t in timings for name in t.stage.einsums[1:]}
    out = []
    for einsum in workload.einsums:
        timing = lead.get(einsum.name)
        if timing is not None:
            s = timing.stage
            traffic = (LevelTraffic("DDR", s.read_bytes + s.weight_bytes, s.write_bytes),)
            out.append(EinsumResult(einsum.name, str(s.unit), frozen_map(einsum.op_counts),
                                    timing.latency_cycles, float(s.compute_cycles),
                                    frozen_map({"DDR": timing.stream_cycles}), traffic, frozen_map(),
                                    timing.bound))
            continue
        host = member.get(einsum.name)
        bound = f"fused into {host.stage.name}" if host else "view (no pass of its own)"
        out.append(EinsumResult(einsum.name, str(host.stage.unit) if host else None,
                                frozen_map(einsum.op_counts), 0.0, 0.0, frozen_map(), (), frozen_map(), bound))
    return tuple(out)


def _traffic(timings: tuple[StageTiming, ...], arch: Architecture) -> tuple[LevelTraffic, ...]:
    level = arch.storage[0].name if arch.storage else "DDR"
    reads = sum(t.stage.read_bytes + t.stage.weight_bytes for t in timings if t.stage.einsums)
    writes = sum(t.stage.write_bytes for t in timings)
    return (LevelTraffic(level, reads, writes),)


def _utilization(timings, dp: EdgeMoeDatapath, latency: float, device, used: Resources) -> dict[str, float]:
    macs = defaultdict(float)
    for t in timings:
        macs[t.stage.unit] += t.stage.macs
    ddr = sum(t.stage.read_bytes + t.stage.write_bytes + t.stage.weight_bytes for t in timings)
    out = {
        "linear unit": macs[Unit.LINEAR] / (dp.linear_macs_per_cycle * latency) if latency else 0.0,
        "attention unit": macs[Unit.ATTENTION] / (dp.attention_macs_per_cycle * latency) if latency else 0.0,
        "DDR bandwidth": ddr / (dp.offchip_bytes_per_cycle * latency) if latency else 0.0,
    }
    out.update({name.upper(): value for name, value in device.utilization(used).items()})
    return out


def _layer_rows(timings: tuple[StageTiming, ...], clock_hz: float) -> tuple[dict[str, object], ...]:
    rows: dict[str, dict[str, float]] = {}
    for t in timings:
        row = rows.setdefault(t.stage.layer, defaultdict(float))
        row["latency_cycles"] += t.latency_cycles
        row[f"{t.stage.unit}_cycles"] += t.latency_cycles
        row["macs"] += t.stage.macs
        row["ddr_bytes"] += t.stage.read_bytes + t.stage.write_bytes + t.stage.weight_bytes
    out = []
    for layer, row in rows.items():
        out.append({"layer": layer, "latency_cycles": row["latency_cycles"],
                    "latency_ms": row["latency_cycles"] / clock_hz * 1e3,
                    "linear_cycles": row["linear_cycles"], "attention_cycles": row["attention_cycles"],
                    "vector_cycles": row["vector_cycles"], "macs": row["macs"], "ddr_bytes": row["ddr_bytes"]})
    return tuple(out)


def _metrics(timings, latency: float, clock_hz: float, device, used: Resources, layers) -> dict[str, object]:
    return {
        "latency_ms": latency / clock_hz * 1e3,
        "ii_cycles": latency,
        "inferences_per_s": clock_hz / latency if latency else 0.0,
        "layers": len([r for r in layers if r["layer"] != OUTSIDE_LAYERS]),
        "mean_layer_ms": _mean([r["latency_ms"] for r in layers if r["layer"] != OUTSIDE_LAYERS]),
        "stages": len([t for t in timings if t.stage.einsums]),
        "dsp": used.dsp, "bram18": used.bram18, "lut": round(used.lut), "ff": round(used.ff),
        "fits": device.fits(used), "limiting_resource": device.limiting_resource(used),
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _resource_rows(parts: tuple[UnitResources, ...], used: Resources, device) -> tuple[dict[str, object], ...]:
    rows = [p.row() for p in parts]
    rows.append({"part": "total", **used.as_dict(), "basis": "estimate"})
    rows.append({"part": "device", **device.available.as_dict(), "basis": device.name})
    rows.append({"part": "fraction", **{n: device.utilization(used)[n] for n in RESOURCE_NAMES},
                 "basis": "used / device"})
    return tuple(rows)
