"""Evaluate one layer on one systolic array: cycles, utilization, SRAM and DRAM accesses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.systolic.config import SystolicConfig
from sim.systolic.dram import dram_reads_per_fold, dram_reads_total
from sim.systolic.folds import FoldPlan
from sim.systolic.layer import ConvLayer
from sim.systolic.ofmap import ofmap_dram_writes
from sim.systolic.sram import SramAccesses, sram_accesses
from sim.systolic.stalls import StallBreakdown, stall_breakdown
from sim.systolic.streams import FILTER, IFMAP, operand_stream


@dataclass(frozen=True)
class CycleBreakdown:
    """Where the stall-free cycles go, summed over folds (words: see ``folds``)."""

    ideal_cycles: int
    stationary_load_cycles: int
    fill_drain_cycles: int
    cycle_index_offset: int = -1

    @property
    def compute_cycles(self) -> int:
        """SCALE-Sim's 'Total Cycles': the index of the last cycle, counted from 0."""
        return (self.ideal_cycles + self.stationary_load_cycles + self.fill_drain_cycles
                + self.cycle_index_offset)


@dataclass(frozen=True)
class DramAccesses:
    """DRAM words per operand; ``ofmap_writes_scalesim`` is the line-granular count SCALE-Sim
    reports in stall-free mode (``ofmap``), ``ofmap_writes`` the words actually written."""

    ifmap_reads: int
    filter_reads: int
    ofmap_writes: int
    ofmap_writes_scalesim: int

    @property
    def total_words(self) -> int:
        return self.ifmap_reads + self.filter_reads + self.ofmap_writes


@dataclass(frozen=True)
class SystolicReport:
    config: SystolicConfig
    layer: ConvLayer
    plan: FoldPlan
    cycles: CycleBreakdown
    stalls: StallBreakdown
    sram: SramAccesses
    dram: DramAccesses

    @property
    def compute_cycles(self) -> int:
        return self.cycles.compute_cycles

    @property
    def total_cycles(self) -> int:
        return self.compute_cycles + self.stalls.exposed_cycles

    @property
    def duration_cycles(self) -> int:
        """Cycles elapsed (``total_cycles`` is the 0-based index of the last one)."""
        return self.total_cycles + 1

    @property
    def pe_utilization(self) -> float:
        """MACs / (PEs x elapsed cycles): never above 1."""
        return self.layer.macs / (self.duration_cycles * self.config.pes)

    @property
    def overall_utilization(self) -> float:
        """MACs / (PEs x total cycles): SCALE-Sim's 'Overall Util' as a fraction.

        Uses the last cycle's index as the cycle count, as SCALE-Sim does, so it can exceed 1
        (or divide by zero) on a 1 x 1 output-stationary array; ``pe_utilization`` cannot.
        """
        return self.layer.macs / max(self.total_cycles, 1) / self.config.pes

    @property
    def mapping_efficiency(self) -> float:
        """Mean over folds of the fraction of PEs holding work."""
        return self.plan.sr * self.plan.sc / (self.plan.folds * self.config.pes)

    @property
    def compute_utilization_scalesim(self) -> float:
        """SCALE-Sim's 'Compute Util': mean over folds of MACs / (PEs x its fold length).

        Its fold length is T + R + C - 2 for os but T + 2R + 2C - 3 for ws and is (it measures
        the filter demand block with its suffix), so this is a reported figure, not a physical
        one; ``overall_utilization`` is the one to use.
        """
        p = self.plan
        fold_cycles = p.t + p.rows + p.cols - 2 if p.dataflow == "os" \
            else p.t + 2 * p.rows + 2 * p.cols - 3
        return p.t * p.sr * p.sc / (self.config.pes * fold_cycles * p.folds)


def evaluate(config: SystolicConfig, layer: ConvLayer) -> SystolicReport:
    plan = FoldPlan.of(config, layer)
    cycles = CycleBreakdown(plan.t * plan.folds,
                            plan.stationary_load_cycles_per_fold * plan.folds,
                            plan.fill_drain_cycles_per_fold * plan.folds)
    sram = sram_accesses(plan, layer)
    writes_per_fold = ofmap_writes_per_fold(plan)
    if config.scalesim_write_lines:
        counted_writes, write_stalls = ofmap_dram_writes(plan, config.ofmap_sram_words,
                                                         config.cols)
    else:
        counted_writes, write_stalls = int(writes_per_fold.sum()), 0
    if config.stall_free:
        reads = (dram_reads_total(operand_stream(plan, layer, IFMAP), config.ifmap_sram_words,
                                  layer.ifmap_words_touched),
                 dram_reads_total(operand_stream(plan, layer, FILTER), config.filter_sram_words,
                                  layer.filter_words))
        words = sum(reads) + int(writes_per_fold.sum())
        stalls = StallBreakdown(0, write_stalls, 0, words / (plan.cycles_per_fold * plan.folds))
    else:
        per_fold = (dram_reads_per_fold(operand_stream(plan, layer, IFMAP),
                                        config.ifmap_sram_words),
                    dram_reads_per_fold(operand_stream(plan, layer, FILTER),
                                        config.filter_sram_words))
        reads = (int(per_fold[0].sum()), int(per_fold[1].sum()))
        stalls = stall_breakdown(plan.cycles_per_fold, per_fold[0] + per_fold[1],
                                 writes_per_fold, config.dram_bandwidth_words_per_cycle)
    dram = DramAccesses(reads[0], reads[1], int(writes_per_fold.sum()), counted_writes)
    return SystolicReport(config, layer, plan, cycles, stalls, sram, dram)


def ofmap_writes_per_fold(plan: FoldPlan) -> np.ndarray:
    """Output words each fold writes: its R x C block (os) or T x cols used (ws, is)."""
    writes = []
    for fold_col in range(plan.col_folds):
        for fold_row in range(plan.row_folds):
            height = plan.rows_used(fold_row) if plan.dataflow == "os" else plan.t
            writes.append(height * plan.cols_used(fold_col))
    return np.array(writes, dtype=np.int64)
