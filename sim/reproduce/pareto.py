"""Latency vs area as the PE arrays scale (N x N 2D array, N-PE 1D array), at one length.

Only the arrays change: the buffers, DRAM and clock stay as in the presets, so area moves
with the PE count and latency with the mapping the tile rules pick for the new mesh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sim.reproduce import runner
from sim.reproduce.configs import configuration
from workloads.models import BATCH, TransformerModel

ARRAY_SIZES = (16, 32, 64, 128, 256, 512)
PARETO_TOKENS = 1 << 18
DESIGNS = ("flat", "fusemax")


@dataclass(frozen=True)
class ParetoPoint:
    design: str
    array: int
    area_mm2: float
    latency_s: float
    util2d: float
    pareto_optimal: bool = False


def sweep(model: TransformerModel, sizes: Sequence[int] = ARRAY_SIZES, tokens: int = PARETO_TOKENS,
          batch: int = BATCH, designs: Sequence[str] = DESIGNS) -> tuple[ParetoPoint, ...]:
    points = []
    for design in designs:
        config = configuration(design)
        for n in sizes:
            overrides = {"pe_rows": n, "pe_cols": n, "pe_1d": n}
            hw = runner.hardware(config.arch, overrides)
            point = runner.run_attention(config, model, tokens, batch, overrides)
            points.append(ParetoPoint(design, n, hw.total_area_um2 / 1e6, point.latency_s,
                                      point.utilization["PE2D"]))
    return mark_pareto(points)


def mark_pareto(points: Sequence[ParetoPoint]) -> tuple[ParetoPoint, ...]:
    """Flag the points no other point beats on both area and latency."""
    out = []
    for p in points:
        dominated = any(q is not p and q.area_mm2 <= p.area_mm2 and q.latency_s <= p.latency_s
                        and (q.area_mm2 < p.area_mm2 or q.latency_s < p.latency_s) for q in points)
        out.append(ParetoPoint(p.design, p.array, p.area_mm2, p.latency_s, p.util2d, not dominated))
    return tuple(out)
