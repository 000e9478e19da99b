"""Run an Einsum cascade as an hls4ml network: layers from the weight products, knobs, Result."""

from __future__ import annotations

from arch import Architecture
from sim.errors import SimulationError
from sim.fpga.calibration import DEFAULT_PORT_COSTS
from sim.fpga.device import device_from_arch
from sim.fpga.hls4ml import NetworkEstimate, estimate_network
from sim.fpga.knobs import datapath_config
from sim.fpga.layers import LayerKind, MacLayer
from sim.fpga.mapping import FpgaMapping
from sim.fpga.resources import RESOURCE_NAMES, FpgaDevice
from sim.fpga.rf_search import choose_reuse_factor
from sim.fpga.roles import default_weights, mac_shape
from sim.result import EinsumResult, LevelTraffic, Result, frozen_map
from specbase import SpecError
from workloads import Workload

MODEL = "fpga.hls4ml (exact Resource/io_parallel dense latency+DSP; other figures estimated)"


def network_layers(workload: Workload, weights: frozenset[str]) -> tuple[MacLayer, ...]:
    """One hls4ml layer per weight product; attention-style products are rejected."""
    layers = []
    for einsum in workload.einsums:
        shape = mac_shape(einsum, weights)
        if shape is None:
            continue
        if not shape.has_weight:
            raise SimulationError(
                f"Einsum {einsum.name!r} multiplies two activations ({shape.activation}, {shape.other}); "
                "the hls4ml datapath only builds weight layers. Use an arch with fpga.datapath: edge_moe, "
                "or list the weight tensor under 'weights:' in the mapping")
        positions = shape.tokens * shape.groups
        kind = LayerKind.CONV if _is_sliding_window(einsum) else LayerKind.DENSE
        layers.append(MacLayer(einsum.name, shape.in_features, shape.out_features, positions, kind))
    if not layers:
        raise SimulationError(f"workload {workload.name!r} has no weight products (sum_k A*W with W a "
                              "weight input); the hls4ml datapath has nothing to build")
    return tuple(layers)


def _check_parallelization(layers: tuple[MacLayer, ...], factor: int, workload: Workload,
                           mapping: FpgaMapping) -> None:
    """hls4ml requires ParallelizationFactor to divide out_h*out_w of every conv layer."""
    for layer in layers:
        if layer.kind is LayerKind.CONV and layer.positions % factor:
            divisors = [d for d in range(1, layer.positions + 1) if layer.positions % d == 0]
            in_mapping = mapping.parallelization_factor is not None
            raise SpecError.single(
                mapping.file if in_mapping else workload.file,
                "parallelization_factor" if in_mapping else "parameters.parallelization_factor",
                f"{factor} does not divide the {layer.positions} output pixels of conv layer {layer.name!r}",
                allowed=", ".join(map(str, divisors)))


def _is_sliding_window(einsum) -> bool:
    return any(len(index.coeffs) > 1 for access in einsum.inputs for index in access.indices)


def estimate(arch: Architecture, workload: Workload, mapping: FpgaMapping
             ) -> tuple[NetworkEstimate, FpgaDevice, tuple[MacLayer, ...]]:
    weights = mapping.weights if mapping.weights is not None else default_weights(workload)
    layers = network_layers(workload, weights)
    weight_bits = [workload.tensor(w).bits for w in sorted(weights) if w in workload.tensors]
    config = datapath_config(workload, mapping, max(weight_bits, default=16))
    _check_parallelization(layers, config.parallelization_factor, workload, mapping)
    device = device_from_arch(arch)
    limit = mapping.max_utilization or 1.0
    needs_choice = config.reuse_factor is None and any(
        config.requested_reuse_factor(layer.name) is None for layer in layers)
    if needs_choice:
        result = choose_reuse_factor(layers, config, device, DEFAULT_PORT_COSTS, limit)
    else:
        result = estimate_network(layers, config, device, DEFAULT_PORT_COSTS, limit)
    return result, device, layers


def run_hls4ml(arch: Architecture, workload: Workload, mapping: FpgaMapping) -> Result:
    net, device, _ = estimate(arch, workload, mapping)
    weights = mapping.weights if mapping.weights is not None else default_weights(workload)
    return Result(
        arch=arch.name, workload=workload.name, model=MODEL, clock_hz=arch.clock_hz,
        latency_cycles=float(net.latency_cycles),
        bound="compute (reuse-factor loop)" if net.fits else f"does not fit: {_over(net, device)}",
        einsums=_einsum_results(workload, net),
        traffic=_traffic(workload, weights),
        utilization=frozen_map({name.upper(): value for name, value in net.utilization.items()}),
        metrics=frozen_map(_metrics(net, device, arch.clock_hz)),
        tables=frozen_map({"layers": tuple(item.row() for item in net.layers),
                           "resources": _resource_rows(net, device)}),
        notes=net.notes,
    )


def _over(net: NetworkEstimate, device: FpgaDevice) -> str:
    over = [name for name, value in net.utilization.items() if value > 1.0]
    if not net.unroll_ok:
        over.append(f"unroll limit {device.max_unroll_multipliers}")
    return ", ".join(over) or "utilization limit"


def _einsum_results(workload: Workload, net: NetworkEstimate) -> tuple[EinsumResult, ...]:
    by_name = {item.layer.name: item for item in net.layers}
    out, last = [], None
    for einsum in workload.einsums:
        layer = by_name.get(einsum.name)
        if layer is not None:
            last = einsum.name
            latency = float(layer.latency_cycles)
            bound = f"reuse factor {layer.reuse_factor}"
        else:
            latency = 0.0
            bound = f"fused into {last}" if last else "fused into the next layer"
        out.append(EinsumResult(name=einsum.name, unit="DSP" if layer else "fabric",
                                op_counts=frozen_map(einsum.op_counts), latency_cycles=latency,
                                compute_cycles=latency, bandwidth_cycles=frozen_map(), traffic=(),
                                energy_pj=frozen_map(), bound=bound))
    return tuple(out)


def _traffic(workload: Workload, weights: frozenset[str]) -> tuple[LevelTraffic, ...]:
    weight_bytes = sum(t.size_bytes for t in workload.inputs if t.name in weights)
    in_bytes = sum(t.size_bytes for t in workload.inputs if t.name not in weights)
    out_bytes = sum(t.size_bytes for t in workload.outputs)
    return (LevelTraffic("on-chip weights", weight_bytes, 0.0), LevelTraffic("IO ports", in_bytes, out_bytes))


def _metrics(net: NetworkEstimate, device: FpgaDevice, clock_hz: float) -> dict[str, object]:
    res = net.resources
    return {
        "ii_cycles": net.ii_cycles, "dsp": res.dsp, "bram18": res.bram18, "uram": res.uram,
        "lut": round(res.lut), "ff": round(res.ff), "fits": net.fits,
        "limiting_resource": device.limiting_resource(res),
        "reuse_factors": "-".join(str(rf) for rf in net.reuse_factors),
        "strategy": str(net.config.strategy), "io_type": str(net.config.io_type),
        "precision": net.config.precision.text, "latency_dsp_exact": net.exact,
        "latency_us": net.latency_cycles / clock_hz * 1e6,
        "throughput_inferences_per_s": clock_hz / net.ii_cycles,
    }


def _resource_rows(net: NetworkEstimate, device: FpgaDevice) -> tuple[dict[str, object], ...]:
    basis = {"dsp": "exact (legal RF, >= 8-bit rule)" if net.exact else "estimate",
             "bram18": "estimate: weight ROMs packed into BRAM (0.3x-10x off)",
             "uram": "not used by this model", "lut": "estimate: 68/port fit on wa-hls4ml rows",
             "ff": "estimate: 45/port fit on wa-hls4ml rows"}
    rows = []
    for name in RESOURCE_NAMES:
        used, have = getattr(net.resources, name), getattr(device.available, name)
        rows.append({"resource": name, "used": round(used, 1), "available": have,
                     "fraction": net.utilization[name], "basis": basis[name]})
    return tuple(rows)
