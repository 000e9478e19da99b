"""The map space of an Einsum cascade on a spatial architecture, as a genome.

Genes, in order:

- fusion: which fusion structure (the engine's default groups, or none), when searched;
- group splits: the tile factor of each non-batch, non-iterative rank shared by a group;
- per mapped Einsum: its compute unit (binding); per rank, which factorization of the
  rank over the unit's slots (temporal per level, spatial per mesh axis); per level, the
  loop order; per inner level and tensor, keep or bypass.

A gene's value is taken modulo the number of choices it has under the other genes (a
factorization list depends on the unit and on what the fusion group leaves), so every
genome decodes to a mapping; ``canonical`` rewrites genomes so equivalent ones are equal
(values reduced, orders of loops with factor 1 and genes that have no effect zeroed).

Two decodings agree (a test checks): :meth:`CascadeSpace.decode` builds one
:class:`~sim.engine.mapping.Mapping` per genome (for results, YAML and the per-mapping
evaluator); the search's hot path (``screen``, ``prune``, ``canonical``, ``lower_bounds``,
``evaluate`` with ``batched=True``) decodes whole batches with numpy per structure
(:mod:`mapper.search.structure`, :mod:`mapper.search.flat`) into the engine's batched kernel.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from arch import Architecture
from mapper.search.batch import BatchEvaluator
from mapper.search.constraints import Constraints
from mapper.search.factors import divisors
from mapper.search.layout import (
    UnitLayout,
    factor_table,
    permutation_index,
    permutation_list,
    permutations,
    spatial_ranks,
    unit_layout,
)
from mapper.search.space import Costs
from mapper.search.structure import StructurePlan, build_plan, structure_keys, structure_strides
from sim.engine.default import choose_unit, default_fusion
from sim.engine.mapping import EinsumMapping, FusionGroup, LevelMapping, Loop, Mapping, mapped_einsums, root_group
from sim.errors import SimulationError
from workloads import Einsum, Workload

CACHE_SIZE = 200_000


@dataclass(frozen=True)
class EinsumGenes:
    """Gene positions and choices of one Einsum."""

    einsum: Einsum
    units: tuple[str, ...]
    layouts: tuple[UnitLayout, ...]
    bind: int
    factors: tuple[int, ...]
    orders: tuple[int, ...]
    keeps: tuple[tuple[int, int, str], ...]
    tensors: tuple[str, ...]

    @property
    def genes(self) -> tuple[int, ...]:
        return (self.bind, *self.factors, *self.orders, *(g for g, _, _ in self.keeps))


@dataclass(frozen=True)
class Decoded:
    canonical: np.ndarray
    mapping: Mapping | None
    reason: str | None = None


class CascadeSpace:
    """Map space of ``workload`` on ``arch`` (see the module docs).

    ``evaluate`` goes through the engine's batched kernel when ``batched`` (``evaluator``, a
    per-mapping callable, is then the fallback for structures the kernel cannot take), else
    through ``evaluator`` one Mapping at a time.
    """

    def __init__(self, arch: Architecture, workload: Workload, constraints: Constraints | None = None,
                 evaluator=None, batched: bool = False):
        self.arch = arch
        self.workload = workload
        self.constraints = constraints or Constraints()
        self._evaluator = evaluator
        self._sizes: list[int] = []
        self._tables: dict[tuple, np.ndarray] = {}
        self._einsum_cache: dict[tuple, tuple] = {}
        self.unit_cost_cache: dict[tuple[str, str], tuple[float, float]] = {}
        self.fusion_options = self._fusion_options()
        self.fusion_gene = self._gene(len(self.fusion_options))
        self.split_ranks = self._group_split_ranks()
        self.split_genes = tuple(self._gene(len(divisors(workload.ranks[r]))) for r in self.split_ranks)
        self.einsums = tuple(self._einsum_genes(e) for e in mapped_einsums(workload))
        self._cache: OrderedDict[bytes, Decoded] = OrderedDict()
        self._plans: dict[tuple[int, ...], StructurePlan] = {}
        self._structure_strides = structure_strides(self)
        self._screened: tuple[bytes, np.ndarray, np.ndarray] | None = None
        self._batch = BatchEvaluator(self, evaluator) if batched and evaluator is not None else None

    # ------------------------------------------------------------------ structure

    def _gene(self, size: int) -> int:
        self._sizes.append(max(1, int(size)))
        return len(self._sizes) - 1

    @property
    def sizes(self) -> np.ndarray:
        return np.asarray(self._sizes, dtype=np.int64)

    def _fusion_options(self) -> tuple[tuple[FusionGroup, ...], ...]:
        groups = default_fusion(self.arch, self.workload)
        mode = self.constraints.fusion
        if not groups or mode == "unfused":
            return ((),)
        return (groups,) if mode == "fused" else (groups, ())

    def _group_split_ranks(self) -> tuple[str, ...]:
        groups = self.fusion_options[0]
        if not groups:
            return ()
        skip = {*self.workload.batch_ranks, *self.workload.iterative_ranks}
        out: list[str] = []
        for group in groups:
            members = [self.workload.einsum(n) for n in group.einsums()]
            common = [r for r in members[0].ranks if all(r in e.ranks for e in members)]
            out += [r for r in common if r not in skip and r not in out]
        return tuple(out)

    def _einsum_genes(self, einsum: Einsum) -> EinsumGenes:
        units = self._units(einsum)
        layouts = tuple(unit_layout(self.arch, u) for u in units)
        bind = self._gene(len(units))
        factors = tuple(self._gene(max(len(self.table(lay, einsum, r, einsum.rank_sizes[r],
                                                      set(spatial_ranks(self.workload, einsum, lay))))
                                       for lay in layouts))
                        for r in einsum.ranks)
        depth = max(len(lay.path) for lay in layouts)
        orders = tuple(self._gene(self._order_choices(einsum, layouts, level)) for level in range(depth))
        tensors = tuple(dict.fromkeys([a.tensor for a in einsum.inputs] + [einsum.output.tensor]))
        keeps = tuple((self._gene(self._keep_choices(layouts, level, t)), level, t)
                      for level in range(1, depth) for t in tensors)
        return EinsumGenes(einsum, units, layouts, bind, factors, orders, keeps, tensors)

    def _units(self, einsum: Einsum) -> tuple[str, ...]:
        bound = self.constraints.bind.get(einsum.name)
        if bound is not None:
            self.arch.unit(bound)
            return (bound,)
        able = tuple(u.name for u in self.arch.compute if all(u.supports(k) for k in einsum.ops_per_point))
        if not able:
            return (choose_unit(self.arch, einsum).name,)
        return able

    def table(self, layout: UnitLayout, einsum: Einsum, rank: str, remainder: int, ok: set[str],
              grouped: bool = False) -> np.ndarray:
        """Factorizations of ``remainder`` (what the rank's group loops leave) over the layout's slots."""
        key = (layout, rank, remainder, rank in ok, grouped)
        table = self._tables.get(key)
        if table is None:
            table = factor_table(layout, rank, remainder, rank in ok, rank in self.workload.iterative_ranks,
                                 self.constraints, grouped)
            self._tables[key] = table
        return table

    def _order_choices(self, einsum: Einsum, layouts: tuple[UnitLayout, ...], level: int) -> int:
        fixed = all(self.constraint_at(lay, level, "order") is not None for lay in layouts if level < len(lay.path))
        return 1 if fixed else len(permutations(len(einsum.ranks)))

    def _keep_choices(self, layouts: tuple[UnitLayout, ...], level: int, tensor: str) -> int:
        forced = all(self.keep_forced(lay, level, tensor) is not None for lay in layouts if level < len(lay.path))
        return 1 if forced else 2

    def constraint_at(self, layout: UnitLayout, index: int, field: str):
        """The constraint ``field`` of level ``index`` of the unit's path (by the level's name), or None."""
        entry = self.constraints.levels.get(layout.path[index])
        return None if entry is None else getattr(entry, field)

    def keep_forced(self, layout: UnitLayout, index: int, tensor: str) -> bool | None:
        """True: a constraint makes ``tensor`` bypass level ``index``; False: keeps it there; None: searched."""
        keep = self.constraint_at(layout, index, "keep")
        if keep is not None:
            return tensor not in keep
        bypass = self.constraint_at(layout, index, "bypass")
        return True if bypass is not None and tensor in bypass else None

    # ------------------------------------------------------------------ encoding and bounds

    def encode(self, mapping: Mapping) -> np.ndarray | None:
        """The genome of ``mapping`` (e.g. the engine's default), or None if the space lacks it."""
        from mapper.search.encoding import encode

        return encode(self, mapping)

    def lower_bounds(self, genomes: np.ndarray) -> Costs:
        """Costs no mapping of these genomes can beat (see :mod:`mapper.search.bounds`)."""
        from mapper.search.bounds import lower_bounds

        return lower_bounds(self, genomes)

    # ------------------------------------------------------------------ decoding

    def decode(self, genome: np.ndarray) -> Decoded:
        key = np.ascontiguousarray(genome, dtype=np.int64).tobytes()
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        out = self._decode(np.array(genome, dtype=np.int64))
        self._cache[key] = out
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return out

    def _decode(self, genome_array: np.ndarray) -> Decoded:
        genome = genome_array.tolist()
        canon = [0] * len(genome)
        fusion = genome[self.fusion_gene] % len(self.fusion_options)
        canon[self.fusion_gene] = fusion
        groups = self.fusion_groups(fusion, genome, canon)
        mapped = {e.name: e for e in mapped_einsums(self.workload)}
        root = root_group(groups, mapped, self.workload)
        einsums, reason = {}, None
        for eg in self.einsums:
            em, why = self._decode_einsum(eg, genome, canon, group_loops_of(root, eg.einsum.name))
            einsums[eg.einsum.name] = em
            reason = reason or why
        canonical = np.asarray(canon, dtype=np.int64)
        if reason is not None:
            return Decoded(canonical, None, reason)
        mapping = Mapping(einsums=MappingProxyType(einsums), root=root, double_buffering=True,
                          source="<mapper>")
        return Decoded(canonical, mapping)

    def fusion_groups(self, fusion: int, genome: list[int], canon: list[int]) -> tuple[FusionGroup, ...]:
        groups = self.fusion_options[fusion]
        if not groups:
            return ()
        split = {}
        for rank, gene in zip(self.split_ranks, self.split_genes, strict=True):
            choices = divisors(self.workload.ranks[rank])
            canon[gene] = genome[gene] % len(choices)
            split[rank] = choices[canon[gene]]
        return tuple(self._with_splits(g, split) for g in groups)

    def _with_splits(self, group: FusionGroup, split: dict[str, int]) -> FusionGroup:
        """The group's loops: batch ranks, then the split ranks (factor > 1), then iterative ranks."""
        batch = [lp for lp in group.loops if lp.rank in self.workload.batch_ranks]
        iterative = [lp for lp in group.loops if lp.rank in self.workload.iterative_ranks]
        middle = [Loop(r, f) for r, f in split.items() if f > 1]
        return FusionGroup(group.name, (*batch, *middle, *iterative), group.children, group.overlap,
                           group.keep_level)

    def _decode_einsum(self, eg: EinsumGenes, genome: list[int], canon: list[int],
                       group_loops: tuple[Loop, ...]) -> tuple[EinsumMapping, str | None]:
        key = (eg.bind, tuple(genome[g] for g in eg.genes), group_loops)
        hit = self._einsum_cache.get(key)
        if hit is None:
            local = {g: genome[g] for g in eg.genes}
            em, reason = self._build_einsum(eg, local, group_loops)
            hit = (em, reason, tuple(local[g] for g in eg.genes))
            if len(self._einsum_cache) > CACHE_SIZE:
                self._einsum_cache.clear()
            self._einsum_cache[key] = hit
        for gene, value in zip(eg.genes, hit[2], strict=True):
            canon[gene] = value
        return hit[0], hit[1]

    def _build_einsum(self, eg: EinsumGenes, genes: dict[int, int], group_loops: tuple[Loop, ...]
                      ) -> tuple[EinsumMapping, str | None]:
        """Decode one Einsum's genes; ``genes`` is rewritten in place to canonical values."""
        einsum = eg.einsum
        choice = genes[eg.bind] % len(eg.units)
        genes[eg.bind] = choice
        layout = eg.layouts[choice]
        ok = set(spatial_ranks(self.workload, einsum, layout))
        used = {}
        for loop in group_loops:
            used[loop.rank] = used.get(loop.rank, 1) * loop.factor
        rows: dict[str, tuple[int, ...]] = {}
        for rank, gene in zip(einsum.ranks, eg.factors, strict=True):
            table = self.rows(layout, einsum, rank, max(1, einsum.rank_sizes[rank] // used.get(rank, 1)), ok,
                              used.get(rank, 1) > 1)
            if not table:
                return _empty(einsum, layout), f"no factorization of rank {rank!r} meets the constraints"
            genes[gene] %= len(table)
            rows[rank] = table[genes[gene]]
        reason = _spatial_overflow(layout, rows)
        levels = [self._level(eg, layout, i, rows, genes) for i in range(len(layout.path))]
        levels.append(LevelMapping(layout.unit))
        for gene in eg.orders[len(layout.path):]:
            genes[gene] = 0
        for gene, level, _ in eg.keeps:
            if level >= len(layout.path):
                genes[gene] = 0
        return EinsumMapping(einsum.name, layout.unit, tuple(levels)), reason

    def rows(self, layout: UnitLayout, einsum: Einsum, rank: str, remainder: int, ok: set[str],
             grouped: bool = False) -> list[tuple[int, ...]]:
        key = ("rows", layout, rank, remainder, rank in ok, grouped)
        rows = self._tables.get(key)
        if rows is None:
            rows = [tuple(r) for r in self.table(layout, einsum, rank, remainder, ok, grouped).tolist()]
            self._tables[key] = rows
        return rows

    def _level(self, eg: EinsumGenes, layout: UnitLayout, index: int, rows: dict[str, tuple[int, ...]],
               genes: dict[int, int]) -> LevelMapping:
        ranks = eg.einsum.ranks
        factors = {r: rows[r][index] for r in ranks}
        order = self._order(eg, layout, index, factors, genes)
        temporal = tuple(Loop(r, factors[r]) for r in order if factors[r] > 1)
        spatial = tuple(Loop(r, rows[r][j], True, s.axis)
                        for j, s in enumerate(layout.slots) if s.spatial and s.level == index
                        for r in ranks if rows[r][j] > 1)
        bypass = ()
        if index > 0:
            for gene, level, tensor in eg.keeps:
                if level == index:
                    forced = self.keep_forced(layout, index, tensor)
                    genes[gene] = 0 if forced is not None else genes[gene] % 2
                    if forced or (forced is None and genes[gene] == 1):
                        bypass += (tensor,)
        return LevelMapping(layout.path[index], temporal, spatial, None, bypass)

    def _order(self, eg: EinsumGenes, layout: UnitLayout, index: int, factors: dict[str, int],
               genes: dict[int, int]) -> list[str]:
        ranks = list(eg.einsum.ranks)
        if index >= len(eg.orders):
            return ranks
        gene = eg.orders[index]
        fixed = self.constraint_at(layout, index, "order")
        if fixed is not None:
            genes[gene] = 0
            return [r for r in fixed if r in ranks] + [r for r in ranks if r not in fixed]
        perm = permutation_list(len(ranks))
        chosen = perm[genes[gene] % len(perm)]
        active = [i for i in chosen if factors[ranks[i]] > 1]
        idle = [i for i in range(len(ranks)) if factors[ranks[i]] <= 1]
        canonical = tuple(active + idle)
        genes[gene] = permutation_index(len(ranks)).get(canonical, 0)
        return [ranks[i] for i in canonical]

    # ------------------------------------------------------------------ MapSpace protocol

    def structure(self, key: tuple[int, ...]) -> StructurePlan:
        """Decoding tables of one structure (a row of :func:`structure_keys`), built once."""
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = build_plan(self, key)
        return plan

    def structure_groups(self, genomes: np.ndarray) -> list[tuple[StructurePlan, np.ndarray]]:
        """The genomes grouped by structure: (plan, row indices) per structure present."""
        keys = structure_keys(self, np.asarray(genomes, dtype=np.int64).reshape(-1, len(self._sizes)))
        if len(keys) == 0:
            return []
        codes = keys @ self._structure_strides if self._structure_strides is not None else None
        if codes is None:
            _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        else:
            _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(len(first) + 1))
        return [(self.structure(tuple(int(v) for v in keys[row])), order[bounds[g]:bounds[g + 1]])
                for g, row in enumerate(first)]

    def screen(self, genomes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(canonical genomes, mask of genomes that decode to a mapping), with numpy per structure."""
        genomes = np.ascontiguousarray(genomes, dtype=np.int64).reshape(-1, len(self._sizes))
        token = genomes.tobytes()
        if self._screened is not None and self._screened[0] == token:
            return self._screened[1], self._screened[2]
        canonical = np.zeros_like(genomes)
        keep = np.zeros(len(genomes), dtype=bool)
        for plan, rows in self.structure_groups(genomes):
            group = genomes[rows]
            factors = plan.rows(group)
            canonical[rows] = plan.canonical(group, self.fusion_gene, factors)
            keep[rows] = ~plan.pruned(group, factors)
        self._screened = (token, canonical, keep)
        return canonical, keep

    def prune(self, genomes: np.ndarray) -> np.ndarray:
        genomes = np.ascontiguousarray(genomes, dtype=np.int64).reshape(-1, len(self._sizes))
        if self._screened is not None and self._screened[0] == genomes.tobytes():
            return self._screened[2].copy()
        keep = np.zeros(len(genomes), dtype=bool)
        for plan, rows in self.structure_groups(genomes):
            keep[rows] = ~plan.pruned(genomes[rows])
        return keep

    def canonical(self, genomes: np.ndarray) -> np.ndarray:
        return self.screen(genomes)[0].copy()

    def mappings(self, genomes: np.ndarray) -> list[Mapping | None]:
        return [self.decode(g).mapping for g in genomes]

    def evaluate(self, genomes: np.ndarray) -> Costs:
        """Costs of a batch: the engine's batched kernel (default) or the per-mapping evaluator."""
        if self._batch is not None:
            return self._batch(genomes)
        if self._evaluator is None:
            raise SimulationError("this map space has no evaluator")
        return self._evaluator(self.arch, self.workload, self.mappings(genomes))


def group_loops_of(root: FusionGroup, name: str) -> tuple[Loop, ...]:
    """Loops of the groups enclosing Einsum ``name``, outermost first."""

    def walk(group: FusionGroup, acc: tuple[Loop, ...]) -> tuple[Loop, ...] | None:
        acc = (*acc, *group.loops)
        for child in group.children:
            if child == name:
                return acc
            if isinstance(child, FusionGroup) and (found := walk(child, acc)) is not None:
                return found
        return None

    return walk(root, ()) or ()


def _spatial_overflow(layout: UnitLayout, rows: dict[str, tuple[int, ...]]) -> str | None:
    for j, slot in enumerate(layout.slots):
        if slot.spatial:
            used = math.prod(row[j] for row in rows.values())
            if used > slot.cap:
                return f"spatial factors {used} exceed {slot.cap} at {layout.path[slot.level]}"
    return None


def _empty(einsum: Einsum, layout: UnitLayout) -> EinsumMapping:
    return EinsumMapping(einsum.name, layout.unit, ())
