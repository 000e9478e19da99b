"""Pydantic schema of an architecture file (the validator's input).

Every field has units in its name and help text. Numeric fields accept numbers or
expressions over the file's ``parameters``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from specbase.types import FROZEN, Fraction, NonNegNum, PosInt, PosNum

KINDS = ("spatial", "gpu", "streaming", "fpga", "systolic", "cpu")
Kind = Literal["spatial", "gpu", "streaming", "fpga", "systolic", "cpu"]
UnitKind = Literal["pe_array", "tensor_core", "vector", "sfu", "scalar", "dsp"]


class OpSpec(BaseModel):
    """Cost of one operation kind on one processing element."""

    model_config = FROZEN
    ops_per_cycle: PosNum | None = Field(None, description="Throughput of one PE for this op, ops per cycle.")
    cycles_per_op: PosNum | None = Field(None, description="Alternative to ops_per_cycle: cycles one op occupies a PE.")
    energy_pj: NonNegNum | None = Field(None,
        description="Energy of one op, pJ (defaults to the sum over implemented_as).")
    implemented_as: dict[str, PosNum] = Field(
        default_factory=dict,
        description="Op is executed as these native ops of the same unit, e.g. exp: {mac: 6, add: 1}.")
    ops_per_cycle_by_dtype: dict[str, PosNum] = Field(
        default_factory=dict, description="Per-PE throughput for specific dtypes (e.g. fp8: 1024), ops per cycle.")


class ComputeSpec(BaseModel):
    """A compute unit: a mesh of processing elements, replicated ``instances`` times."""

    model_config = FROZEN
    name: str = Field(description="Unique name of the unit, e.g. PE2D or TensorCore.")
    kind: UnitKind = Field(description="What the unit is.")
    mesh: list[PosInt] = Field(default_factory=lambda: [1], description="PEs per instance along each spatial axis.")
    instances: PosInt = Field(1, description="Copies of the unit (e.g. one per SM).")
    storage: str = Field(description="Innermost storage level the unit reads operands from.")
    ops: dict[str, OpSpec] = Field(description="Operation kinds the PEs execute (mac, add, mul, max, exp, div, ...).")
    pe_area_um2: NonNegNum = Field(0.0, description="Area of one PE, um^2.")
    leakage_power_mw: NonNegNum = Field(0.0, description="Leakage power of the whole unit, mW.")
    spatial_reduction: bool = Field(
        False, description="PEs pass partial sums to their neighbours (systolic chain or adder tree), so a "
        "reduced rank may be spread over the mesh; false: only output ranks are spread over PEs.")


class StorageSpec(BaseModel):
    """One storage level (outermost first in the list)."""

    model_config = FROZEN
    name: str = Field(description="Unique name, e.g. DRAM, GlobalBuffer, SMEM.")
    size_bytes: PosNum | None = Field(None, description="Capacity per instance, bytes; null means unbounded.")
    word_bits: PosInt = Field(16, description="Width of one datapath word, bits.")
    access_bits: PosInt | None = Field(None,
        description="Width of one access for energy accounting, bits (default word_bits).")
    instances: PosInt = Field(1, description="Copies of this level (e.g. 132 for per-SM shared memory).")
    read_bandwidth_bytes_per_cycle: PosNum | None = Field(None, description="Read bandwidth per instance, bytes/cycle.")
    write_bandwidth_bytes_per_cycle: PosNum | None = Field(None,
        description="Write bandwidth per instance, bytes/cycle (default: read).")
    bandwidth_bytes_per_s: PosNum | None = Field(None, description="Alternative: read bandwidth per instance, bytes/s.")
    write_bandwidth_bytes_per_s: PosNum | None = Field(None,
        description="Alternative: write bandwidth per instance, bytes/s.")
    shared_bandwidth: bool = Field(False, description="Reads and writes share one bandwidth budget.")
    achievable_fraction: Fraction = Field(1.0,
        description="Fraction of the nominal bandwidth that streaming access achieves.")
    read_energy_pj: NonNegNum = Field(0.0, description="Energy of one read access (access_bits wide), pJ.")
    write_energy_pj: NonNegNum | None = Field(None, description="Energy of one write access, pJ (default: read).")
    area_um2: NonNegNum = Field(0.0, description="Area per instance, um^2.")
    leakage_power_mw: NonNegNum = Field(0.0, description="Leakage power per instance, mW.")


class ArchSpec(BaseModel):
    """An architecture file, without its kind-specific sections."""

    model_config = FROZEN
    name: str = Field(description="Name of the design.")
    kind: Kind = Field(description="Which model simulates it.")
    description: str = Field("", description="Free text.")
    technology: str = Field("", description="Technology note, e.g. '45 nm'.")
    clock_hz: PosNum = Field(description="Clock frequency, Hz.")
    parameters: dict[str, Any] = Field(default_factory=dict, description="Named defaults used in expressions.")
    storage: list[StorageSpec] = Field(default_factory=list, description="Storage hierarchy, outermost first.")
    compute: list[ComputeSpec] = Field(default_factory=list, description="Compute units.")
    sources: list[str] = Field(default_factory=list, description="Where the numbers come from.")
