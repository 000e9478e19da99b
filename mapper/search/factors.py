"""Tile factorizations of a rank over the loop slots of a nest.

A rank of size ``n`` is split over ``slots`` loops (outermost first). Perfect
factorizations multiply to ``n`` exactly. Imperfect ones let the inner factors take
any value from a candidate set (divisors of ``n`` and powers of two) whose product is
at most ``n``; the outermost factor is then ``ceil(n / inner product)`` and the last
outer iteration works on a partial tile. ``caps`` bounds each slot (e.g. a spatial slot
by the mesh size along its axis).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=4096)
def divisors(n: int) -> tuple[int, ...]:
    if n < 1:
        raise ValueError(f"cannot factor {n}: sizes must be >= 1")
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return tuple(sorted({*small, *(n // d for d in small)}))


@lru_cache(maxsize=4096)
def perfect_factorizations(n: int, slots: int, caps: tuple[int, ...] | None = None) -> np.ndarray:
    """Every ordered ``slots``-tuple of positive integers with product ``n`` (rows, int64)."""
    caps = caps or (n,) * slots
    rows = _perfect(n, slots, caps)
    return np.array(rows, dtype=np.int64).reshape(len(rows), slots)


def _perfect(n: int, slots: int, caps: tuple[int, ...]) -> list[tuple[int, ...]]:
    if slots == 1:
        return [(n,)] if n <= caps[0] else []
    out = []
    for d in divisors(n):
        if d <= caps[0]:
            out.extend((d, *rest) for rest in _perfect(n // d, slots - 1, caps[1:]))
    return out


def imperfect_candidates(n: int) -> tuple[int, ...]:
    """Inner factor values tried for an imperfect split: divisors of n and powers of two up to n."""
    powers = {1 << k for k in range(n.bit_length()) if (1 << k) <= n}
    return tuple(sorted({*divisors(n), *powers}))


@lru_cache(maxsize=4096)
def imperfect_factorizations(n: int, slots: int, caps: tuple[int, ...] | None = None) -> np.ndarray:
    """Ordered tuples whose outermost factor is ``ceil(n / product of the inner ones)``.

    Includes every perfect factorization; the padding (``product - n``) stays below the
    product of the inner factors.
    """
    caps = caps or (n,) * slots
    inner = _inner(n, slots - 1, caps[1:], imperfect_candidates(n))
    rows = []
    for tail in inner:
        outer = -(-n // math.prod(tail))
        if outer <= caps[0]:
            rows.append((outer, *tail))
    return np.array(rows, dtype=np.int64).reshape(len(rows), slots)


def _inner(limit: int, slots: int, caps: tuple[int, ...], values: tuple[int, ...]) -> list[tuple[int, ...]]:
    if slots == 0:
        return [()]
    out = []
    for v in values:
        if v <= caps[0] and v <= limit:
            out.extend((v, *rest) for rest in _inner(limit // v, slots - 1, caps[1:], values))
    return out
