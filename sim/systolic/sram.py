"""SRAM accesses issued by the array, per operand (words), as SCALE-Sim reports them.

Every fold reads its streamed operand block and its stationary block once:

* os: ifmap P*W per column fold, filter W*F per row fold, ofmap P*F writes.
* ws: ifmap P*W per column fold, filter W*F once, ofmap P*F per row fold (partial sums of
  each W-fold are written out and accumulated later).
* is: ifmap P*W once, filter W*F per column fold, ofmap P*F per row fold.

SCALE-Sim v3's os report adds R + C to the ofmap write count of every fold (its
``create_ofmap_demand_mat`` adds the block's height plus width).  Those words are not
written; ``ofmap_writes_scalesim`` reproduces the reported figure, ``ofmap_writes`` is the
physical count.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.systolic.folds import FoldPlan
from sim.systolic.layer import ConvLayer


@dataclass(frozen=True)
class SramAccesses:
    ifmap_reads: int
    filter_reads: int
    ofmap_writes: int
    ofmap_writes_scalesim: int


def sram_accesses(plan: FoldPlan, layer: ConvLayer) -> SramAccesses:
    ifmap, filt, ofmap = layer.ofmap_px * layer.window, layer.filter_words, layer.ofmap_words
    if plan.dataflow == "os":
        reads = (ifmap * plan.col_folds, filt * plan.row_folds)
        writes = ofmap
        quirk = plan.folds * (plan.rows + plan.cols)
    elif plan.dataflow == "ws":
        reads = (ifmap * plan.col_folds, filt)
        writes = ofmap * plan.row_folds
        quirk = 0
    else:
        reads = (ifmap, filt * plan.col_folds)
        writes = ofmap * plan.row_folds
        quirk = 0
    return SramAccesses(reads[0], reads[1], writes, writes + quirk)
