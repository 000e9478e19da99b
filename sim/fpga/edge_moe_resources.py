"""Structural resource estimate of the Edge-MoE datapath (an estimate, not a synthesis result).

DSP: each multiplier of a unit tiles over 27 x 18 DSP48E2 slices for its operand widths.
BRAM18: each on-chip buffer needs enough 18 Kb blocks for its capacity and for the bits
it must deliver per cycle (36 bits per block). LUT/FF: one accumulator adder and one
pipeline register of accumulator width per MAC lane, plus a fixed cost per AXI master
port. The per-port constants are assumptions, not sourced figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.fpga.edge_moe import EdgeMoeDatapath, Stage, Unit
from sim.fpga.precision import dsp_per_multiplier
from sim.fpga.resources import Resources

BRAM18_BITS = 18 * 1024
BRAM18_PORT_BITS = 36
AXI_PORT_LUT = 1500
"""Assumed LUTs of one 256-bit AXI master adapter with its burst buffers."""
AXI_PORT_FF = 2000
"""Assumed flip-flops of one 256-bit AXI master adapter."""


@dataclass(frozen=True)
class UnitResources:
    part: str
    resources: Resources
    basis: str

    def row(self) -> dict[str, object]:
        return {"part": self.part, **self.resources.as_dict(), "basis": self.basis}


def bram18_for_buffer(size_bytes: float, bits_per_cycle: int) -> int:
    """Blocks for capacity and for read width, whichever needs more."""
    if size_bytes <= 0:
        return 0
    return max(math.ceil(size_bytes * 8 / BRAM18_BITS), math.ceil(bits_per_cycle / BRAM18_PORT_BITS))


def datapath_resources(dp: EdgeMoeDatapath, stages: tuple[Stage, ...], dsp_min_bits: int = 8
                       ) -> tuple[UnitResources, ...]:
    """Per-part estimate for the units the stages use and the buffers they need."""
    acc_bits = dp.activation_bits + dp.weight_bits
    units = {stage.unit for stage in stages}
    parts: list[UnitResources] = []
    if Unit.LINEAR in units:
        macs = dp.linear_macs_per_cycle
        dsp = macs * dsp_per_multiplier(dp.activation_bits, dp.weight_bits, dsp_min_bits)
        parts.append(UnitResources("linear unit", Resources(dsp=dsp, lut=macs * acc_bits, ff=macs * acc_bits),
                                   f"{macs} MACs of {dp.activation_bits}x{dp.weight_bits} bits"))
        max_weights = max(s.weight_bytes / s.chunks for s in stages if s.unit is Unit.LINEAR)
        ping_pong = 2 * bram18_for_buffer(max_weights, macs * dp.weight_bits)
        parts.append(UnitResources("linear weights (ping-pong)", Resources(bram18=ping_pong),
                                   f"2 x {max_weights:.0f} B, {macs * dp.weight_bits} bits/cycle"))
    if Unit.ATTENTION in units:
        macs = dp.attention_macs_per_cycle
        dsp = macs * dsp_per_multiplier(dp.activation_bits, dp.activation_bits, dsp_min_bits)
        acc = 2 * dp.activation_bits
        parts.append(UnitResources("attention unit", Resources(dsp=dsp, lut=macs * acc, ff=macs * acc),
                                   f"{macs} MACs of {dp.activation_bits}x{dp.activation_bits} bits"))
        key_bytes = max(s.largest_stream_bytes for s in stages if s.unit is Unit.ATTENTION)
        width = dp.attention_feature_lanes * dp.activation_bits
        parts.append(UnitResources("attention key/value buffer",
                                   Resources(bram18=bram18_for_buffer(key_bytes, width)),
                                   f"{key_bytes:.0f} B, {width} bits/cycle"))
    if Unit.VECTOR in units:
        lanes = dp.vector_lanes
        dsp = lanes * dsp_per_multiplier(dp.activation_bits, dp.activation_bits, dsp_min_bits)
        acc = 2 * dp.activation_bits
        parts.append(UnitResources("vector unit", Resources(dsp=dsp, lut=lanes * acc * 2, ff=lanes * acc),
                                   f"{lanes} lanes (multiply + add) of {dp.activation_bits} bits"))
    parts.append(UnitResources("AXI masters", Resources(lut=dp.axi_ports * AXI_PORT_LUT,
                                                         ff=dp.axi_ports * AXI_PORT_FF),
                               f"{dp.axi_ports} ports x assumed {AXI_PORT_LUT} LUT / {AXI_PORT_FF} FF"))
    return tuple(parts)
