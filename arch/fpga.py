"""The ``fpga:`` section of an architecture file: device resources, memory and datapath.

``datapath`` picks the model: ``hls4ml`` (dense/conv layers built by hls4ml, knobs in the
workload parameters or the mapping) or ``edge_moe`` (an Edge-MoE-style ViT accelerator,
sized by the ``edge_moe:`` sub-section).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from specbase.types import FROZEN, Fraction, NonNegInt, PosInt, PosNum


class EdgeMoeUnits(BaseModel):
    """Unit sizes and data widths of an Edge-MoE-style datapath."""

    model_config = FROZEN
    linear_in_lanes: PosInt = Field(16, description="Input features the shared linear unit takes per cycle.")
    linear_out_lanes: PosInt = Field(16, description="Output features the shared linear unit makes per cycle.")
    attention_query_lanes: PosInt = Field(4, description="Query tokens the attention unit handles per cycle.")
    attention_feature_lanes: PosInt = Field(
        8, description="Features (over all heads) the attention unit handles per query per cycle.")
    vector_lanes: PosInt = Field(8, description="Elements per cycle of the LayerNorm/add/softmax vector unit.")
    activation_bits: PosInt = Field(32, description="Activation width in bits (ap_fixed<32,10>).")
    weight_bits: PosInt = Field(16, description="Linear weight width in bits (ap_fixed<16,2>).")
    overlap_weight_load: bool = Field(
        True, description="Ping-pong weight buffers: the next linear's weights load during the current pass.")


class FpgaSection(BaseModel):
    """Resources, off-chip memory and AXI interface of an FPGA device."""

    model_config = FROZEN
    part: str = Field(description="Device part number, e.g. xczu9eg-ffvb1156-2-e.")
    datapath: Literal["hls4ml", "edge_moe"] = Field(
        "hls4ml", description="Which datapath model runs the workload.")
    dsp_slices: NonNegInt = Field(description="DSP48E2 slices on the device.")
    bram18_blocks: NonNegInt = Field(description="18 Kb block RAMs (two per 36 Kb BRAM).")
    uram_blocks: NonNegInt = Field(0, description="288 Kb UltraRAM blocks.")
    lut_count: PosInt = Field(description="6-input LUTs on the device.")
    ff_count: PosInt = Field(description="Flip-flops on the device.")
    usable_fraction: Fraction = Field(
        1.0, description="Fraction of every resource available to the design (the rest is shell/platform).")
    offchip_memory: Literal["ddr3", "ddr4", "lpddr4", "hbm2", "hbm2e"] = Field(
        "ddr4", description="Off-chip memory technology.")
    offchip_bandwidth_bytes_per_s: PosNum = Field(description="Peak off-chip bandwidth, all channels, bytes/s.")
    offchip_channels: PosInt = Field(1, description="Independent off-chip channels (DDR channels, HBM PCs).")
    axi_ports: PosInt = Field(1, description="AXI master ports the datapath uses towards off-chip memory.")
    axi_port_bits: PosInt = Field(256, description="Data width of one AXI master port, bits.")
    axi_latency_cycles: NonNegInt = Field(64, description="Cycles from an AXI burst request to its first beat.")
    dsp_min_multiplier_bits: PosInt = Field(
        8, description="Narrowest operand width that Vitis maps onto DSPs; narrower products use LUTs.")
    max_unroll_multipliers: PosInt = Field(
        4096, description="Largest multiplier count HLS unrolls in one layer (Vivado HLS refuses ~4096+).")
    edge_moe: EdgeMoeUnits | None = Field(None, description="Unit sizes when datapath is edge_moe.")
