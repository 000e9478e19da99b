"""The order in which each fold asks its SRAM for operand words, as SCALE-Sim issues it.

A fold's request block is an nt x nc grid.  Streamed operands enter skewed: grid element
(t, c) is requested in cycle t + c, columns in order within a cycle.  The stationary operand
(ws filter, is ifmap) is shifted in bottom row first: row nt - 1 down to row 0.  Grid element
(t, c) names operand-matrix element (a, b) = (a0 + ua*t + va*c, b0 + ub*t + vb*c).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.systolic.folds import FoldPlan
from sim.systolic.layer import ConvLayer

IFMAP = "ifmap"
FILTER = "filter"

# (operand, dataflow) -> (flip, ua, va, ub, vb, a0 from, b0 from); "r" row-fold start,
# "c" column-fold start, "0" zero.  ifmap (a, b) = (pixel, window); filter (a, b) = (window, filter).
_LAYOUT = {
    (IFMAP, "os"): (False, 0, 1, 1, 0, "r", "0"),
    (FILTER, "os"): (False, 1, 0, 0, 1, "0", "c"),
    (IFMAP, "ws"): (False, 1, 0, 0, 1, "0", "r"),
    (FILTER, "ws"): (True, 1, 0, 0, 1, "r", "c"),
    (IFMAP, "is"): (True, 0, 1, 1, 0, "c", "r"),
    (FILTER, "is"): (False, 0, 1, 1, 0, "r", "0"),
}


@dataclass(frozen=True)
class OperandStream:
    """Everything the DRAM-read kernel needs to regenerate one operand's request order."""

    flip: bool
    steps: np.ndarray  # int64[4]: ua, va, ub, vb
    a0: np.ndarray  # int64[folds]
    b0: np.ndarray
    nt: np.ndarray
    nc: np.ndarray
    is_ifmap: bool
    geometry: np.ndarray  # int64[7]: ifmap_w, channels, filter_w, ofmap_w, stride_h, stride_w, window
    address_count: int


def operand_stream(plan: FoldPlan, layer: ConvLayer, operand: str) -> OperandStream:
    flip, ua, va, ub, vb, a_from, b_from = _LAYOUT[(operand, plan.dataflow)]
    a0, b0, nt, nc = [], [], [], []
    for fold_col in range(plan.col_folds):
        for fold_row in range(plan.row_folds):
            starts = {"r": fold_row * plan.rows, "c": fold_col * plan.cols, "0": 0}
            a0.append(starts[a_from])
            b0.append(starts[b_from])
            extent = _block_extent(plan, operand, fold_row, fold_col)
            nt.append(extent[0])
            nc.append(extent[1])
    geometry = np.array([layer.ifmap_w, layer.channels, layer.filter_w, layer.ofmap_w,
                         layer.stride_h, layer.stride_w, layer.window], dtype=np.int64)
    count = layer.ifmap_words if operand == IFMAP else layer.filter_words
    return OperandStream(flip, np.array([ua, va, ub, vb], dtype=np.int64),
                         np.array(a0, dtype=np.int64), np.array(b0, dtype=np.int64),
                         np.array(nt, dtype=np.int64), np.array(nc, dtype=np.int64),
                         operand == IFMAP, geometry, count)


def _block_extent(plan: FoldPlan, operand: str, fold_row: int, fold_col: int) -> tuple[int, int]:
    """(nt, nc) of the request grid: stationary blocks are rows_used x cols_used."""
    rows_used, cols_used = plan.rows_used(fold_row), plan.cols_used(fold_col)
    stationary = (plan.dataflow, operand) in (("ws", FILTER), ("is", IFMAP))
    if stationary:
        return rows_used, cols_used
    streamed_along_cols = (plan.dataflow, operand) == ("os", FILTER)
    return plan.t, cols_used if streamed_along_cols else rows_used
