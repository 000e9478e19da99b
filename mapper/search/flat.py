"""A structure's decoding tables flattened over all its Einsums, so a batch decodes in a few numpy calls.

:class:`~mapper.search.structure.StructurePlan` describes one structure Einsum by Einsum;
:class:`FlatPlan` concatenates everything into index arrays over ``q`` (one entry per
(Einsum, rank) pair, plus a last dummy entry whose factors are all 1): the factorization
tables of all ranks in one table, the spatial caps to check, the order genes grouped by
rank count, the keep genes. Decoding ``n`` genomes is then one gather for all factors
(``rows``: n x (q + 1) x slots) and a handful of gathers and scatters per batch, however
many Einsums the cascade has. Tests check the results against per-genome decoding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mapper.search.layout import MAX_ORDER_RANKS, permutations


@dataclass(frozen=True)
class OrderGroup:
    """Free order genes of Einsums with ``count`` ranks (at most MAX_ORDER_RANKS)."""

    count: int
    genes: np.ndarray  # (K,)
    einsums: np.ndarray  # (K,) index into plan.einsums
    levels: np.ndarray  # (K,) level index on the unit's path
    rank_q: np.ndarray  # (K, count) q of each rank, in rank order
    slot: np.ndarray  # (K,) temporal slot of the level


class FlatPlan:
    """Index arrays of one :class:`~mapper.search.structure.StructurePlan` (see the module docs)."""

    def __init__(self, plan, canonical_order_table):
        self.plan = plan
        self._table_of = canonical_order_table
        einsums = plan.einsums
        self.slots = max([len(ep.layout.slots) for ep in einsums] + [1])
        self.q_of = [[] for _ in einsums]
        genes, lengths, offsets, blocks = [], [], [], []
        start = 0
        for e, ep in enumerate(einsums):
            for rp in ep.ranks:
                self.q_of[e].append(len(genes))
                genes.append(rp.gene)
                lengths.append(len(rp.table))
                offsets.append(start)
                block = np.ones((len(rp.table), self.slots), dtype=np.int64)
                block[:, :rp.table.shape[1]] = rp.table
                blocks.append(block)
                start += len(rp.table)
        self.dummy = len(genes)
        self.table = np.concatenate([*blocks, np.ones((1, self.slots), dtype=np.int64)])
        self.q_gene = np.array([*genes, 0], dtype=np.int64)
        self.q_len = np.array([*lengths, 1], dtype=np.int64)
        self.q_off = np.array([*offsets, start], dtype=np.int64)
        self._spatial_checks(einsums)
        self._busy_arrays(einsums)
        self._order_arrays(einsums)
        free = [kp for ep in einsums for kp in ep.keeps if kp.forced is None]
        self.keep_genes = np.array([kp.gene for kp in free], dtype=np.int64)
        self.constants = [(plan_gene, value) for plan_gene, value in (*plan.splits, *plan.binds)]

    # ------------------------------------------------------------------ construction

    def _padded(self, groups: list[list[tuple[int, int]]]) -> tuple[np.ndarray, np.ndarray]:
        """(q, slot) pairs per group, padded with the dummy entry."""
        width = max([len(g) for g in groups] + [1])
        q = np.full((len(groups), width), self.dummy, dtype=np.int64)
        j = np.zeros((len(groups), width), dtype=np.int64)
        for i, group in enumerate(groups):
            for k, (qq, jj) in enumerate(group):
                q[i, k], j[i, k] = qq, jj
        return q, j

    def _spatial_checks(self, einsums) -> None:
        groups, caps = [], []
        for e, ep in enumerate(einsums):
            for j in ep.layout.spatial_slots:
                groups.append([(q, j) for q in self.q_of[e]])
                caps.append(ep.layout.slots[j].cap)
        self.check_q, self.check_j = self._padded(groups)
        self.check_cap = np.array(caps, dtype=np.int64)

    def _busy_arrays(self, einsums) -> None:
        groups = [[(q, j) for q in self.q_of[e] for j in ep.layout.spatial_slots] for e, ep in enumerate(einsums)]
        self.busy_q, self.busy_j = self._padded(groups)
        self.busy_points = np.array([float(ep.group_product) * math.prod(rp.remainder for rp in ep.ranks)
                                     for ep in einsums])
        self.busy_cycles_per_point = np.array([ep.cycles_per_point for ep in einsums])
        self.units = list(dict.fromkeys(ep.layout.unit for ep in einsums))
        self.unit_of = np.zeros((len(einsums), max(1, len(self.units))))
        for e, ep in enumerate(einsums):
            self.unit_of[e, self.units.index(ep.layout.unit)] = 1.0

    def _order_arrays(self, einsums) -> None:
        by_count: dict[int, list] = {}
        self.slow_orders = []
        for e, ep in enumerate(einsums):
            count = len(ep.ranks)
            for op in ep.orders:
                if op.fixed is not None:
                    continue
                if count > MAX_ORDER_RANKS:
                    self.slow_orders.append((e, op))
                    continue
                slot = next(j for j, s in enumerate(ep.layout.slots) if not s.spatial and s.level == op.level)
                by_count.setdefault(count, []).append((op.gene, e, op.level, self.q_of[e], slot))
        self.order_groups = [
            OrderGroup(count, np.array([x[0] for x in items], dtype=np.int64),
                       np.array([x[1] for x in items], dtype=np.int64),
                       np.array([x[2] for x in items], dtype=np.int64),
                       np.array([x[3] for x in items], dtype=np.int64).reshape(len(items), count),
                       np.array([x[4] for x in items], dtype=np.int64))
            for count, items in sorted(by_count.items())]

    # ------------------------------------------------------------------ decoding

    def rows(self, genomes: np.ndarray) -> np.ndarray:
        """Chosen factorization of every (Einsum, rank) entry: n x (q + 1) x slots."""
        return self.table[self.q_off + genomes[:, self.q_gene] % self.q_len]

    def order_indices(self, group: OrderGroup, genomes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Canonical permutation index of every order gene of ``group``: n x K."""
        active = rows[:, group.rank_q, group.slot[:, None]] > 1  # n x K x count
        mask = (active * (1 << np.arange(group.count))).sum(axis=2)
        table = self._table_of(group.count)
        return table[genomes[:, group.genes] % len(table), mask]

    def canonical(self, genomes: np.ndarray, fusion_gene: int, rows: np.ndarray) -> np.ndarray:
        out = np.zeros_like(genomes)
        out[:, fusion_gene] = self.plan.fusion
        for gene, value in self.constants:
            out[:, gene] = value
        real = self.q_gene[:-1]
        out[:, real] = genomes[:, real] % self.q_len[:-1]
        for group in self.order_groups:
            out[:, group.genes] = self.order_indices(group, genomes, rows)
        if len(self.keep_genes):
            out[:, self.keep_genes] = genomes[:, self.keep_genes] % 2
        return out

    def pruned(self, rows: np.ndarray) -> np.ndarray:
        if len(self.check_cap) == 0:
            return np.zeros(len(rows), dtype=bool)
        used = rows[:, self.check_q, self.check_j].prod(axis=2)
        return (used > self.check_cap).any(axis=1)

    def busy_cycles(self, rows: np.ndarray) -> np.ndarray:
        """n x units: a lower bound on each unit's compute cycles."""
        spatial = rows[:, self.busy_q, self.busy_j].prod(axis=2)
        return (self.busy_points / spatial * self.busy_cycles_per_point) @ self.unit_of

    def fill_index(self, prepared) -> FillIndex:
        return FillIndex.of(self, prepared)


@dataclass(frozen=True)
class FillIndex:
    """Where each decoded value goes in the engine's candidate arrays (for one prepared template)."""

    einsums: np.ndarray
    temporal_src: tuple[np.ndarray, np.ndarray]
    temporal_dst: tuple[np.ndarray, np.ndarray, np.ndarray]
    spatial_src: tuple[np.ndarray, np.ndarray]
    spatial_dst: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    order_dst: tuple[tuple[np.ndarray, np.ndarray], ...]  # per order group: (einsum, level) in prepared terms
    fixed_orders: tuple[tuple[int, int, np.ndarray], ...]
    slow_orders: tuple[tuple[int, int, int, object], ...]
    keep_dst: tuple[np.ndarray, np.ndarray, np.ndarray]
    forced_keep: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    @staticmethod
    def of(flat: FlatPlan, prepared) -> FillIndex:
        plan = flat.plan
        e_of = [prepared.index(ep.name) for ep in plan.einsums]
        lv_of = [[prepared.levels(ep.name).index(name) for name in ep.layout.path] for ep in plan.einsums]
        t_src, t_dst, s_src, s_dst, k_dst, f_keep, fixed = [], [], [], [], [], [], []
        for e, ep in enumerate(plan.einsums):
            ranks = prepared.ranks(ep.name)
            tensors = prepared.tensors(ep.name)
            for q, rp in zip(flat.q_of[e], ep.ranks, strict=True):
                r = ranks.index(rp.rank)
                for j, slot in enumerate(ep.layout.slots):
                    if slot.spatial:
                        s_src.append((q, j))
                        s_dst.append((e_of[e], lv_of[e][slot.level], 0 if slot.axis is None else slot.axis + 1, r))
                    else:
                        t_src.append((q, j))
                        t_dst.append((e_of[e], lv_of[e][slot.level], r))
            for kp in ep.keeps:
                target = (e_of[e], lv_of[e][kp.level], tensors.index(kp.tensor))
                if kp.forced is None:
                    k_dst.append(target)
                else:
                    f_keep.append((*target, not kp.forced))
            for op in ep.orders:
                if op.fixed is not None:
                    fixed.append((e_of[e], lv_of[e][op.level], np.asarray(op.fixed, dtype=np.int64)))
        orders = tuple((np.array([e_of[e] for e in g.einsums], dtype=np.int64),
                        np.array([lv_of[e][lv] for e, lv in zip(g.einsums, g.levels, strict=True)], dtype=np.int64))
                       for g in flat.order_groups)
        slow = tuple((e_of[e], lv_of[e][op.level], e, op) for e, op in flat.slow_orders)
        return FillIndex(np.array(e_of, dtype=np.int64), _columns(t_src, 2), _columns(t_dst, 3), _columns(s_src, 2),
                         _columns(s_dst, 4), orders, tuple(fixed), slow, _columns(k_dst, 3), _columns(f_keep, 4))

    def fill(self, flat: FlatPlan, candidates, genomes: np.ndarray, rows: np.ndarray) -> None:
        from mapper.search.structure import slow_orders

        candidates.temporal[:, self.einsums] = 1
        candidates.spatial[:, self.einsums] = 1
        candidates.keep[:, self.einsums] = True
        candidates.temporal[(slice(None), *self.temporal_dst)] = rows[(slice(None), *self.temporal_src)]
        candidates.spatial[(slice(None), *self.spatial_dst)] = rows[(slice(None), *self.spatial_src)]
        for group, (es, lvs) in zip(flat.order_groups, self.order_dst, strict=True):
            perms = permutations(group.count)[flat.order_indices(group, genomes, rows)]  # n x K x count
            candidates.order[:, es[:, None], lvs[:, None], np.arange(group.count)[None, :]] = perms
        for e, lv, perm in self.fixed_orders:
            candidates.order[:, e, lv, :len(perm)] = perm
        for e, lv, plan_e, op in self.slow_orders:
            order = slow_orders(flat, plan_e, op, rows)
            candidates.order[:, e, lv, :order.shape[1]] = order
        if len(flat.keep_genes):
            candidates.keep[(slice(None), *self.keep_dst)] = genomes[:, flat.keep_genes] % 2 == 0
        if len(self.forced_keep[0]):
            e, lv, t, value = self.forced_keep
            candidates.keep[:, e, lv, t] = value.astype(bool)


def _columns(items: list[tuple], width: int) -> tuple[np.ndarray, ...]:
    array = np.array(items, dtype=np.int64).reshape(len(items), width)
    return tuple(array[:, k] for k in range(width))
