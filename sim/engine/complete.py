"""Turn the Einsum entries of a mapping file into complete :class:`EinsumMapping` objects.

Bare loops (a rank name without a factor) take what the rank has left, rounded up; Einsums the
file leaves out, or gives only a unit, get the default heuristic nest.
"""

from __future__ import annotations

from arch import Architecture
from sim.engine.mapping import REST, EinsumMapping, FusionGroup, LevelMapping, Loop, unit_levels
from workloads import Einsum, Workload


def complete_einsums(raw: dict, root: FusionGroup, arch: Architecture, workload: Workload, problems,
                     path: str) -> dict[str, EinsumMapping]:
    from sim.engine.default import choose_unit, default_nest

    out: dict[str, EinsumMapping] = {}
    for name in root.einsums():
        einsum = workload.einsum(name)
        group_loops = _group_loops(root, name)
        entry = raw.get(name)
        unit = entry.unit if entry is not None and entry.unit is not None else choose_unit(arch, einsum).name
        if unit not in {u.name for u in arch.compute}:
            problems.add(f"{path}.{name}.unit", f"unknown compute unit {unit!r}",
                         ", ".join(u.name for u in arch.compute))
            continue
        if entry is None or not entry.levels:
            overhead = entry.pass_overhead_cycles if entry is not None else 0.0
            out[name] = default_nest(arch, workload, einsum, unit, group_loops, overhead)
            continue
        levels = _resolve_levels(entry, einsum, group_loops, problems)
        out[name] = EinsumMapping(name, unit, _ordered(levels, arch, unit), entry.pass_overhead_cycles)
    return out


def _group_loops(root: FusionGroup, einsum: str) -> tuple[Loop, ...]:
    def walk(group: FusionGroup, acc: tuple[Loop, ...]):
        acc = (*acc, *group.loops)
        for child in group.children:
            if child == einsum:
                return acc
            if isinstance(child, FusionGroup):
                found = walk(child, acc)
                if found is not None:
                    return found
        return None

    return walk(root, ()) or ()


def _resolve_levels(entry, einsum: Einsum, group_loops: tuple[Loop, ...], problems) -> list[LevelMapping]:
    used = {r: 1 for r in einsum.ranks}
    for loop in group_loops:
        if loop.rank in used:
            used[loop.rank] *= loop.factor
    bare: dict[str, str] = {}
    for level, temporal, spatial, _, _ in entry.levels:
        for kind, loops in (("temporal", temporal), ("spatial", spatial)):
            for i, loop in enumerate(loops):
                where = f"{entry.path}.levels.{level}.{kind}[{i}]"
                if loop.rank not in used:
                    problems.add(where, f"rank {loop.rank!r} is not a rank of Einsum {einsum.name!r}",
                                 ", ".join(einsum.ranks))
                elif loop.factor == REST:
                    if loop.rank in bare:
                        problems.add(where, f"rank {loop.rank!r} has two loops without a factor "
                                     f"(the other at {bare[loop.rank]}); give all but one a factor")
                    bare[loop.rank] = where
                else:
                    used[loop.rank] *= loop.factor
    rest = {}
    for rank in bare:
        rest[rank] = max(1, -(-einsum.rank_sizes[rank] // used[rank]))
    out = []
    for level, temporal, spatial, keep, bypass in entry.levels:
        out.append(LevelMapping(level, _fill(temporal, rest), _fill(spatial, rest), keep, bypass))
    return out


def _fill(loops: tuple[Loop, ...], rest: dict[str, int]) -> tuple[Loop, ...]:
    return tuple(Loop(lp.rank, rest.get(lp.rank, 1), lp.spatial, lp.axis) if lp.factor == REST else lp
                 for lp in loops)


def _ordered(levels: list[LevelMapping], arch: Architecture, unit: str) -> tuple[LevelMapping, ...]:
    """One entry per level on the unit's path (outermost first), then the unit; unknown names last."""
    by_name = {lv.level: lv for lv in levels}
    order = (*unit_levels(arch, unit), unit)
    out = [by_name.get(name, LevelMapping(name)) for name in order]
    out += [lv for lv in levels if lv.level not in order]
    return tuple(out)
