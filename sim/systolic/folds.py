"""How a layer is folded onto the array for each dataflow, and what each fold costs in cycles.

Operand matrices (im2col): ifmap is P x W (P output pixels, W = window), filter is W x F, ofmap
is P x F.  Each dataflow pins one matrix dimension to the array rows (Sr), one to the columns
(Sc) and streams the third (T) through time:

=====  ==========  =========  ========  ==================================
flow   Sr (rows)   Sc (cols)  T (time)  stationary in the PEs
=====  ==========  =========  ========  ==================================
os     P           F          W         outputs (partial sums)
ws     W           F          P         filter (weights)
is     W           P          F         ifmap (inputs)
=====  ==========  =========  ========  ==================================

Folds run one after another, columns outer, rows inner; no fold overlaps the next, so every
fold pays its own fill and drain (SCALE-Sim's schedule):

* os: T streaming + (R - 1) + (C - 1) skew fill/drain            = T + R + C - 2
* ws/is: R cycles to load the stationary operand + T streaming
  + (R - 1) + (C - 1) skew fill/drain                             = T + 2R + C - 2
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sim.systolic.config import SystolicConfig
from sim.systolic.layer import ConvLayer


@dataclass(frozen=True)
class FoldPlan:
    """Fold geometry of one layer on one array."""

    dataflow: str
    rows: int
    cols: int
    sr: int
    sc: int
    t: int

    @classmethod
    def of(cls, config: SystolicConfig, layer: ConvLayer) -> FoldPlan:
        p, w, f = layer.ofmap_px, layer.window, layer.num_filters
        sr, sc, t = {"os": (p, f, w), "ws": (w, f, p), "is": (w, p, f)}[config.dataflow]
        return cls(config.dataflow, config.rows, config.cols, sr, sc, t)

    @property
    def row_folds(self) -> int:
        return ceil(self.sr / self.rows)

    @property
    def col_folds(self) -> int:
        return ceil(self.sc / self.cols)

    @property
    def folds(self) -> int:
        return self.row_folds * self.col_folds

    @property
    def stationary_load_cycles_per_fold(self) -> int:
        """Cycles to shift the stationary operand into the array (0 for os)."""
        return 0 if self.dataflow == "os" else self.rows

    @property
    def fill_drain_cycles_per_fold(self) -> int:
        """Skew: the far corner PE starts R + C - 2 cycles after the near one."""
        return self.rows + self.cols - 2

    @property
    def cycles_per_fold(self) -> int:
        return self.t + self.stationary_load_cycles_per_fold + self.fill_drain_cycles_per_fold

    def rows_used(self, fold_row: int) -> int:
        return min(self.rows, self.sr - fold_row * self.rows)

    def cols_used(self, fold_col: int) -> int:
        return min(self.cols, self.sc - fold_col * self.cols)
