"""``streaming:`` section: abstract streaming dataflow hardware (units joined by bounded FIFOs).

Units are pipelined contexts, one per kind of streaming operation the lowering
produces; each has an initiation interval and a latency. FIFOs are sized per role;
a capacity may be an expression over the architecture's and the workload's
parameters and over per-FIFO names (see :data:`FIFO_VARIABLES`), evaluated when a
workload is lowered.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from specbase.expressions import ExpressionError, parse_expression
from specbase.types import FROZEN, NonNegInt, PosInt

UNIT_KINDS = ("source", "dot", "map", "row_reduce", "row_binary", "row_matvec", "running_max", "running_sum",
              "running_matvec", "binary", "sink")
UnitKind = Literal["source", "dot", "map", "row_reduce", "row_binary", "row_matvec", "running_max",
                   "running_sum", "running_matvec", "binary", "sink"]
FIFO_ROLES = ("default", "source", "stream", "bypass", "row", "sink")
FifoRole = Literal["default", "source", "stream", "bypass", "row", "sink"]
FIFO_VARIABLES = {
    "row_elements": "elements per row through this FIFO (the key length N for element streams, 1 for per-row values)",
    "elements": "total elements through this FIFO",
    "producer_latency_cycles": "latency of the unit that writes the FIFO",
    "producer_ii_cycles": "initiation interval of the unit that writes the FIFO",
    "consumer_latency_cycles": "latency of the unit that reads the FIFO",
    "consumer_ii_cycles": "initiation interval of the unit that reads the FIFO",
    "reducer_latency_cycles": "for a bypass FIFO: latency of the row reduction it waits for (else 0)",
}


class UnitTiming(BaseModel):
    """Pipeline timing of one kind of streaming unit."""

    model_config = FROZEN
    initiation_interval_cycles: NonNegInt = Field(
        description="Cycles between successive firings (1 = fully pipelined, 2 = one element every other cycle).")
    latency_cycles: NonNegInt = Field(
        description="Cycles from issuing a firing until its output is ready in the output FIFO.")
    startup_cycles: NonNegInt = Field(0, description="Controller overhead once at start, cycles.")
    per_row_cycles: NonNegInt = Field(0, description="Controller overhead at the start of every row, cycles.")


class FifoRule(BaseModel):
    """Capacity and latencies of FIFOs of one role (or one named FIFO)."""

    model_config = FROZEN
    capacity_elements: int | str | None = Field(
        None, description="Slots, counted from enqueue until the slot's release reaches the producer; "
                          "an integer, an expression (e.g. 'row_elements + 34'), or null for unbounded. "
                          "Unset in a role means: use the default role's value.")
    unbounded: bool = Field(False, description="Make the FIFO unbounded (overrides capacity_elements).")
    latency_cycles: PosInt | None = Field(None, description="Enqueue-to-ready latency, cycles (>= 1).")
    response_latency_cycles: PosInt | None = Field(
        None, description="Dequeue-to-free-slot latency seen by the producer, cycles (>= 1).")

    @field_validator("capacity_elements")
    @classmethod
    def _expression(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, str):
            try:
                parse_expression(value)
            except ExpressionError as exc:
                raise ValueError(str(exc)) from None
        elif isinstance(value, int) and value < 1:
            raise ValueError("capacity_elements must be >= 1 (or null for unbounded)")
        return value


class StreamingSection(BaseModel):
    """Abstract streaming hardware: per-kind unit timing and per-role FIFO sizing."""

    model_config = FROZEN
    units: dict[UnitKind, UnitTiming] = Field(
        description="Timing of each kind of streaming unit the lowering may instantiate.")
    fused_op_latency_cycles: dict[str, NonNegInt] = Field(
        default_factory=dict,
        description="Extra latency, cycles, when an elementwise op (e.g. exp) is fused into another unit.")
    fifos: dict[FifoRole, FifoRule] = Field(
        default_factory=dict, description="FIFO sizing per role: default, source, stream, bypass, row, sink.")
    fifo_overrides: dict[str, FifoRule] = Field(
        default_factory=dict, description="FIFO sizing for individual FIFOs, by the name the lowering gives.")
    max_elements: PosInt = Field(
        2**34, description="Largest number of stream elements the simulator will attempt in one run.")

    @field_validator("units")
    @classmethod
    def _needs_core_units(cls, value: dict) -> dict:
        missing = [k for k in ("source", "sink") if k not in value]
        if missing:
            raise ValueError(f"missing unit kinds {missing}; every pipeline has sources and sinks")
        return value
