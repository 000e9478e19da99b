"""hls4ml-style dense/conv network model: latency, II and resources per layer.

Exact part (Resource strategy, io_parallel, dense layers): every layer gets its own
legal RF (``sim.fpga.reuse``); latency = sum(RF_i) + 2L - 1 cycles; II = latency (the
network is not pipelined across inputs); DSP = sum(n_in*n_out/RF_i) when operands are at
least ``dsp_min_multiplier_bits`` wide, else 0. Everything else (other strategies and io
types, conv layers, BRAM, LUT, FF) is an estimate; see docs/fpga.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.fpga.calibration import DEFAULT_PORT_COSTS, PortCosts, multiplier_ff, multiplier_lut
from sim.fpga.datapath import DatapathConfig, IoType, Strategy
from sim.fpga.layers import LayerKind, MacLayer
from sim.fpga.precision import dsp_per_multiplier
from sim.fpga.resources import FpgaDevice, Resources
from sim.fpga.reuse import legal_reuse_factor

MULTIPLIER_PIPELINE_CYCLES = 2
"""Latency strategy: cycles of the multiply stage before the adder tree (estimate)."""
BRAM18_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18), (512, 36))
"""(depth, width) configurations of one 18 Kb block RAM."""
BRAM_MIN_DEPTH = 64
"""Weight ROMs shallower than this become distributed (LUT) ROM, 64 words per LUT6."""


@dataclass(frozen=True)
class LayerEstimate:
    """One layer's legal RF, timing and resources; ``exact`` marks latency and DSP as exact."""

    layer: MacLayer
    requested_reuse_factor: int
    reuse_factor: int
    multipliers: int
    latency_cycles: int
    ii_cycles: int
    resources: Resources
    exact: bool

    def row(self) -> dict[str, object]:
        res = self.resources
        return {
            "layer": self.layer.name, "kind": str(self.layer.kind), "n_in": self.layer.n_in,
            "n_out": self.layer.n_out, "positions": self.layer.positions,
            "requested_rf": self.requested_reuse_factor, "reuse_factor": self.reuse_factor,
            "multipliers": self.multipliers, "latency_cycles": self.latency_cycles,
            "ii_cycles": self.ii_cycles, "dsp": res.dsp, "bram18": res.bram18, "lut": res.lut,
            "ff": res.ff, "latency_dsp_exact": self.exact,
        }


@dataclass(frozen=True)
class NetworkEstimate:
    """The whole network on one device."""

    layers: tuple[LayerEstimate, ...]
    config: DatapathConfig
    latency_cycles: int
    ii_cycles: int
    resources: Resources
    utilization: dict
    fits: bool
    unroll_ok: bool
    exact: bool
    notes: tuple[str, ...]

    @property
    def reuse_factors(self) -> tuple[int, ...]:
        return tuple(item.reuse_factor for item in self.layers)


def estimate_layer(layer: MacLayer, requested_rf: int, config: DatapathConfig,
                   device: FpgaDevice, port_costs: PortCosts = DEFAULT_PORT_COSTS) -> LayerEstimate:
    """Legalize the RF and estimate one layer."""
    rf = legal_reuse_factor(layer.n_in, layer.n_out, requested_rf)
    pf = config.parallelization_factor if layer.kind is LayerKind.CONV else 1
    multipliers = layer.n_weights // rf * pf
    latency, ii = _layer_timing(layer, rf, pf, config)
    resources = _layer_resources(layer, rf, multipliers, config, device, port_costs)
    exact = config.exact_case and layer.kind is LayerKind.DENSE and layer.positions == 1
    return LayerEstimate(layer, requested_rf, rf, multipliers, latency, ii, resources, exact)


def estimate_network(layers: tuple[MacLayer, ...], config: DatapathConfig, device: FpgaDevice,
                     port_costs: PortCosts = DEFAULT_PORT_COSTS,
                     max_utilization: float = 1.0) -> NetworkEstimate:
    """Estimate a network whose RF request is fixed (``config.reuse_factor`` must be set)."""
    if not layers:
        raise ValueError("the network has no dense or conv layers")
    estimates = []
    for layer in layers:
        requested = config.requested_reuse_factor(layer.name)
        if requested is None:
            raise ValueError(f"layer {layer.name!r} has no reuse factor; use choose_reuse_factor")
        estimates.append(estimate_layer(layer, requested, config, device, port_costs))
    return _combine(tuple(estimates), config, device, max_utilization)


def _combine(estimates: tuple[LayerEstimate, ...], config: DatapathConfig, device: FpgaDevice,
             max_utilization: float) -> NetworkEstimate:
    latency = sum(item.latency_cycles for item in estimates)
    if config.exact_case:
        latency -= 1
        ii = latency
    else:
        if config.io_type is IoType.STREAM:
            latency += len(estimates) - 1
        ii = max(item.ii_cycles for item in estimates)
    resources = Resources.total(item.resources for item in estimates)
    unroll_ok = all(item.multipliers <= device.max_unroll_multipliers for item in estimates)
    fits = device.fits(resources, max_utilization) and unroll_ok
    exact = all(item.exact for item in estimates)
    return NetworkEstimate(estimates, config, latency, ii, resources, device.utilization(resources),
                           fits, unroll_ok, exact, _notes(config, exact, unroll_ok, device))


def _layer_timing(layer: MacLayer, rf: int, pf: int, config: DatapathConfig) -> tuple[int, int]:
    """(latency, II) in cycles of one layer."""
    passes = math.ceil(layer.positions / pf)
    if config.strategy is Strategy.RESOURCE:
        return passes * rf + 2, passes * rf
    tree = math.ceil(math.log2(layer.n_in)) if layer.n_in > 1 else 0
    return passes * rf + tree + MULTIPLIER_PIPELINE_CYCLES, passes * rf


def _layer_resources(layer: MacLayer, rf: int, multipliers: int, config: DatapathConfig,
                     device: FpgaDevice, port_costs: PortCosts) -> Resources:
    bits = config.precision.width_bits
    dsp_each = dsp_per_multiplier(bits, bits, device.dsp_min_multiplier_bits)
    ports = layer.n_in + layer.n_out
    lut = port_costs.lut_per_port * ports + multiplier_lut(multipliers, bits, soft=dsp_each == 0)
    ff = port_costs.ff_per_port * ports + multiplier_ff(multipliers, bits)
    bram18 = 0
    if config.strategy is Strategy.RESOURCE and rf > 1:
        if rf >= BRAM_MIN_DEPTH:
            bram18 = weight_rom_bram18(depth=rf, width_bits=multipliers * bits)
        else:
            lut += math.ceil(rf / BRAM_MIN_DEPTH) * multipliers * bits
    return Resources(dsp=multipliers * dsp_each, bram18=bram18, lut=lut, ff=ff)


def weight_rom_bram18(depth: int, width_bits: int) -> int:
    """BRAM18s for a depth x width weight ROM at its best aspect ratio (Vitis may build some
    ROMs from LUTs instead, or use more blocks; see docs/fpga.md for the error)."""
    return min(math.ceil(depth / d) * math.ceil(width_bits / w) for d, w in BRAM18_SHAPES)


def _notes(config: DatapathConfig, exact: bool, unroll_ok: bool, device: FpgaDevice) -> tuple[str, ...]:
    notes = []
    if exact:
        notes.append("latency, II and DSP follow the exact hls4ml Resource/io_parallel dense model "
                     "(legal RF per layer; latency = sum RF + 2L - 1); BRAM18/LUT/FF are estimates")
    else:
        notes.append(f"{config.strategy}/{config.io_type}: latency, II and all resources are estimates; "
                     "only dense Resource/io_parallel is exact")
    notes.append("LUT/FF: per-port cost fitted on 12 wa-hls4ml rows (leave-one-out error up to 37% LUT, 13% FF); "
                 "BRAM18: weight ROMs packed into block RAM (0.3x to 10x of the synthesized counts)")
    if not unroll_ok:
        notes.append(f"a layer unrolls more than {device.max_unroll_multipliers} multipliers; "
                     "Vivado/Vitis HLS refuses such loops: raise the reuse factor")
    return tuple(notes)
