"""Latency when DRAM bandwidth is limited: a double-buffered fold pipeline.

This is the project's own model, not SCALE-Sim's USER mode (see docs/systolic.md for why the
two differ).  Fold f needs ``c`` compute cycles (its stall-free length).  While it computes,
the other half of each double buffer fetches the words fold f + 1 will miss on and writes
back the outputs of fold f - 1, all over one DRAM interface of B words/cycle.  So

    latency = ceil(r_0 / B)                                  (prefetch of the first fold)
            + sum_f max(c, ceil((r_{f+1} + w_{f-1}) / B))    (compute or transfer, whichever is longer)
            + ceil(w_last / B)                               (write-back of the last fold)

where r_f are DRAM reads charged to fold f (``dram``) and w_f its output words.  The result is
never below the stall-free cycle count nor below total DRAM traffic / B, and never grows when
B grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy as np


@dataclass(frozen=True)
class StallBreakdown:
    """Cycles DRAM adds to the stall-free schedule.

    ``peak_bandwidth_words_per_cycle``: with limited bandwidth, the largest per-fold demand
    (next fold's reads plus previous fold's writes over one fold's cycles), i.e. the bandwidth
    that would avoid every stall after the first prefetch; stall-free, the mean DRAM words per
    compute cycle over the whole layer.  ``stall_cycles`` in stall-free mode are the ofmap
    write-buffer stalls SCALE-Sim charges.
    """

    prefetch_cycles: int
    stall_cycles: int
    writeback_cycles: int
    peak_bandwidth_words_per_cycle: float

    @property
    def exposed_cycles(self) -> int:
        return self.prefetch_cycles + self.stall_cycles + self.writeback_cycles


def overlap_demand_words(reads_per_fold: np.ndarray, writes_per_fold: np.ndarray) -> np.ndarray:
    """Words moved while fold f computes: next fold's reads plus previous fold's writes."""
    demand = np.zeros(len(reads_per_fold), dtype=np.int64)
    demand[:-1] += reads_per_fold[1:]
    demand[1:] += writes_per_fold[:-1]
    return demand


def stall_breakdown(cycles_per_fold: int, reads_per_fold: np.ndarray,
                    writes_per_fold: np.ndarray, bandwidth_words_per_cycle: float | None
                    ) -> StallBreakdown:
    demand = overlap_demand_words(reads_per_fold, writes_per_fold)
    peak = float(demand.max()) / cycles_per_fold if len(demand) else 0.0
    if bandwidth_words_per_cycle is None:
        return StallBreakdown(0, 0, 0, peak)
    bandwidth = bandwidth_words_per_cycle
    transfer = np.ceil(demand / bandwidth).astype(np.int64)
    stalls = int(np.maximum(transfer - cycles_per_fold, 0).sum())
    return StallBreakdown(ceil(int(reads_per_fold[0]) / bandwidth), stalls,
                          ceil(int(writes_per_fold[-1]) / bandwidth), peak)
