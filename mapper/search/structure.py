"""Genomes that share a structure, decoded together with numpy.

A genome's **structure** is what the engine's batched path prepares once
(:func:`sim.engine.batch.prepare`): the fusion option, the split factor of every
group-shared rank and the unit each Einsum is bound to. Within one structure every
other gene only picks a row of a fixed table (a factorization of a rank over the
unit's slots, a loop order, keep or bypass), so a batch of genomes decodes with a few
array lookups per rank and level instead of building :class:`~sim.engine.mapping.Mapping`
objects one by one.

:class:`StructurePlan` holds those tables for one structure and gives, for rows of
genomes: the canonical genomes (equal to what :meth:`CascadeSpace.decode` gives, a
test checks), which rows are pruned (spatial factors over a slot's cap), the engine's
candidate arrays, and a lower bound on each Einsum's compute iterations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from mapper.search.factors import divisors
from mapper.search.flat import FlatPlan
from mapper.search.layout import UnitLayout, permutations, spatial_ranks
from sim.engine.mapping import mapped_einsums, root_group


@dataclass(frozen=True)
class RankPlan:
    rank: str
    gene: int
    remainder: int
    table: np.ndarray  # rows x slots


@dataclass(frozen=True)
class OrderPlan:
    gene: int
    level: int
    fixed: tuple[int, ...] | None  # rank indices, outermost first, when a constraint fixes the order


@dataclass(frozen=True)
class KeepPlan:
    gene: int
    level: int
    tensor: str
    forced: bool | None  # True: a constraint forces a bypass, False: forces keeping, None: the gene chooses


@dataclass(frozen=True)
class EinsumPlan:
    name: str
    layout: UnitLayout
    ranks: tuple[RankPlan, ...]
    orders: tuple[OrderPlan, ...]
    keeps: tuple[KeepPlan, ...]
    group_product: int
    cycles_per_point: float
    ops_pj: float


@dataclass(frozen=True)
class StructurePlan:
    """Decoding tables of one structure (see the module docs)."""

    key: tuple[int, ...]
    fusion: int
    splits: tuple[tuple[int, int], ...]  # (gene, canonical value)
    binds: tuple[tuple[int, int], ...]  # (gene, canonical value)
    einsums: tuple[EinsumPlan, ...]
    reason: str | None  # set when no genome of this structure decodes to a mapping

    @cached_property
    def flat(self) -> FlatPlan:
        return FlatPlan(self, canonical_order_table)

    def rows(self, genomes: np.ndarray) -> np.ndarray:
        """The chosen factorization of every (Einsum, rank) entry (see :class:`FlatPlan`)."""
        return self.flat.rows(genomes)

    def canonical(self, genomes: np.ndarray, fusion_gene: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Canonical genomes of ``genomes`` (rows of this structure; ``rows``: their :meth:`rows`).

        Genes without effect (order and keep genes below the unit's path, splits when unfused) are 0.
        """
        return self.flat.canonical(genomes, fusion_gene, self.rows(genomes) if rows is None else rows)

    def pruned(self, genomes: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Rows whose spatial factors exceed a slot's cap (or all rows, when the structure has no mapping)."""
        if self.reason is not None:
            return np.ones(len(genomes), dtype=bool)
        return self.flat.pruned(self.rows(genomes) if rows is None else rows)

    def busy_cycles(self, genomes: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Per genome and unit: a lower bound on the unit's compute cycles (points per PE x cycles per point)."""
        return self.flat.busy_cycles(self.rows(genomes) if rows is None else rows)


def slow_orders(flat: FlatPlan, e: int, op: OrderPlan, rows: np.ndarray) -> np.ndarray:
    """Canonical loop orders of Einsums with more than MAX_ORDER_RANKS ranks (one order gene choice):
    the loops of factor > 1 in rank order, then the others."""
    ep = flat.plan.einsums[e]
    slot = next(j for j, s in enumerate(ep.layout.slots) if not s.spatial and s.level == op.level)
    idle = rows[:, flat.q_of[e], slot] <= 1
    return np.argsort(idle, axis=1, kind="stable")


@lru_cache(maxsize=16)
def canonical_order_table(count: int) -> np.ndarray:
    """``table[p, mask]``: index of the canonical form of permutation ``p`` when the ranks in the bit
    ``mask`` have loops of factor > 1 (those loops in ``p``'s order, then the others in rank order)."""
    perms = permutations(count)
    masks = (np.arange(2**count)[:, None] >> np.arange(count)) & 1 == 1
    active = np.transpose(masks[:, perms], (1, 0, 2))  # [p, mask, position]
    key = np.where(active, np.arange(count), count + perms[:, None, :])
    canonical = np.take_along_axis(np.broadcast_to(perms[:, None, :], key.shape), np.argsort(key, axis=2), axis=2)
    return _lexicographic_rank(canonical.reshape(-1, count)).reshape(len(perms), 2**count)


def _lexicographic_rank(orders: np.ndarray) -> np.ndarray:
    """Index of each permutation in :func:`permutations` (lexicographic order)."""
    count = orders.shape[1]
    out = np.zeros(len(orders), dtype=np.int64)
    for i in range(count):
        smaller_after = (orders[:, i + 1:] < orders[:, i:i + 1]).sum(axis=1)
        out += smaller_after * math.factorial(count - 1 - i)
    return out


def structure_keys(space, genomes: np.ndarray) -> np.ndarray:
    """Per genome (rows): fusion option, split choice of every group-shared rank (0 when unfused) and the
    unit choice of every Einsum, each reduced to its range."""
    fusion = genomes[:, space.fusion_gene] % len(space.fusion_options)
    fused = np.array([bool(option) for option in space.fusion_options])[fusion]
    columns = [fusion]
    for rank, gene in zip(space.split_ranks, space.split_genes, strict=True):
        columns.append(np.where(fused, genomes[:, gene] % len(divisors(space.workload.ranks[rank])), 0))
    columns += [genomes[:, eg.bind] % len(eg.units) for eg in space.einsums]
    return np.stack(columns, axis=1).astype(np.int64)


def structure_strides(space) -> np.ndarray | None:
    """Weights that turn a row of :func:`structure_keys` into one int64 code (None if they would overflow)."""
    ranges = [len(space.fusion_options), *(len(divisors(space.workload.ranks[r])) for r in space.split_ranks),
              *(len(eg.units) for eg in space.einsums)]
    if math.prod(ranges) >= 2**62:
        return None
    strides = np.ones(len(ranges), dtype=np.int64)
    for i in range(len(ranges) - 2, -1, -1):
        strides[i] = strides[i + 1] * ranges[i + 1]
    return strides


def build_plan(space, key: tuple[int, ...]) -> StructurePlan:
    """The decoding tables of the structure ``key`` (a row of :func:`structure_keys`)."""
    from mapper.search.bounds import unit_costs
    from mapper.search.mapspace import group_loops_of

    splits_count = len(space.split_ranks)
    genome = [0] * len(space.sizes)
    genome[space.fusion_gene] = key[0]
    for gene, value in zip(space.split_genes, key[1:1 + splits_count], strict=True):
        genome[gene] = value
    canon = [0] * len(genome)
    groups = space.fusion_groups(key[0], genome, canon)
    root = root_group(groups, {e.name: e for e in mapped_einsums(space.workload)}, space.workload)
    einsums, reason = [], None
    for eg, choice in zip(space.einsums, key[1 + splits_count:], strict=True):
        plan, why = _einsum_plan(space, eg, eg.layouts[choice], group_loops_of(root, eg.einsum.name), unit_costs)
        einsums.append(plan)
        reason = reason or why
    splits = tuple((gene, canon[gene]) for gene in space.split_genes)
    binds = tuple((eg.bind, int(choice)) for eg, choice in zip(space.einsums, key[1 + splits_count:], strict=True))
    return StructurePlan(tuple(key), int(key[0]), splits, binds, tuple(einsums), reason)


def _einsum_plan(space, eg, layout: UnitLayout, group_loops, unit_costs) -> tuple[EinsumPlan, str | None]:
    einsum = eg.einsum
    used: dict[str, int] = {}
    for loop in group_loops:
        used[loop.rank] = used.get(loop.rank, 1) * loop.factor
    ok = set(spatial_ranks(space.workload, einsum, layout))
    ranks, reason = [], None
    for rank, gene in zip(einsum.ranks, eg.factors, strict=True):
        remainder = max(1, einsum.rank_sizes[rank] // used.get(rank, 1))
        table = np.asarray(space.table(layout, einsum, rank, remainder, ok, used.get(rank, 1) > 1), dtype=np.int64)
        if len(table) == 0:
            reason = reason or f"no factorization of rank {rank!r} meets the constraints"
            table = np.ones((1, len(layout.slots)), dtype=np.int64)
        ranks.append(RankPlan(rank, gene, remainder, table))
    depth = len(layout.path)
    orders = []
    for level, gene in enumerate(eg.orders[:depth]):
        fixed = space.constraint_at(layout, level, "order")
        if fixed is not None:
            fixed = tuple([einsum.ranks.index(r) for r in fixed if r in einsum.ranks]
                          + [i for i, r in enumerate(einsum.ranks) if r not in fixed])
        orders.append(OrderPlan(gene, level, fixed))
    keeps = tuple(KeepPlan(gene, level, tensor, space.keep_forced(layout, level, tensor))
                  for gene, level, tensor in eg.keeps if level < depth)
    per_point, ops_pj = unit_costs(space, einsum.name, layout.unit)
    group_product = math.prod(loop.factor for loop in group_loops)
    return EinsumPlan(einsum.name, layout, tuple(ranks), tuple(orders), keeps, group_product, per_point,
                      ops_pj), reason
