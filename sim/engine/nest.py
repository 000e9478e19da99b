"""The loop nest of one mapped Einsum, flattened into levels and tile extents.

A nest is the list of an Einsum's levels (outermost storage level first, the compute
unit's registers last) with the fusion-group loops prepended at the outermost level.
Loops at level ``i`` iterate over data resident in level ``i``; spatial loops at level
``i`` fan its tile out to the instances below it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sim.engine.mapping import LevelMapping, Loop
from workloads import Einsum, TensorAccess


@dataclass(frozen=True)
class Nest:
    """An Einsum's loops by level; the last level is the unit's registers (``is_unit``)."""

    einsum: Einsum
    unit: str
    levels: tuple[LevelMapping, ...]
    unit_level: int
    pass_overhead_cycles: float = 0.0

    @property
    def spatial_product(self) -> int:
        return math.prod(loop.factor for level in self.levels for loop in level.spatial)

    @property
    def temporal_iterations(self) -> int:
        """Iterations of all temporal loops that reach at least one point (every one for perfect
        factorizations; with ceil factors, iterations that would only see padding are skipped)."""
        return self._valid(self.unit_level + 1)

    @property
    def passes(self) -> int:
        """Iterations of the temporal loops above the unit's registers that reach at least one point."""
        return self._valid(self.unit_level)

    def _valid(self, below: int) -> int:
        return math.prod(valid_iterations(size, self.rank_loops(rank, below))
                         for rank, size in self.einsum.rank_sizes.items())

    def rank_loops(self, rank: str, counted_below: int) -> tuple[tuple[int, bool], ...]:
        """(factor, counted) of the rank's loops, outermost first (a level's spatial loops inside its
        temporal ones); temporal loops of levels < ``counted_below`` are counted."""
        out: list[tuple[int, bool]] = []
        for i, level in enumerate(self.levels):
            out += [(lp.factor, i < counted_below) for lp in level.temporal if lp.rank == rank]
            out += [(lp.factor, False) for lp in level.spatial if lp.rank == rank]
        return tuple(out)

    def real_extents_below(self, index: int) -> dict[str, float]:
        """Average extent of each rank's tile at level ``index`` over all its positions: with ceil
        factors (product P above the rank's size N) partial tiles count by their real extent,
        i.e. the full extent x N / P; equal to :meth:`extents_below` for perfect factorizations."""
        ext = self.extents_below(index)
        full = self.extents_below(0)
        sizes = self.einsum.rank_sizes
        return {r: e if full[r] == sizes[r] else e * (sizes[r] / full[r]) for r, e in ext.items()}

    def extents_below(self, index: int) -> dict[str, int]:
        """Rank -> iterations of the loops at level ``index`` and inside it."""
        out = {r: 1 for r in self.einsum.ranks}
        for level in self.levels[index:]:
            for loop in level.loops:
                out[loop.rank] *= loop.factor
        return out

    def temporal_above(self, index: int) -> tuple[Loop, ...]:
        return tuple(loop for level in self.levels[:index] for loop in level.temporal)

    def spatial_between(self, outer: int, inner: int) -> tuple[Loop, ...]:
        """Spatial loops of levels ``outer`` .. ``inner - 1`` (fan-out from outer to inner)."""
        return tuple(loop for level in self.levels[outer:inner] for loop in level.spatial)

    def instances(self, index: int) -> int:
        return math.prod(loop.factor for loop in self.spatial_between(0, index))


def valid_iterations(points: int, loops: tuple[tuple[int, bool], ...]) -> int:
    """Iterations of the counted loops that reach one of the first ``points`` indices of a rank
    whose index range the loops (outermost first) split; uncounted loops take index 0."""
    total = 0
    n = points
    for i, (factor, counted) in enumerate(loops):
        inner = loops[i + 1:]
        stride = math.prod(f for f, _ in inner)
        if not counted:
            n = min(n, stride)
            continue
        full = min(n // stride, factor)
        total += full * math.prod(f for f, c in inner if c)
        n -= full * stride
        if full == factor or n <= 0:
            return total
    return total + (1 if n > 0 else 0)


def index_extent(coeffs: Mapping[str, int], extents: Mapping[str, int]) -> int:
    """Distinct values of ``sum(c * rank)`` when each rank spans ``extents[rank]`` values."""
    return 1 + sum(abs(c) * (extents.get(r, 1) - 1) for r, c in coeffs.items())


def footprint(access: TensorAccess, extents: Mapping[str, int]) -> int:
    """Elements of the tensor an access touches when each rank spans ``extents``."""
    return math.prod(index_extent(index.coeffs, extents) for index in access.indices)


def relevant(access: TensorAccess, rank: str) -> bool:
    return any(index.coeffs.get(rank, 0) for index in access.indices)


def accesses(einsum: Einsum) -> dict[str, TensorAccess]:
    """Tensor -> its (first) access in the Einsum, output included."""
    out = {einsum.output.tensor: einsum.output}
    for access in einsum.inputs:
        out.setdefault(access.tensor, access)
    return out


def input_accesses(einsum: Einsum) -> dict[str, tuple[TensorAccess, ...]]:
    """Input tensor -> all its accesses (an iterative tensor may be read at m1 and m1+1)."""
    out: dict[str, tuple[TensorAccess, ...]] = {}
    for access in einsum.inputs:
        out[access.tensor] = (*out.get(access.tensor, ()), access)
    return out


def union_footprint(access_list: tuple[TensorAccess, ...], extents: Mapping[str, int]) -> int:
    """Footprint of several accesses to one tensor: per dimension, the span of their windows."""
    if len(access_list) == 1:
        return footprint(access_list[0], extents)
    dims = len(access_list[0].indices)
    total = 1
    for d in range(dims):
        lows, highs = [], []
        for access in access_list:
            index = access.indices[d]
            width = index_extent(index.coeffs, extents)
            lows.append(index.offset)
            highs.append(index.offset + width - 1)
        same_shape = len({tuple(sorted(a.indices[d].coeffs.items())) for a in access_list}) == 1
        spans = [h - lo + 1 for lo, h in zip(lows, highs, strict=True)]
        total *= (max(highs) - min(lows) + 1) if same_shape else sum(spans)
    return total
