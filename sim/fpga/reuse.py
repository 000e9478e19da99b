"""hls4ml's reuse-factor legality rule for a dense product n_in x n_out.

A reuse factor (RF) is how many times each multiplier is used per inference. hls4ml
accepts an RF for a layer with ``n_in`` inputs and ``n_out`` outputs when

1. ``n_in * n_out`` is divisible by RF,
2. RF < n_in, or RF is a multiple of n_in,
3. RF >= n_in, or ceil(n_in * n_out / min(n_in, RF)) is divisible by n_out.

An illegal request is capped at ``n_in * n_out`` and replaced by the closest legal RF,
ties going to the smaller one; the result may exceed the request.
"""

from __future__ import annotations

import bisect
import math
from functools import lru_cache


def is_valid_reuse_factor(n_in: int, n_out: int, reuse_factor: int) -> bool:
    """True when hls4ml accepts ``reuse_factor`` for an ``n_in`` x ``n_out`` layer."""
    _check_sizes(n_in, n_out)
    if reuse_factor < 1:
        return False
    n_mult = n_in * n_out
    if n_mult % reuse_factor:
        return False
    if reuse_factor >= n_in:
        return reuse_factor % n_in == 0
    block_factor = math.ceil(n_mult / reuse_factor)
    return block_factor % n_out == 0


@lru_cache(maxsize=4096)
def valid_reuse_factors(n_in: int, n_out: int) -> tuple[int, ...]:
    """All legal RFs in increasing order (only divisors of n_in*n_out can be legal)."""
    _check_sizes(n_in, n_out)
    return tuple(rf for rf in _divisors(n_in * n_out) if is_valid_reuse_factor(n_in, n_out, rf))


def legal_reuse_factor(n_in: int, n_out: int, requested: int) -> int:
    """The RF hls4ml uses for a request: capped at n_in*n_out, closest legal, ties to smaller."""
    if requested < 1:
        raise ValueError(f"reuse factor must be >= 1, got {requested}")
    valid = valid_reuse_factors(n_in, n_out)
    target = min(requested, n_in * n_out)
    pos = bisect.bisect_left(valid, target)
    if pos < len(valid) and valid[pos] == target:
        return target
    if pos == 0:
        return valid[0]
    if pos == len(valid):
        return valid[-1]
    below, above = valid[pos - 1], valid[pos]
    return above if above - target < target - below else below


def _divisors(value: int) -> list[int]:
    small, large = [], []
    for d in range(1, math.isqrt(value) + 1):
        if value % d == 0:
            small.append(d)
            if d != value // d:
                large.append(value // d)
    return small + large[::-1]


def _check_sizes(n_in: int, n_out: int) -> None:
    if n_in < 1 or n_out < 1:
        raise ValueError(f"layer sizes must be >= 1, got n_in={n_in}, n_out={n_out}")
