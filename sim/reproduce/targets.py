"""The FuseMax paper's headline numbers (shared/reference/fusemax.md section 8) and how to compare."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """One published number and the summary key the study measures it with."""

    key: str
    label: str
    paper: float
    source: str


TARGETS: tuple[Target, ...] = (
    Target("attention_speedup_vs_flat", "Attention speedup vs FLAT (mean)", 6.7, "[P] abstract"),
    Target("attention_energy_vs_flat", "Attention energy / FLAT's (mean)", 0.79, "[P] abstract"),
    Target("attention_speedup_vs_unfused", "Attention speedup vs unfused (mean)", 10.0, "[P] evaluation"),
    Target("e2e_speedup_vs_flat", "End-to-end speedup vs FLAT (mean)", 5.3, "[P] abstract"),
    Target("e2e_energy_vs_flat", "End-to-end energy / FLAT's (mean)", 0.83, "[P] abstract"),
    Target("e2e_speedup_vs_flat_1m", "End-to-end speedup vs FLAT at 1M tokens", 7.5, "[P] evaluation"),
    Target("fusemax_util2d_1k", "FuseMax 2D utilization at 1K", 0.89, "[P] Fig. 6"),
    Target("fusemax_util2d_long", "FuseMax 2D utilization at the longest length", 0.99, "[P] Fig. 6"),
    Target("fusemax_util1d", "FuseMax 1D utilization (mean)", 1.0, "[P] Fig. 6"),
    Target("flat_util2d_e64", "FLAT 2D utilization, head dim 64 (mean)", 0.125, "[P] Fig. 6 (E/512)"),
    Target("flat_util2d_e128", "FLAT 2D utilization, head dim 128 (mean)", 0.25, "[P] Fig. 6 (E/512)"),
)


def relative_error(measured: float, paper: float) -> float:
    """(measured - paper) / paper; NaN when there is no measurement."""
    if measured is None or not math.isfinite(measured):
        return math.nan
    return (measured - paper) / paper
