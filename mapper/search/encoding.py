"""Genomes of given mappings (e.g. the engine's default mapping, which seeds every search)."""

from __future__ import annotations

import math

import numpy as np

from mapper.search.factors import divisors
from mapper.search.layout import UnitLayout, permutation_index, spatial_ranks
from sim.engine.mapping import EinsumMapping, FusionGroup, Mapping


def encode(space, mapping: Mapping) -> np.ndarray | None:
    """The genome of ``mapping`` in ``space`` (a CascadeSpace), or None if the space lacks it."""
    genome = np.zeros(len(space.sizes), dtype=np.int64)
    groups = tuple(c for c in mapping.root.children if isinstance(c, FusionGroup))
    fused = [i for i, option in enumerate(space.fusion_options) if bool(option) == bool(groups)]
    if not fused:
        return None
    genome[space.fusion_gene] = fused[0]
    loops = {lp.rank: lp.factor for g in groups for lp in g.loops}
    for rank, gene in zip(space.split_ranks, space.split_genes, strict=True):
        choices = divisors(space.workload.ranks[rank])
        if loops.get(rank, 1) not in choices:
            return None
        genome[gene] = choices.index(loops.get(rank, 1))
    for eg in space.einsums:
        if not _encode_einsum(space, eg, mapping.einsums.get(eg.einsum.name), genome,
                              mapping.group_loops(eg.einsum.name) if eg.einsum.name in mapping.einsums else ()):
            return None
    return genome if space.decode(genome).mapping is not None else None


def _encode_einsum(space, eg, em: EinsumMapping | None, genome: np.ndarray, group_loops) -> bool:
    if em is None or em.unit not in eg.units:
        return False
    choice = eg.units.index(em.unit)
    genome[eg.bind] = choice
    layout = eg.layouts[choice]
    by_level = {lv.level: lv for lv in em.levels}
    if any(lv.spatial for lv in em.levels if lv.level not in layout.path):
        return False
    ranks = eg.einsum.ranks
    sizes = space.sizes
    for rank, gene in zip(ranks, eg.factors, strict=True):
        row = _row_of(layout, by_level, rank)
        used = math.prod(lp.factor for lp in group_loops if lp.rank == rank)
        rows = space.rows(layout, eg.einsum, rank, max(1, eg.einsum.rank_sizes[rank] // used),
                          set(spatial_ranks(space.workload, eg.einsum, layout)), used > 1)
        if row not in rows:
            return False
        genome[gene] = rows.index(row)
    for index, gene in enumerate(eg.orders[: len(layout.path)]):
        level = by_level.get(layout.path[index])
        seen = list(dict.fromkeys(lp.rank for lp in (level.temporal if level else ())))
        perm = tuple([ranks.index(r) for r in seen] + [i for i, r in enumerate(ranks) if r not in seen])
        genome[gene] = permutation_index(len(ranks)).get(perm, 0) if sizes[gene] > 1 else 0
    for gene, index, tensor in eg.keeps:
        level = by_level.get(layout.path[index]) if index < len(layout.path) else None
        genome[gene] = 1 if level is not None and not level.keeps(tensor) and sizes[gene] > 1 else 0
    return True


def _row_of(layout: UnitLayout, by_level: dict, rank: str) -> tuple[int, ...]:
    """The rank's factor in every slot of the layout, read off the mapping's loops."""
    row = []
    for slot in layout.slots:
        level = by_level.get(layout.path[slot.level])
        loops = () if level is None else (level.spatial if slot.spatial else level.temporal)
        row.append(math.prod(lp.factor for lp in loops
                             if lp.rank == rank and (not slot.spatial or lp.axis == slot.axis)))
    return tuple(row)
