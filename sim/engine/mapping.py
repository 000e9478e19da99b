"""Mappings: how an Einsum cascade is tiled, bound, fused and overlapped on an architecture.

A :class:`Mapping` holds one :class:`EinsumMapping` per mapped Einsum (its compute unit and
its loop nest, level by level, outermost first) and a tree of :class:`FusionGroup` objects
that say which Einsums share outer tile loops (so intermediates stay on chip) and how the
work of one shared tile is overlapped across units. Views (copy Einsums) and constant
initializations are never mapped: they cost nothing.

Full loop nest of an Einsum = the loops of its enclosing fusion groups (outermost group
first, all at the outermost storage level) followed by its own per-level loops.

YAML (see docs/engine.md)::

    mapping:
      double_buffering: true
      einsums:
        Z:
          unit: PEArray
          levels:
            DRAM: {temporal: [{m: 4}, {n: 4}, k]}
            GlobalBuffer: {temporal: [{m: 16}], spatial: [{m: 16, axis: 0}, {n: 64, axis: 1}]}
            PEArray: {temporal: []}
      fusion:
        - loops: [b, h, {p: 4}]
          keep_level: GlobalBuffer
          overlap: sequential
          children: [{loops: [m1], overlap: pipelined, children: [BQK, LM]}, AV]

A loop written as a bare rank name takes whatever factor of the rank is left once every
other loop of that rank in the Einsum's nest is accounted for (rounded up: ceil semantics,
see :func:`_check_factors`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from typing import Any

from arch import Architecture
from specbase import Document, Problem, SpecError
from workloads import Einsum, Workload

OVERLAPS = ("sequential", "stall", "pipelined")
OVERLAP_ALIASES = {"interleaved": "pipelined"}
REST = -1


@dataclass(frozen=True)
class Loop:
    """One loop over ``rank`` with ``factor`` iterations; spatial loops fan out (``axis``: mesh axis)."""

    rank: str
    factor: int
    spatial: bool = False
    axis: int | None = None

    def __str__(self) -> str:
        kind = "s" if self.spatial else "t"
        return f"{kind}:{self.rank}{self.factor}"


@dataclass(frozen=True)
class LevelMapping:
    """Loops placed at one storage level (or at the compute unit's registers) of one Einsum.

    ``temporal`` loops iterate over data resident in this level (outer to inner);
    ``spatial`` loops fan the level's tile out to inner instances or to the unit's mesh.
    ``keep`` lists the tensors held here (None: all the Einsum's tensors); ``bypass``
    the ones that skip this level.
    """

    level: str
    temporal: tuple[Loop, ...] = ()
    spatial: tuple[Loop, ...] = ()
    keep: tuple[str, ...] | None = None
    bypass: tuple[str, ...] = ()

    def keeps(self, tensor: str) -> bool:
        if tensor in self.bypass:
            return False
        return self.keep is None or tensor in self.keep

    @property
    def loops(self) -> tuple[Loop, ...]:
        return (*self.temporal, *self.spatial)


@dataclass(frozen=True)
class EinsumMapping:
    """Binding and loop nest of one Einsum.

    ``levels`` runs from the outermost storage level down to the unit's own storage
    level, then optionally the unit itself (loops inside a PE, operands in registers).
    ``pass_overhead_cycles`` is added per spatial pass (one iteration of every temporal
    loop above the unit), e.g. the fill and drain of a systolic array.
    """

    einsum: str
    unit: str
    levels: tuple[LevelMapping, ...]
    pass_overhead_cycles: float = 0.0

    def level(self, name: str) -> LevelMapping | None:
        for level in self.levels:
            if level.level == name:
                return level
        return None

    def loops(self) -> Iterator[tuple[LevelMapping, Loop]]:
        for level in self.levels:
            for loop in level.loops:
                yield level, loop


@dataclass(frozen=True)
class FusionGroup:
    """Einsums (and nested groups) that share ``loops`` at the outermost storage level.

    A tensor produced and consumed inside one iteration of the shared loops stays in
    ``keep_level`` (default: the level just inside the outermost). ``overlap`` says how
    the members' work on one tile overlaps: ``sequential`` (one task at a time),
    ``stall`` (units overlap within a tile, the next tile waits for the whole tile) or
    ``pipelined`` (software-pipelined across tiles, units interleave).
    ``fill_drain_cycles`` (top-level groups only) is charged once per iteration of the
    group's loops, to the first task of its body (e.g. a pipeline's fill and drain).
    ``keep_tensors`` overrides the home of listed intermediates (all their users in the
    group) with a level on every user's path, e.g. a score tile kept in a PE's registers.
    """

    name: str
    loops: tuple[Loop, ...]
    children: tuple[str | FusionGroup, ...]
    overlap: str = "sequential"
    keep_level: str | None = None
    fill_drain_cycles: float = 0.0
    keep_tensors: tuple[tuple[str, str], ...] = ()

    def einsums(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, FusionGroup):
                yield from child.einsums()
            else:
                yield child

    def groups(self) -> Iterator[FusionGroup]:
        yield self
        for child in self.children:
            if isinstance(child, FusionGroup):
                yield from child.groups()


@dataclass(frozen=True)
class Mapping:
    """A whole mapping: per-Einsum nests plus the fusion tree rooted at ``root``."""

    einsums: MappingABC[str, EinsumMapping]
    root: FusionGroup
    double_buffering: bool = True
    source: str = "<mapping>"
    notes: tuple[str, ...] = field(default=())

    def einsum(self, name: str) -> EinsumMapping:
        return self.einsums[name]

    def ancestors(self, einsum: str) -> tuple[FusionGroup, ...]:
        """Groups enclosing ``einsum``, outermost (the root) first."""
        path = _path_to(self.root, einsum)
        if path is None:
            raise KeyError(f"Einsum {einsum!r} is not in the mapping")
        return path

    def group_loops(self, einsum: str) -> tuple[Loop, ...]:
        return tuple(loop for g in self.ancestors(einsum) for loop in g.loops)

    def full_nest(self, einsum: str) -> tuple[LevelMapping, ...]:
        """The Einsum's levels with its groups' loops prepended at the outermost level."""
        em = self.einsums[einsum]
        shared = self.group_loops(einsum)
        first = em.levels[0]
        merged = LevelMapping(first.level, (*shared, *first.temporal), first.spatial, first.keep, first.bypass)
        return (merged, *em.levels[1:])


def _path_to(group: FusionGroup, einsum: str) -> tuple[FusionGroup, ...] | None:
    for child in group.children:
        if child == einsum:
            return (group,)
        if isinstance(child, FusionGroup):
            sub = _path_to(child, einsum)
            if sub is not None:
                return (group, *sub)
    return None


def is_free(einsum: Einsum) -> bool:
    """Views and constant initializations: no ops, no mapping, no cost."""
    return einsum.is_copy and len(einsum.inputs) <= 1


def mapped_einsums(workload: Workload) -> tuple[Einsum, ...]:
    return tuple(e for e in workload.einsums if not is_free(e))


def view_sources(workload: Workload) -> dict[str, str]:
    """Tensor written by a view -> the tensor it re-indexes (followed to the root)."""
    direct = {e.output.tensor: e.inputs[0].tensor for e in workload.einsums if e.is_copy and len(e.inputs) == 1}
    out = {}
    for name in direct:
        root = name
        while root in direct:
            root = direct[root]
        out[name] = root
    return out


def unit_levels(arch: Architecture, unit: str) -> tuple[str, ...]:
    """Storage levels on the path of ``unit``: outermost down to the unit's own level.

    The storage list is outermost first but may end in sibling register files (one per
    unit). Walking outward from the unit's level, a level is an ancestor if its instance
    count divides the current one and it is not another unit's replicated private storage.
    """
    names = [s.name for s in arch.storage]
    own = arch.unit(unit).storage
    private = {u.storage for u in arch.compute if u.name != unit and u.storage != own}
    last = names.index(own)
    path = [own]
    inner = arch.storage[last].instances
    for level in reversed(arch.storage[:last]):
        if level.name in private and level.instances > 1:
            continue
        if level.instances <= inner and inner % level.instances == 0:
            path.append(level.name)
            inner = level.instances
    return tuple(reversed(path))


# ----------------------------------------------------------------------------- parsing


class _Problems:
    def __init__(self, doc: Document):
        self.doc = doc
        self.items: list[Problem] = []

    def add(self, path: str, message: str, allowed: str | None = None) -> None:
        self.items.append(Problem(self.doc.file, path, message, self.doc.line_of(path), allowed))

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecError(self.items)


def parse_mapping(doc: Document, arch: Architecture, workload: Workload) -> Mapping:
    """Turn a mapping document into a complete, checked :class:`Mapping`.

    Einsums the file leaves out get the default heuristic nest (for the factors their
    fusion groups leave). Structural errors raise :class:`SpecError`; a well-formed
    mapping that cannot run raises :class:`~sim.errors.InfeasibleMapping` later, in
    :func:`sim.engine.feasibility.check_feasible`.
    """
    data = doc.data.get("mapping", doc.data) if isinstance(doc.data, dict) else doc.data
    prefix = "mapping" if isinstance(doc.data, dict) and "mapping" in doc.data else ""
    return mapping_from_data(data, arch, workload, doc, prefix)


def mapping_from_dict(data: dict, arch: Architecture, workload: Workload, file: str = "<mapping>") -> Mapping:
    """Build a mapping from plain data (the ``mapping:`` body), e.g. in tests or the mapper."""
    return mapping_from_data(data, arch, workload, Document(file, data, {}), "")


def _join(prefix: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    return f"{prefix}.{key}" if prefix else key


TOP_KEYS = ("einsums", "fusion", "double_buffering")


def mapping_from_data(data: Any, arch: Architecture, workload: Workload, doc: Document, prefix: str) -> Mapping:
    problems = _Problems(doc)
    if not isinstance(data, dict):
        problems.add(prefix, "the mapping must be a YAML mapping", ", ".join(TOP_KEYS))
        problems.raise_if_any()
    for key in data:
        if key not in TOP_KEYS:
            problems.add(_join(prefix, key), "unknown field", ", ".join(TOP_KEYS))
    mapped = {e.name: e for e in mapped_einsums(workload)}
    raw_einsums = _parse_einsum_section(data.get("einsums") or {}, _join(prefix, "einsums"), problems, mapped)
    groups = _parse_groups(data.get("fusion") or [], _join(prefix, "fusion"), problems, mapped, workload)
    double = data.get("double_buffering", True)
    if not isinstance(double, bool):
        problems.add(_join(prefix, "double_buffering"), f"expected true or false (got {double!r})", "true, false")
    units = [u.name for u in arch.compute]
    for entry in raw_einsums.values():
        if entry.unit is not None and entry.unit not in units:
            problems.add(_join(entry.path, "unit"), f"unknown compute unit {entry.unit!r}", ", ".join(units))
    problems.raise_if_any()
    root = root_group(groups, mapped, workload)
    from sim.engine.complete import complete_einsums

    einsums = complete_einsums(raw_einsums, root, arch, workload, problems, _join(prefix, "einsums"))
    problems.raise_if_any()
    mapping = Mapping(einsums=einsums, root=root, double_buffering=bool(double), source=doc.file)
    check_structure(mapping, arch, workload, problems, prefix)
    problems.raise_if_any()
    return mapping


@dataclass(frozen=True)
class RawEinsum:
    """An Einsum's entry as written, before bare loops get their factors."""

    einsum: str
    unit: str | None
    levels: tuple[tuple[str, tuple[Loop, ...], tuple[Loop, ...], tuple[str, ...] | None, tuple[str, ...]], ...]
    pass_overhead_cycles: float
    path: str


EINSUM_KEYS = ("unit", "levels", "pass_overhead_cycles")
LEVEL_KEYS = ("temporal", "spatial", "keep", "bypass")
GROUP_KEYS = ("name", "loops", "children", "overlap", "keep_level", "fill_drain_cycles", "keep_tensors")


def _parse_einsum_section(data: Any, path: str, problems: _Problems, mapped: dict[str, Einsum]
                          ) -> dict[str, RawEinsum]:
    if not isinstance(data, dict):
        problems.add(path, "must map Einsum names to their mappings", ", ".join(mapped))
        return {}
    out = {}
    for name, body in data.items():
        here = _join(path, name)
        if name not in mapped:
            problems.add(here, f"no mapped Einsum named {name!r} (views and initializations take no mapping)",
                         ", ".join(mapped))
            continue
        if not isinstance(body, dict):
            problems.add(here, "must be a mapping", ", ".join(EINSUM_KEYS))
            continue
        for key in body:
            if key not in EINSUM_KEYS:
                problems.add(_join(here, key), "unknown field", ", ".join(EINSUM_KEYS))
        levels = _parse_levels(body.get("levels") or {}, _join(here, "levels"), problems)
        overhead = body.get("pass_overhead_cycles", 0.0)
        if not isinstance(overhead, int | float) or isinstance(overhead, bool) or overhead < 0:
            problems.add(_join(here, "pass_overhead_cycles"), f"must be a number >= 0 (got {overhead!r})")
            overhead = 0.0
        unit = body.get("unit")
        if unit is not None and not isinstance(unit, str):
            problems.add(_join(here, "unit"), f"must be a compute unit name (got {unit!r})")
            unit = None
        out[name] = RawEinsum(name, unit, levels, float(overhead), here)
    return out


def _parse_levels(data: Any, path: str, problems: _Problems) -> tuple:
    if not isinstance(data, dict):
        problems.add(path, "must map storage level (or unit) names to their loops", ", ".join(LEVEL_KEYS))
        return ()
    out = []
    for level, body in data.items():
        here = _join(path, level)
        body = body or {}
        if not isinstance(body, dict):
            problems.add(here, "must be a mapping", ", ".join(LEVEL_KEYS))
            continue
        for key in body:
            if key not in LEVEL_KEYS:
                problems.add(_join(here, key), "unknown field", ", ".join(LEVEL_KEYS))
        temporal = _parse_loops(body.get("temporal") or [], _join(here, "temporal"), problems, spatial=False)
        spatial = _parse_loops(body.get("spatial") or [], _join(here, "spatial"), problems, spatial=True)
        keep = _parse_names(body.get("keep"), _join(here, "keep"), problems)
        bypass = _parse_names(body.get("bypass"), _join(here, "bypass"), problems) or ()
        out.append((str(level), temporal, spatial, keep, bypass))
    return tuple(out)


def _parse_names(data: Any, path: str, problems: _Problems) -> tuple[str, ...] | None:
    if data is None:
        return None
    if isinstance(data, str):
        return (data,)
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        problems.add(path, "must be a list of tensor names")
        return None
    return tuple(data)


def _parse_loops(data: Any, path: str, problems: _Problems, spatial: bool) -> tuple[Loop, ...]:
    if not isinstance(data, list):
        problems.add(path, "must be a list of loops, outer first",
                     "rank, {rank: factor}" + (", {rank: factor, axis: n}" if spatial else ""))
        return ()
    return tuple(loop for i, item in enumerate(data)
                 if (loop := _parse_loop(item, _join(path, i), problems, spatial)) is not None)


def _parse_loop(item: Any, path: str, problems: _Problems, spatial: bool) -> Loop | None:
    allowed = "a rank name, {rank: factor}" + (" or {rank: factor, axis: n}" if spatial else "")
    if isinstance(item, str):
        return Loop(item, REST, spatial)
    if not isinstance(item, dict):
        problems.add(path, f"cannot read loop {item!r}", allowed)
        return None
    axis = item.get("axis") if spatial else None
    ranks = {k: v for k, v in item.items() if not (spatial and k == "axis")}
    if len(ranks) != 1:
        problems.add(path, "a loop names exactly one rank", allowed)
        return None
    (rank, factor), = ranks.items()
    if not isinstance(factor, int) or isinstance(factor, bool) or factor < 1:
        problems.add(_join(path, rank), f"factor must be a positive integer (got {factor!r})")
        return None
    if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool) or axis < 0):
        problems.add(_join(path, "axis"), f"axis must be a mesh axis index >= 0 (got {axis!r})")
        return None
    return Loop(str(rank), factor, spatial, axis)


def _parse_groups(data: Any, path: str, problems: _Problems, mapped: dict[str, Einsum],
                  workload: Workload) -> tuple[FusionGroup, ...]:
    if not isinstance(data, list):
        problems.add(path, "must be a list of fusion groups", ", ".join(GROUP_KEYS))
        return ()
    groups = tuple(g for i, item in enumerate(data)
                   if (g := _parse_group(item, _join(path, i), problems, mapped, workload, {})) is not None)
    seen: dict[str, str] = {}
    for i, group in enumerate(groups):
        for name in group.einsums():
            if name in seen:
                problems.add(_join(path, i), f"Einsum {name!r} appears in more than one place in the fusion tree")
            seen[name] = group.name
    return groups


def _parse_group(item: Any, path: str, problems: _Problems, mapped: dict[str, Einsum], workload: Workload,
                 outer: dict[str, int]) -> FusionGroup | None:
    if not isinstance(item, dict):
        problems.add(path, "a fusion group must be a mapping", ", ".join(GROUP_KEYS))
        return None
    for key in item:
        if key not in GROUP_KEYS:
            problems.add(_join(path, key), "unknown field", ", ".join(GROUP_KEYS))
    loops = _parse_loops(item.get("loops") or [], _join(path, "loops"), problems, spatial=False)
    loops, inner = _resolve_group_loops(loops, _join(path, "loops"), problems, workload, outer)
    overlap = str(item.get("overlap", "sequential"))
    overlap = OVERLAP_ALIASES.get(overlap, overlap)
    if overlap not in OVERLAPS:
        problems.add(_join(path, "overlap"), f"unknown overlap {overlap!r}",
                     ", ".join((*OVERLAPS, *OVERLAP_ALIASES)))
    keep_level = item.get("keep_level")
    fill_drain = item.get("fill_drain_cycles", 0.0)
    if not isinstance(fill_drain, int | float) or isinstance(fill_drain, bool) or fill_drain < 0:
        problems.add(_join(path, "fill_drain_cycles"), f"must be a number >= 0 (got {fill_drain!r})")
        fill_drain = 0.0
    keep_tensors = item.get("keep_tensors") or {}
    if not isinstance(keep_tensors, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                     for k, v in keep_tensors.items()):
        problems.add(_join(path, "keep_tensors"), "must map intermediate tensor names to storage level names",
                     "{TENSOR: LEVEL, ...}")
        keep_tensors = {}
    children_data = item.get("children")
    if not isinstance(children_data, list) or not children_data:
        problems.add(_join(path, "children"), "a fusion group needs a non-empty list of children",
                     "Einsum names or nested groups")
        children_data = []
    children: list[str | FusionGroup] = []
    for i, child in enumerate(children_data):
        here = _join(_join(path, "children"), i)
        if isinstance(child, str):
            if child not in mapped:
                problems.add(here, f"no mapped Einsum named {child!r}", ", ".join(mapped))
            else:
                children.append(child)
        else:
            sub = _parse_group(child, here, problems, mapped, workload, inner)
            if sub is not None:
                children.append(sub)
    name = str(item.get("name", path))
    return FusionGroup(name, loops, tuple(children), overlap, None if keep_level is None else str(keep_level),
                       float(fill_drain), tuple(keep_tensors.items()))


def _resolve_group_loops(loops: tuple[Loop, ...], path: str, problems: _Problems, workload: Workload,
                         outer: dict[str, int]) -> tuple[tuple[Loop, ...], dict[str, int]]:
    used = dict(outer)
    out = []
    for i, loop in enumerate(loops):
        if loop.rank not in workload.ranks:
            problems.add(_join(path, i), f"unknown rank {loop.rank!r}", ", ".join(workload.ranks))
            continue
        size = workload.ranks[loop.rank]
        factor = loop.factor
        if factor == REST:
            factor = size // used.get(loop.rank, 1)
        used[loop.rank] = used.get(loop.rank, 1) * factor
        if size % used[loop.rank]:
            problems.add(_join(path, i), f"factors of rank {loop.rank!r} multiply to {used[loop.rank]}, which "
                         f"does not divide its size {size}")
        out.append(Loop(loop.rank, factor))
    return tuple(out), used


def root_group(groups: tuple[FusionGroup, ...], mapped: dict[str, Einsum], workload: Workload) -> FusionGroup:
    """Everything in workload order: each group where its first Einsum is, unfused Einsums alone."""
    placed: dict[str, FusionGroup] = {}
    for g in groups:
        for name in g.einsums():
            placed[name] = g
    children: list[str | FusionGroup] = []
    for einsum in mapped.values():
        group = placed.get(einsum.name)
        if group is None:
            children.append(einsum.name)
        elif group not in children:
            children.append(group)
    return FusionGroup("root", (), tuple(children), "sequential", None)


# ----------------------------------------------------------------------------- structure checks


def check_structure(mapping: Mapping, arch: Architecture, workload: Workload, problems: _Problems,
                    prefix: str = "") -> None:
    """Names exist, units can run their Einsums, factors multiply to the rank sizes."""
    levels = [s.name for s in arch.storage]
    for group in mapping.root.groups():
        if group.keep_level is not None and group.keep_level not in levels[1:]:
            problems.add(_join(prefix, "fusion"), f"group {group.name!r}: keep_level {group.keep_level!r} is "
                         "not an inner storage level", ", ".join(levels[1:]))
    top = {id(c) for c in mapping.root.children}
    for group in mapping.root.groups():
        if group.fill_drain_cycles and id(group) not in top:
            problems.add(_join(prefix, "fusion"), f"group {group.name!r}: only a top-level fusion group takes "
                         "fill_drain_cycles", "fill_drain_cycles on the outermost group")
    for name, em in mapping.einsums.items():
        path = _join(_join(prefix, "einsums"), name)
        _check_einsum(mapping, em, workload.einsum(name), arch, problems, path)
    _check_keep_tensors(mapping, arch, workload, problems, _join(prefix, "fusion"))
    _check_order(mapping, workload, problems, _join(prefix, "fusion"))


def tensor_users(workload: Workload) -> dict[str, set[str]]:
    """Tensor -> the mapped Einsums that read or write it."""
    users: dict[str, set[str]] = {}
    for einsum in mapped_einsums(workload):
        for tensor in (einsum.output.tensor, *einsum.input_tensors):
            users.setdefault(tensor, set()).add(einsum.name)
    return users


def _check_keep_tensors(mapping: Mapping, arch: Architecture, workload: Workload, problems: _Problems,
                        path: str) -> None:
    """Each kept tensor is an intermediate used only inside its group; the level is on every user's path."""
    users = tensor_users(workload)
    for group in mapping.root.groups():
        members = set(group.einsums())
        for tensor, level in group.keep_tensors:
            where = f"group {group.name!r}: keep_tensors.{tensor}"
            spec = workload.tensors.get(tensor)
            if spec is None or spec.role != "intermediate" or not users.get(tensor, set()) <= members:
                problems.add(path, f"{where}: only an intermediate whose users are all in the group can be kept",
                             ", ".join(t for t, u in users.items() if workload.tensor(t).role == "intermediate"
                                       and u <= members))
                continue
            paths = [set(unit_levels(arch, mapping.einsum(u).unit)) for u in users[tensor]]
            common = set.intersection(*paths) - {arch.storage[0].name}
            if level not in common:
                problems.add(path, f"{where}: level {level!r} is not on the path of every unit that uses "
                             f"{tensor!r}", ", ".join(sorted(common)) or "(none)")


def _check_order(mapping: Mapping, workload: Workload, problems: _Problems, path: str) -> None:
    """Inside the fusion tree, an Einsum must come after the producers of its (non-carried) inputs."""
    from sim.engine.program import producers

    order = {name: i for i, name in enumerate(mapping.root.einsums())}
    for consumer, prods in producers(workload, set(order)).items():
        for producer, carried in prods.items():
            if not carried and order[producer] > order[consumer]:
                problems.add(path, f"Einsum {consumer!r} is placed before {producer!r}, which produces its input",
                             f"{producer!r} earlier in the children lists")


def _check_einsum(mapping: Mapping, em: EinsumMapping, einsum: Einsum, arch: Architecture,
                  problems: _Problems, path: str) -> None:
    units = [u.name for u in arch.compute]
    if em.unit not in units:
        problems.add(_join(path, "unit"), f"unknown compute unit {em.unit!r}", ", ".join(units))
        return
    unit = arch.unit(em.unit)
    missing = [k for k in einsum.ops_per_point if not unit.supports(k)]
    if missing:
        able = [u.name for u in arch.compute if all(u.supports(k) for k in einsum.ops_per_point)]
        problems.add(_join(path, "unit"), f"unit {em.unit!r} cannot execute {', '.join(missing)} "
                     f"(it supports {', '.join(sorted(unit.ops))})", ", ".join(able) or "(no unit can)")
    allowed_levels = (*unit_levels(arch, em.unit), em.unit)
    tensors = {a.tensor for a in (*einsum.inputs, einsum.output)}
    for level in em.levels:
        here = _join(_join(path, "levels"), level.level)
        if level.level not in allowed_levels:
            problems.add(here, f"level {level.level!r} is not on the path of unit {em.unit!r}",
                         ", ".join(allowed_levels))
        for loop in level.loops:
            if loop.rank not in einsum.rank_sizes:
                problems.add(here, f"rank {loop.rank!r} is not a rank of Einsum {einsum.name!r}",
                             ", ".join(einsum.ranks))
        for tensor in (*(level.keep or ()), *level.bypass):
            if tensor not in tensors:
                problems.add(here, f"tensor {tensor!r} is not used by Einsum {einsum.name!r}",
                             ", ".join(sorted(tensors)))
    for rank in mapping.group_loops(em.einsum):
        if rank.rank not in einsum.rank_sizes:
            problems.add(path, f"a fusion group around {einsum.name!r} loops over rank {rank.rank!r}, "
                         "which the Einsum does not have", ", ".join(einsum.ranks))
    _check_factors(mapping, em, einsum, problems, path)


def _check_factors(mapping: Mapping, em: EinsumMapping, einsum: Einsum, problems: _Problems, path: str) -> None:
    """Factors multiply to the rank's size, or (ceil semantics) to more, with the outermost factor
    equal to ceil(size / the others' product) so that no outer iteration is empty."""
    factors: dict[str, list[int]] = {r: [] for r in einsum.ranks}
    for loop in mapping.group_loops(em.einsum):
        if loop.rank in factors:
            factors[loop.rank].append(loop.factor)
    for _, loop in em.loops():
        if loop.rank in factors:
            factors[loop.rank].append(loop.factor)
    for rank, size in einsum.rank_sizes.items():
        product = math.prod(factors[rank])
        if product == size:
            continue
        outer = next((f for f in factors[rank] if f > 1), 1)
        others = product // outer
        if product < size:
            problems.add(_join(path, "levels"), f"factors of rank {rank!r} multiply to {product} "
                         f"but the rank has size {size}", f"factors whose product is at least {size}")
        elif outer != -(-size // others):
            problems.add(_join(path, "levels"), f"factors of rank {rank!r} multiply to {product} > size {size}: "
                         f"with ceil factors the outermost one ({outer}) must be ceil({size} / {others})",
                         f"outermost factor {-(-size // others)}")


def loop_product(loops, rank: str) -> int:
    return math.prod(loop.factor for loop in loops if loop.rank == rank)
