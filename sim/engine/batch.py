"""Batched evaluation: many mappings of one structure, in a Numba kernel (the mapper's inner loop).

A **template** :class:`~sim.engine.mapping.Mapping` fixes the structure: the fusion tree
with its group loops, each Einsum's unit (hence its path of levels), pass overheads and
double buffering. :func:`prepare` turns it into flat arrays once. A **candidate** then
only chooses, per mapped Einsum ``e`` and per level ``l`` of its nest (the unit's
storage path, outermost first, then the unit itself):

- ``temporal[i, e, l, r]``: the factor of rank ``r``'s temporal loop at level ``l``;
- ``spatial[i, e, l, a, r]``: the factor of rank ``r``'s spatial loop at level ``l`` on
  mesh axis ``a - 1`` (``a = 0``: a spatial loop without an axis, fanning out to instances);
- ``order[i, e, l, :]``: the rank indices of level ``l``'s temporal loops, outermost first
  (a permutation of ``0..R-1``; loops of factor 1 are skipped);
- ``keep[i, e, l, t]``: whether level ``l`` keeps tensor ``t`` (ignored at the outermost
  level and at the unit, which always keep).

Group loops are the template's and come first at the outermost level, as in
:meth:`Mapping.full_nest`. :func:`evaluate_batch` returns latency, energy and
feasibility per candidate, equal to :func:`sim.engine.evaluate.evaluate` on the
equivalent mapping (a candidate whose factors of a rank do not multiply to its size is
reported infeasible). Index names: :attr:`Prepared.einsums`, :meth:`Prepared.levels`,
:meth:`Prepared.ranks`, :meth:`Prepared.tensors`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from arch import Architecture
from sim.engine.batch_kernels import Static, evaluate_arrays
from sim.engine.counts import build_nest, einsum_homes, keeping_levels, on_chip_reuse
from sim.engine.default import fanouts
from sim.engine.mapping import EinsumMapping, FusionGroup, Mapping, unit_levels
from sim.engine.nest import input_accesses, relevant
from sim.engine.program import phase_arrays
from workloads import Workload


@dataclass(frozen=True)
class Candidates:
    """Arrays of ``n`` candidates (shapes in the module docs); fill them in place."""

    temporal: np.ndarray
    spatial: np.ndarray
    order: np.ndarray
    keep: np.ndarray

    def __len__(self) -> int:
        return self.temporal.shape[0]


@dataclass(frozen=True)
class BatchResult:
    """Per candidate: latency (cycles) and energy (pJ), ``inf`` where ``feasible`` is False."""

    latency_cycles: np.ndarray
    energy_pj: np.ndarray
    feasible: np.ndarray


@dataclass(frozen=True)
class Prepared:
    """A template's structure as arrays for the kernel, with index names for building candidates."""

    template: Mapping
    einsums: tuple[str, ...]
    level_names: tuple[tuple[str, ...], ...]
    rank_names: tuple[tuple[str, ...], ...]
    tensor_names: tuple[tuple[str, ...], ...]
    axes: int
    static: Any = field(repr=False)
    base: Candidates = field(repr=False)

    def index(self, einsum: str) -> int:
        return self.einsums.index(einsum)

    def levels(self, einsum: str) -> tuple[str, ...]:
        return self.level_names[self.index(einsum)]

    def ranks(self, einsum: str) -> tuple[str, ...]:
        return self.rank_names[self.index(einsum)]

    def tensors(self, einsum: str) -> tuple[str, ...]:
        return self.tensor_names[self.index(einsum)]

    def candidates(self, n: int) -> Candidates:
        """``n`` copies of the template's own choices, to be overwritten."""
        return Candidates(*(np.repeat(a, n, axis=0) for a in
                            (self.base.temporal, self.base.spatial, self.base.order, self.base.keep)))

    def encode(self, mappings: list[Mapping]) -> Candidates:
        """Candidates equal to ``mappings`` (each must have the template's structure, else ValueError)."""
        out = self.candidates(len(mappings))
        for i, mapping in enumerate(mappings):
            _check_structure(self.template, mapping)
            for e, name in enumerate(self.einsums):
                _encode_einsum(self, out, i, e, mapping.einsum(name))
        return out

    def evaluate(self, candidates: Candidates, *, jit: bool = True) -> BatchResult:
        return evaluate_batch(self, candidates, jit=jit)


class BatchEvaluator:
    """Latency, energy and feasibility of ``Mapping`` objects through the batched kernel.

    Mappings are grouped by structure (fusion tree, units, pass overheads, double buffering);
    each structure is prepared once and kept (up to ``max_templates``). A mapping the arrays
    cannot express (two temporal loops of one rank at one level) goes through
    :func:`sim.engine.evaluate.evaluate` instead.
    """

    def __init__(self, arch: Architecture, workload: Workload, max_templates: int = 256):
        self.arch = arch
        self.workload = workload
        self.max_templates = max_templates
        self._prepared: dict[tuple, Prepared] = {}

    def __call__(self, mappings: list[Mapping]) -> BatchResult:
        n = len(mappings)
        out = BatchResult(np.full(n, np.inf), np.full(n, np.inf), np.zeros(n, dtype=np.bool_))
        groups: dict[tuple, list[int]] = {}
        for i, mapping in enumerate(mappings):
            groups.setdefault(structure_key(mapping), []).append(i)
        for key, indices in groups.items():
            prepared = self._template(key, mappings[indices[0]])
            candidates = prepared.candidates(len(indices))
            batched = []
            for j, i in enumerate(indices):
                try:
                    for e, name in enumerate(prepared.einsums):
                        _encode_einsum(prepared, candidates, j, e, mappings[i].einsum(name))
                    batched.append(j)
                except ValueError:
                    self._one(mappings[i], out, i)
            rows = np.asarray(batched, dtype=np.int64)
            result = evaluate_batch(prepared, Candidates(*(a[rows] for a in (
                candidates.temporal, candidates.spatial, candidates.order, candidates.keep))))
            for k, j in enumerate(batched):
                i = indices[j]
                out.latency_cycles[i] = result.latency_cycles[k]
                out.energy_pj[i] = result.energy_pj[k]
                out.feasible[i] = result.feasible[k]
        return out

    def _template(self, key: tuple, mapping: Mapping) -> Prepared:
        prepared = self._prepared.get(key)
        if prepared is None:
            if len(self._prepared) >= self.max_templates:
                self._prepared.pop(next(iter(self._prepared)))
            prepared = self._prepared[key] = prepare(self.arch, self.workload, mapping)
        return prepared

    def _one(self, mapping: Mapping, out: BatchResult, i: int) -> None:
        from sim.engine.evaluate import evaluate
        from sim.errors import InfeasibleMapping

        try:
            result = evaluate(self.arch, self.workload, mapping, timeline_rows=0)
        except InfeasibleMapping:
            return
        out.latency_cycles[i] = result.latency_cycles
        out.energy_pj[i] = sum(result.energy_pj.values())
        out.feasible[i] = True


def structure_key(mapping: Mapping) -> tuple:
    """What a prepared template fixes: fusion tree, double buffering, unit and overhead per Einsum."""
    return (mapping.root, mapping.double_buffering,
            tuple(sorted((n, em.unit, em.pass_overhead_cycles) for n, em in mapping.einsums.items())))


def evaluate_batch(prepared: Prepared, candidates: Candidates, *, jit: bool = True) -> BatchResult:
    """Latency, energy and feasibility of every candidate (``jit=False``: the plain-Python twin)."""
    n = len(candidates)
    latency = np.empty(n)
    energy = np.empty(n)
    feasible = np.zeros(n, dtype=np.bool_)
    arrays = (np.ascontiguousarray(candidates.temporal, np.int64), np.ascontiguousarray(candidates.spatial, np.int64),
              np.ascontiguousarray(candidates.order, np.int64), np.ascontiguousarray(candidates.keep, np.bool_))
    evaluate_arrays(*arrays, prepared.static, latency, energy, feasible, jit=jit)
    return BatchResult(latency, energy, feasible)


# ----------------------------------------------------------------------------- prepare


def prepare(arch: Architecture, workload: Workload, template: Mapping) -> Prepared:
    """Flatten ``template``'s structure (fusion tree, group loops, bindings) for :func:`evaluate_batch`."""
    from sim.engine.evaluate import plan

    p = plan(arch, workload, template, check=False)
    names = tuple(template.root.einsums())
    nests = {name: build_nest(template, workload.einsum(name)) for name in names}
    storage = [s.name for s in arch.storage]
    for name, nest in nests.items():
        if nest.levels[0].level != storage[0]:
            raise ValueError(f"Einsum {name!r}: the batched path needs the outermost level {storage[0]!r} first")
    axes = 1 + max(len(u.mesh) for u in arch.compute)
    level_names = tuple(tuple(lv.level for lv in nests[n].levels) for n in names)
    rank_names = tuple(workload.einsum(n).ranks for n in names)
    tensor_names = tuple(_tensors(workload, n) for n in names)
    dims = (max(map(len, level_names)), max(map(len, rank_names)), max(map(len, tensor_names)))
    static = Static(**_einsum_arrays(arch, workload, template, names, nests, p.homes, dims),
                    **_storage_arrays(arch), **_phase_arrays(arch, template, names, p.phases),
                    outer_rbw=arch.storage[0].read_bandwidth_bytes_per_cycle * arch.storage[0].instances,
                    outer_wbw=arch.storage[0].write_bandwidth_bytes_per_cycle * arch.storage[0].instances,
                    double_buffering=bool(template.double_buffering), shared=bool(arch.storage[0].shared_bandwidth),
                    n_tensors=len(workload.tensors), leak_mw=_leakage_mw(arch), clock_hz=float(arch.clock_hz))
    e_count, (lmax, rmax, tmax) = len(names), dims
    base = Candidates(np.ones((1, e_count, lmax, rmax), np.int64), np.ones((1, e_count, lmax, axes, rmax), np.int64),
                      np.tile(np.arange(rmax, dtype=np.int64), (1, e_count, lmax, 1)),
                      np.ones((1, e_count, lmax, tmax), np.bool_))
    prepared = Prepared(template, names, level_names, rank_names, tensor_names, axes, static, base)
    for e, name in enumerate(names):
        _encode_einsum(prepared, base, 0, e, template.einsum(name))
    return prepared


def _tensors(workload: Workload, name: str) -> tuple[str, ...]:
    einsum = workload.einsum(name)
    return tuple(dict.fromkeys([a.tensor for a in einsum.inputs] + [einsum.output.tensor]))


def _entries(workload: Workload, name: str) -> list[tuple[str, tuple, bool]]:
    """Count entries in the order of counts.einsum_counts: inputs, then the output."""
    einsum = workload.einsum(name)
    out = [(t, acc, False) for t, acc in input_accesses(einsum).items()]
    out.append((einsum.output.tensor, (einsum.output,), True))
    return out


def _einsum_arrays(arch, workload, template, names, nests, homes, dims) -> dict[str, np.ndarray]:
    lmax, rmax, _ = dims
    e_count = len(names)
    entries = {n: _entries(workload, n) for n in names}
    nmax = max(len(v) for v in entries.values())
    amax = max(len(acc) for v in entries.values() for _, acc, _ in v)
    dmax = max(1, max(len(acc[0].indices) for v in entries.values() for _, acc, _ in v))
    axes = 1 + max(len(u.mesh) for u in arch.compute)
    storage = [s.name for s in arch.storage]
    tensor_ids = {t: i for i, t in enumerate(workload.tensors)}
    a = {key: np.zeros(shape, dtype) for key, shape, dtype in (
        ("e_nlev", e_count, np.int64), ("e_nrank", e_count, np.int64), ("e_nent", e_count, np.int64),
        ("e_lvl_store", (e_count, lmax), np.int64), ("e_rank_size", (e_count, rmax), np.int64),
        ("e_glp_rank", (e_count, max(1, max(len(template.group_loops(n)) for n in names))), np.int64),
        ("e_nglp", e_count, np.int64), ("e_per_point", e_count, np.float64), ("e_overhead", e_count, np.float64),
        ("e_group_prod", e_count, np.int64), ("e_walked", e_count, np.bool_), ("e_ops_pj", e_count, np.float64),
        ("e_fans", (e_count, lmax), np.int64), ("e_mesh", (e_count, axes), np.int64),
        ("e_innermost", e_count, np.int64), ("e_phase", e_count, np.int64),
        ("ent_tensor", (e_count, nmax), np.int64), ("ent_gtensor", (e_count, nmax), np.int64),
        ("ent_out", (e_count, nmax), np.bool_), ("ent_bpe", (e_count, nmax), np.float64),
        ("ent_home", (e_count, nmax), np.int64), ("ent_home_store", (e_count, nmax), np.int64),
        ("ent_force", (e_count, nmax), np.int64),
        ("ent_nacc", (e_count, nmax), np.int64), ("ent_ndim", (e_count, nmax), np.int64),
        ("ent_coef", (e_count, nmax, amax, dmax, rmax), np.int64), ("ent_off", (e_count, nmax, amax, dmax), np.int64),
        ("ent_same", (e_count, nmax, dmax), np.bool_), ("ent_rel", (e_count, nmax, rmax), np.bool_))}
    a["e_glp_fac"] = np.ones_like(a["e_glp_rank"])
    phase_of = _phase_of(template)
    through = on_chip_reuse(template, arch, workload, homes)
    root_einsums = {c for c in template.root.children if isinstance(c, str)}
    for e, name in enumerate(names):
        einsum, nest = workload.einsum(name), nests[name]
        unit = arch.unit(nest.unit)
        path = unit_levels(arch, nest.unit)
        ranks = einsum.ranks
        a["e_nlev"][e], a["e_nrank"][e], a["e_nent"][e] = len(nest.levels), len(ranks), len(entries[name])
        for lv, level in enumerate(nest.levels[:-1]):
            a["e_lvl_store"][e, lv] = storage.index(level.level)
        a["e_lvl_store"][e, len(nest.levels) - 1] = -1
        a["e_rank_size"][e, :len(ranks)] = [einsum.rank_sizes[r] for r in ranks]
        for g, loop in enumerate(template.group_loops(name)):
            a["e_glp_rank"][e, g], a["e_glp_fac"][e, g] = ranks.index(loop.rank), loop.factor
        a["e_nglp"][e] = len(template.group_loops(name))
        dtype = workload.tensor(einsum.inputs[0].tensor).dtype if einsum.inputs else None
        a["e_per_point"][e] = unit.cycles_per_pe(einsum.ops_per_point, dtype)
        a["e_overhead"][e] = nest.pass_overhead_cycles
        a["e_group_prod"][e] = math.prod(loop.factor for loop in template.group_loops(name))
        a["e_walked"][e] = name in root_einsums
        a["e_ops_pj"][e] = sum(n * unit.energy_pj(kind) for kind, n in einsum.op_counts.items())
        a["e_fans"][e, :len(path)] = fanouts(arch, unit, path)
        a["e_mesh"][e, 1:] = 1
        a["e_mesh"][e, 1:1 + len(unit.mesh)] = unit.mesh
        a["e_innermost"][e] = storage.index(nest.levels[nest.unit_level - 1].level)
        a["e_phase"][e] = phase_of[name]
        local = _tensors(workload, name)
        seen = einsum_homes(name, homes, through)
        for t, (tensor, acc, is_out) in enumerate(entries[name]):
            _entry_arrays(a, e, t, tensor, acc, is_out, ranks, local, tensor_ids, workload, nest, homes, seen,
                          storage)
    return a


def _entry_arrays(a, e, t, tensor, acc, is_out, ranks, local, tensor_ids, workload, nest, homes, seen,
                  storage) -> None:
    a["ent_tensor"][e, t], a["ent_gtensor"][e, t] = local.index(tensor), tensor_ids[tensor]
    a["ent_out"][e, t] = is_out
    a["ent_bpe"][e, t] = workload.tensor(tensor).bits / 8
    read_homes, forced = seen
    a["ent_home"][e, t] = keeping_levels(nest, tensor, read_homes[tensor])[0]
    names = [lv.level for lv in nest.levels]
    a["ent_force"][e, t] = names.index(forced[tensor]) if forced.get(tensor) in names else -1
    a["ent_home_store"][e, t] = storage.index(homes[tensor])
    a["ent_nacc"][e, t], a["ent_ndim"][e, t] = len(acc), len(acc[0].indices)
    for i, access in enumerate(acc):
        for d, index in enumerate(access.indices):
            for rank, coeff in index.coeffs.items():
                a["ent_coef"][e, t, i, d, ranks.index(rank)] = coeff
            a["ent_off"][e, t, i, d] = index.offset
    for d in range(len(acc[0].indices)):
        a["ent_same"][e, t, d] = len({tuple(sorted(x.indices[d].coeffs.items())) for x in acc}) == 1
    for r, rank in enumerate(ranks):
        a["ent_rel"][e, t, r] = any(relevant(x, rank) for x in acc)


def _phase_of(template: Mapping) -> dict[str, int]:
    out = {}
    for p, child in enumerate(template.root.children):
        for name in (child.einsums() if isinstance(child, FusionGroup) else [child]):
            out[name] = p
    return out


def _storage_arrays(arch: Architecture) -> dict[str, np.ndarray]:
    levels = arch.storage
    return {
        "st_rbw": np.array([s.read_bandwidth_bytes_per_cycle for s in levels], np.float64),
        "st_wbw": np.array([s.write_bandwidth_bytes_per_cycle for s in levels], np.float64),
        "st_shared": np.array([s.shared_bandwidth for s in levels], np.bool_),
        "st_inst": np.array([s.instances for s in levels], np.int64),
        "st_size": np.array([np.inf if s.size_bytes is None else s.size_bytes for s in levels], np.float64),
        "st_re": np.array([s.read_energy_pj_per_byte for s in levels], np.float64),
        "st_we": np.array([s.write_energy_pj_per_byte for s in levels], np.float64),
    }


def _phase_arrays(arch: Architecture, template: Mapping, names: tuple[str, ...], phases) -> dict[str, np.ndarray]:
    storage = [s.name for s in arch.storage]
    common = np.zeros((len(phases), len(storage)), np.bool_)
    iters, einsum_of, barrier, t0, t1, p0, d0, nunits, window, maxlag = ([] for _ in range(10))
    tk: dict[str, list] = {k: [] for k in ("einsum", "unit", "lag", "dep_ptr", "dep_task", "dep_off", "buf_task",
                                           "buf_off", "extra", "dep_chip")}
    for p, (child, phase) in enumerate(zip(template.root.children, phases, strict=True)):
        keep = child.keep_level if isinstance(child, FusionGroup) else None
        keep_index = storage.index(keep) if keep in storage else min(1, len(storage) - 1)
        common[p, :keep_index + 1] = True
        arrays = phase_arrays(phase)
        grouped = isinstance(child, FusionGroup)
        iters.append(phase.iterations if grouped else -1)
        einsum_of.append(0 if grouped else names.index(child))
        barrier.append(phase.barrier)
        t0.append(len(tk["einsum"]))
        p0.append(len(tk["dep_ptr"]))
        d0.append(len(tk["dep_task"]))
        tk["einsum"] += [names.index(t.einsum) for t in phase.tasks]
        tk["extra"] += [child.fill_drain_cycles if grouped and j == 0 else 0.0 for j in range(len(phase.tasks))]
        tk["unit"] += arrays.unit.tolist()
        tk["lag"] += arrays.lag.tolist()
        tk["dep_ptr"] += arrays.dep_ptr.tolist()
        tk["dep_task"] += arrays.dep_task.tolist()
        tk["dep_off"] += arrays.dep_off.tolist()
        tk["dep_chip"] += arrays.dep_chip.tolist()
        tk["buf_task"] += arrays.buf_task.tolist()
        tk["buf_off"] += arrays.buf_off.tolist()
        t1.append(len(tk["einsum"]))
        nunits.append(len(arrays.units))
        lag = int(arrays.lag.max()) if arrays.lag.size else 0
        offsets = [int(arrays.dep_off.max()) if arrays.dep_off.size else 0, int(arrays.buf_off.max())]
        window.append(lag + max(offsets) + 2)
        maxlag.append(lag)
    out = {"ph_common": common, "ph_barrier": np.array(barrier, np.bool_)}
    for key, values in (("ph_iter", iters), ("ph_einsum", einsum_of), ("ph_t0", t0), ("ph_t1", t1), ("ph_p0", p0),
                        ("ph_d0", d0), ("ph_nunits", nunits), ("ph_window", window), ("ph_maxlag", maxlag)):
        out[key] = np.array(values, np.int64)
    for key, values in tk.items():
        dtype = {"extra": np.float64, "dep_chip": np.bool_}.get(key, np.int64)
        out[f"tk_{key}"] = np.array(values, dtype)
    return out


def _leakage_mw(arch: Architecture) -> float:
    levels = sum(s.leakage_power_mw * s.instances for s in arch.storage if s.leakage_power_mw)
    return float(levels + sum(u.leakage_power_mw for u in arch.compute if u.leakage_power_mw))


# ----------------------------------------------------------------------------- encode


def _check_structure(template: Mapping, mapping: Mapping) -> None:
    if structure_key(mapping) != structure_key(template):
        raise ValueError("the mapping's structure differs from the template's (fusion tree, double buffering, "
                         "or an Einsum's unit or pass overhead)")


def _encode_einsum(prepared: Prepared, out: Candidates, i: int, e: int, em: EinsumMapping) -> None:
    levels, ranks, tensors = prepared.level_names[e], prepared.rank_names[e], prepared.tensor_names[e]
    out.temporal[i, e] = 1
    out.spatial[i, e] = 1
    out.keep[i, e] = True
    for level in em.levels:
        if level.level not in levels:
            raise ValueError(f"Einsum {em.einsum!r}: level {level.level!r} is not on its unit's path")
        lv = levels.index(level.level)
        seen = [lp.rank for lp in level.temporal]
        if len(set(seen)) != len(seen):
            raise ValueError(f"Einsum {em.einsum!r}: two temporal loops over one rank at {level.level!r}")
        for loop in level.temporal:
            out.temporal[i, e, lv, ranks.index(loop.rank)] = loop.factor
        for loop in level.spatial:
            axis = 0 if loop.axis is None else loop.axis + 1
            if axis >= prepared.axes:
                raise ValueError(f"Einsum {em.einsum!r}: mesh axis {loop.axis} does not exist")
            out.spatial[i, e, lv, axis, ranks.index(loop.rank)] *= loop.factor
        order = [ranks.index(r) for r in seen]
        out.order[i, e, lv, :len(ranks)] = order + [r for r in range(len(ranks)) if r not in order]
        for t, tensor in enumerate(tensors):
            out.keep[i, e, lv, t] = level.keeps(tensor)
