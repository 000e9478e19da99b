"""The ``systolic:`` section of an architecture file: a classic R x C systolic array.

The array, its dataflow and its three double-buffered SRAMs (ifmap, filter, ofmap) in front
of DRAM, parameterized like SCALE-Sim's configuration.  Energies come from the generic
``storage`` and ``compute`` lists, looked up by the level and unit names given here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from specbase.types import PosInt, PosNum

Dataflow = Literal["os", "ws", "is"]
BandwidthMode = Literal["stall_free", "limited"]
MIN_SRAM_WORDS = 100


class SystolicSection(BaseModel):
    """Array shape, dataflow, SRAM sizes, word size and how DRAM bandwidth is modelled."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rows: PosInt = Field(description="PE rows (R), count; the dimension mapped to Sr of each dataflow.")
    cols: PosInt = Field(description="PE columns (C), count; the dimension mapped to Sc of each dataflow.")
    dataflow: Dataflow = Field(
        "ws", description="What stays in the PEs: os = outputs, ws = weights (filter), is = inputs (ifmap).")
    ifmap_sram_bytes: PosInt = Field(description="Ifmap SRAM capacity (both halves of the double buffer), bytes.")
    filter_sram_bytes: PosInt = Field(description="Filter SRAM capacity (both halves), bytes.")
    ofmap_sram_bytes: PosInt = Field(description="Ofmap SRAM capacity (both halves), bytes.")
    word_bytes: PosInt = Field(1, description="Bytes per operand word (SCALE-Sim fixes 1).")
    dram_bandwidth_mode: BandwidthMode = Field(
        "stall_free",
        description="stall_free: DRAM keeps up (SCALE-Sim CALC mode; the needed bandwidth is reported); "
                    "limited: folds stall for dram_bandwidth_bytes_per_cycle (double-buffered fold model).")
    dram_bandwidth_bytes_per_cycle: PosNum | None = Field(
        None, description="DRAM bandwidth shared by all operands, bytes/cycle; required when mode is limited.")
    array_unit: str = Field("PEArray", description="Name of the compute unit whose 'mac' energy a MAC costs.")
    dram_level: str = Field("DRAM", description="Storage level whose read/write energies DRAM accesses cost.")
    ifmap_sram_level: str = Field("IfmapSRAM", description="Storage level holding the ifmap SRAM energies.")
    filter_sram_level: str = Field("FilterSRAM", description="Storage level holding the filter SRAM energies.")
    ofmap_sram_level: str = Field("OfmapSRAM", description="Storage level holding the ofmap SRAM energies.")

    @model_validator(mode="after")
    def _check(self) -> SystolicSection:
        if self.dram_bandwidth_mode == "limited" and self.dram_bandwidth_bytes_per_cycle is None:
            raise ValueError("dram_bandwidth_mode 'limited' needs dram_bandwidth_bytes_per_cycle")
        for name in ("ifmap_sram_bytes", "filter_sram_bytes", "ofmap_sram_bytes"):
            words = getattr(self, name) // self.word_bytes
            if words < MIN_SRAM_WORDS:
                raise ValueError(f"{name} holds {words} words; at least {MIN_SRAM_WORDS} are needed "
                                 f"(the buffer is split into 100 sets)")
        return self

    def sram_words(self, operand: str) -> int:
        return getattr(self, f"{operand}_sram_bytes") // self.word_bytes

    @property
    def dram_bandwidth_words_per_cycle(self) -> float | None:
        if self.dram_bandwidth_mode == "stall_free":
            return None
        return self.dram_bandwidth_bytes_per_cycle / self.word_bytes
