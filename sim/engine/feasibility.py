"""Can a well-formed mapping run? Spatial fan-out within the hardware, tiles within capacity.

Violations raise :class:`~sim.errors.InfeasibleMapping` naming the Einsum, the level
and the numbers, so that a user or the mapper can see what to shrink.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC

from arch import Architecture
from sim.engine.costs import EinsumCost
from sim.engine.default import fanouts
from sim.engine.mapping import FusionGroup, Mapping, unit_levels
from sim.errors import InfeasibleMapping


def check_feasible(mapping: Mapping, arch: Architecture, costs: MappingABC[str, EinsumCost],
                   homes: MappingABC[str, str]) -> None:
    problems = problems_of(mapping, arch, costs, homes)
    if problems:
        raise InfeasibleMapping("infeasible mapping: " + "; ".join(problems))


def problems_of(mapping: Mapping, arch: Architecture, costs: MappingABC[str, EinsumCost],
                homes: MappingABC[str, str]) -> list[str]:
    """Why the mapping cannot run (empty when it can), without raising."""
    problems = []
    for cost in costs.values():
        problems += spatial_problems(arch, cost)
    for child in mapping.root.children:
        names = list(child.einsums()) if isinstance(child, FusionGroup) else [child]
        keep = child.keep_level if isinstance(child, FusionGroup) else None
        problems += capacity_problems(arch, [costs[n] for n in names], homes, mapping.double_buffering, keep)
    return problems


def spatial_problems(arch: Architecture, cost: EinsumCost) -> list[str]:
    unit = arch.unit(cost.unit)
    path = unit_levels(arch, cost.unit)
    fans = fanouts(arch, unit, path)
    out = []
    per_axis: dict[int, int] = {}
    for i, level in enumerate(cost.nest.levels):
        loops = level.spatial
        if not loops:
            continue
        if i >= len(path):
            out.append(f"{cost.einsum}: spatial loops at {level.level!r} (inside a PE) are not possible")
            continue
        product = math.prod(lp.factor for lp in loops)
        if product > fans[i]:
            target = "PEs" if i == len(path) - 1 else f"instances of {path[i + 1]!r}"
            out.append(f"{cost.einsum}: spatial loops at {level.level!r} fan out to {product} but the level feeds "
                       f"only {fans[i]} {target}")
        for lp in loops:
            if lp.axis is not None:
                per_axis[lp.axis] = per_axis.get(lp.axis, 1) * lp.factor
    for axis, product in per_axis.items():
        if axis >= len(unit.mesh):
            out.append(f"{cost.einsum}: mesh axis {axis} does not exist on {unit.name!r} (mesh {list(unit.mesh)})")
        elif product > unit.mesh[axis]:
            out.append(f"{cost.einsum}: spatial factors on mesh axis {axis} multiply to {product} but "
                       f"{unit.name!r} has {unit.mesh[axis]} PEs along it")
    return out


def capacity_problems(arch: Architecture, costs: Iterable[EinsumCost], homes: MappingABC[str, str],
                      double_buffering: bool, keep_level: str | None = None) -> list[str]:
    """Tiles live at the same time in a phase (one fusion group, or one Einsum) must fit."""
    costs = list(costs)
    names = [lv.name for lv in arch.storage]
    keep_index = names.index(keep_level) if keep_level in names else min(1, len(names) - 1)
    shared = set(names[: keep_index + 1])
    out = _capacity(arch, costs, homes, double_buffering, shared, shared_only=True)
    for cost in costs:
        out += _capacity(arch, [cost], homes, double_buffering, shared, shared_only=False)
    return out


def _capacity(arch: Architecture, costs: list[EinsumCost], homes: MappingABC[str, str], double_buffering: bool,
              common: set[str], shared_only: bool) -> list[str]:
    """Levels down to the fusion group's keep level hold all members' tiles at once;
    inner levels (e.g. a unit's registers) hold one Einsum's tiles at a time."""
    need: dict[str, dict[str, float]] = {}
    users: dict[str, set[str]] = {}
    for cost in costs:
        innermost = cost.nest.levels[cost.nest.unit_level - 1].level
        for c in cost.counts:
            if c.is_unit or c.level == arch.storage[0].name or ((c.level in common) != shared_only):
                continue
            streamed = homes.get(c.tensor) != c.level and c.level != innermost
            copies = 2 if double_buffering and streamed else 1
            size = c.tile_elements * c.bytes_per_element * copies
            level = need.setdefault(c.level, {})
            level[c.tensor] = max(level.get(c.tensor, 0.0), size)
            users.setdefault(c.level, set()).add(cost.einsum)
    out = []
    for name, tensors in need.items():
        level = arch.level(name)
        total = sum(tensors.values())
        if level.size_bytes is not None and total > level.size_bytes:
            top = sorted(tensors.items(), key=lambda kv: -kv[1])[:4]
            listing = ", ".join(f"{t} {_bytes(b)}" for t, b in top)
            einsums = ", ".join(sorted(users[name]))
            out.append(f"{name!r} needs {_bytes(total)} per instance for the tiles of {einsums} ({listing}"
                       f"{', ...' if len(tensors) > 4 else ''}; double-buffered where streamed) but holds "
                       f"{_bytes(level.size_bytes)}")
    return out


def _bytes(n: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.4g} {unit}"
    return f"{n:.4g} B"
