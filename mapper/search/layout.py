"""Where the loops of one Einsum can go on one compute unit: temporal and spatial slots.

Temporal slots: one per storage level on the unit's path (outermost first). Spatial
slots: at each level that fans out to more instances below it, one per mesh axis of
the unit at the level that feeds the mesh, plus one for any remaining fan-out (the
rule of :func:`sim.engine.default.fanouts`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from arch import Architecture
from mapper.search.constraints import Constraints
from mapper.search.factors import imperfect_factorizations, perfect_factorizations
from sim.engine.default import fanouts
from sim.engine.mapping import unit_levels
from workloads import Einsum, Workload

MAX_ORDER_RANKS = 7


@dataclass(frozen=True)
class Slot:
    level: int
    spatial: bool
    axis: int | None
    cap: int


@dataclass(frozen=True)
class UnitLayout:
    """Slots of one Einsum on one unit, and which ranks may use each slot."""

    unit: str
    path: tuple[str, ...]
    slots: tuple[Slot, ...]
    spatial_reduction: bool = False

    @property
    def spatial_slots(self) -> tuple[int, ...]:
        return tuple(i for i, s in enumerate(self.slots) if s.spatial)


def unit_layout(arch: Architecture, unit_name: str) -> UnitLayout:
    unit = arch.unit(unit_name)
    path = unit_levels(arch, unit_name)
    fans = fanouts(arch, unit, path)
    mesh_level = max((i for i, f in enumerate(fans) if f > 1), default=None)
    slots = [Slot(i, False, None, 0) for i in range(len(path))]
    for i, fan in enumerate(fans):
        if fan <= 1:
            continue
        if i == mesh_level and fan >= unit.pes_per_instance:
            slots += [Slot(i, True, axis, size) for axis, size in enumerate(unit.mesh) if size > 1]
            fan //= unit.pes_per_instance
        if fan > 1:
            slots.append(Slot(i, True, None, fan))
    return UnitLayout(unit_name, path, tuple(slots), unit.spatial_reduction)


def spatial_ranks(workload: Workload, einsum: Einsum, layout: UnitLayout) -> tuple[str, ...]:
    """Ranks that may be split across PEs: ranks that carry no recurrence, reduced ranks only where
    the unit reduces across PEs (``spatial_reduction``), else output ranks only."""
    ranks = einsum.ranks if layout.spatial_reduction else einsum.output.ranks
    return tuple(r for r in ranks if r not in workload.iterative_ranks and r in einsum.rank_sizes)


def factor_table(layout: UnitLayout, rank: str, remainder: int, spatial_ok: bool, iterative: bool,
                 constraints: Constraints | None, grouped: bool = False) -> np.ndarray:
    """Rows of slot factors for ``rank`` (product ``remainder``, or >= it if imperfect).

    Imperfect rows only for ranks without fusion-group loops: the engine takes the ceiling at the
    rank's outermost loop, which for a grouped rank is the group's (a divisor).
    """
    caps = []
    for slot in layout.slots:
        if slot.spatial:
            caps.append(slot.cap if spatial_ok else 1)
        elif iterative and slot.level > 0:
            caps.append(1)
        else:
            caps.append(remainder)
    imperfect = constraints is not None and constraints.imperfect and not iterative and not grouped
    table = _table(remainder, tuple(caps), imperfect)
    return _apply_fixed(table, layout, rank, constraints)


@lru_cache(maxsize=4096)
def _table(n: int, caps: tuple[int, ...], imperfect: bool) -> np.ndarray:
    # The outermost temporal slot (slot 0) takes the ceil in imperfect splits.
    return imperfect_factorizations(n, len(caps), caps) if imperfect else perfect_factorizations(n, len(caps), caps)


def _apply_fixed(table: np.ndarray, layout: UnitLayout, rank: str, constraints: Constraints | None) -> np.ndarray:
    if constraints is None:
        return table
    keep = np.ones(len(table), dtype=bool)
    for name, level in constraints.levels.items():
        for i, slot in enumerate(layout.slots):
            if layout.path[slot.level] != name and not (slot.spatial and name == layout.unit):
                continue
            fixed = level.spatial if slot.spatial else level.factors
            if rank in fixed:
                keep &= table[:, i] == fixed[rank] if not slot.spatial else table[:, i] <= fixed[rank]
            if slot.spatial and rank in level.spatial_axes and slot.axis != level.spatial_axes[rank]:
                keep &= table[:, i] == 1
    if not any(layout.slots[i].spatial for i in range(len(layout.slots))):
        return table[keep]
    return _fix_spatial_products(table[keep], layout, rank, constraints)


def _fix_spatial_products(table: np.ndarray, layout: UnitLayout, rank: str, constraints: Constraints) -> np.ndarray:
    """A fixed spatial factor of a rank is its product over the spatial slots of that level."""
    keep = np.ones(len(table), dtype=bool)
    for name, level in constraints.levels.items():
        if rank not in level.spatial:
            continue
        cols = [i for i, s in enumerate(layout.slots)
                if s.spatial and (layout.path[s.level] == name or name == layout.unit)]
        if cols:
            keep &= np.prod(table[:, cols], axis=1) == level.spatial[rank]
    return table[keep]


@lru_cache(maxsize=64)
def permutations(n: int) -> np.ndarray:
    if n > MAX_ORDER_RANKS:
        return np.arange(n, dtype=np.int64).reshape(1, n)
    return np.array(list(itertools.permutations(range(n))), dtype=np.int64).reshape(math.factorial(n), n)


@lru_cache(maxsize=64)
def permutation_list(n: int) -> list[tuple[int, ...]]:
    return [tuple(p) for p in permutations(n).tolist()]


@lru_cache(maxsize=64)
def permutation_index(n: int) -> dict[tuple[int, ...], int]:
    return {tuple(p): i for i, p in enumerate(permutations(n).tolist())}
