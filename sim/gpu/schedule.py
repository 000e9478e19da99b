"""Placing CTAs on SM slots: in-order greedy list scheduling and stream-K balancing."""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

import numpy as np


def makespan_cycles(durations: Sequence[float], slots: int) -> float:
    """Finish time when CTAs start in launch order on the earliest free slot."""
    n = len(durations)
    if n == 0:
        return 0.0
    arr = np.asarray(durations, dtype=float)
    if np.all(arr == arr[0]):
        return math.ceil(n / slots) * float(arr[0])
    heap = [0.0] * min(slots, n)
    for d in arr.tolist():
        start = heapq.heappop(heap)
        heapq.heappush(heap, start + d)
    return max(heap)


def wave_count(ctas: int, slots: int) -> float:
    return ctas / slots if slots else math.inf


def wave_efficiency(ctas: int, slots: int) -> float:
    """Useful fraction of the slot-waves a grid occupies (1.0 = no tail)."""
    return ctas / (math.ceil(ctas / slots) * slots) if ctas else 0.0


def stream_k_steps(total_tiles: int, grid: int) -> list[int]:
    """Tiles per persistent CTA: the first ``total % grid`` CTAs take one more (±1 balance)."""
    base, extra = divmod(total_tiles, grid)
    return [base + 1 if i < extra else base for i in range(grid)]


def stream_k_partials(total_tiles: int, grid: int, tiles_per_unit: int) -> int:
    """CTAs whose tile range starts or ends inside a work unit (they write partial results)."""
    count, start = 0, 0
    for n in stream_k_steps(total_tiles, grid):
        end = start + n
        if n and (start % tiles_per_unit or end % tiles_per_unit):
            count += 1
        start = end
    return count


def causal_steps(query_blocks: int, query_tile: int, key_block: int, key_steps: int) -> list[int]:
    """Key steps for each query block under a causal mask (aligned top-left, s_q = s_k)."""
    return [min(key_steps, math.ceil((i + 1) * query_tile / key_block)) for i in range(query_blocks)]
