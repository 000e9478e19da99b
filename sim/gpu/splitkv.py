"""Split-KV choice of the flash-attention library (gpu.md §5, ``num_splits_heuristic``)."""

from __future__ import annotations

import math


def num_splits_heuristic(work_units: int, num_sms: int, num_n_blocks: int, max_splits: int = 128) -> int:
    """Smallest split count whose wave efficiency is within 85% of the best.

    ``work_units`` = batch x heads x query blocks; ``num_sms`` is the slot count the caller
    passes (the library passes 2 x SMs: two 128-thread CTAs per SM). Split counts that do not
    change the per-split block count are skipped.
    """
    if work_units >= 0.8 * num_sms:
        return 1
    limit = min(max_splits, num_sms, num_n_blocks)
    efficiencies = []
    for s in range(1, limit + 1):
        if not _eligible(s, num_n_blocks):
            efficiencies.append(0.0)
            continue
        waves = work_units * s / num_sms
        efficiencies.append(waves / math.ceil(waves))
    best = max(efficiencies, default=0.0)
    for s, eff in enumerate(efficiencies, start=1):
        if _eligible(s, num_n_blocks) and eff >= 0.85 * best:
            return s
    return 1


def _eligible(s: int, n_blocks: int) -> bool:
    return s == 1 or math.ceil(n_blocks / s) != math.ceil(n_blocks / (s - 1))
