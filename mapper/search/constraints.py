"""User constraints on the map space (YAML), validated once into frozen objects.

Example::

    constraints:
      imperfect: true              # false: only tile factors that divide the rank size
      fusion: search               # search | fused | unfused
      bind: {Z: PEArray}           # Einsum -> compute unit
      levels:
        GlobalBuffer:
          keep: [A, B]             # tensors held here (the others bypass the level)
          order: [m, n, k]         # loop order at this level, outermost first
          factors: {k: 1}          # fixed temporal factors
        PEArray:
          spatial: {m: 16, n: 16}  # fixed spatial factors of the compute unit's mesh
          spatial_axes: {m: 0, n: 1}  # m only over mesh axis 0 (rows), n only over axis 1
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from specbase import Document, Problem, SpecError, load_document, validate_model
from specbase.types import FROZEN, NonNegInt, PosInt


class LevelConstraint(BaseModel):
    """Constraints at one storage level or compute unit."""

    model_config = FROZEN
    keep: list[str] | None = Field(None, description="Tensors kept at this level; the others bypass it.")
    bypass: list[str] | None = Field(None, description="Tensors that bypass this level.")
    order: list[str] | None = Field(None, description="Loop order at this level, outermost first (rank names).")
    factors: dict[str, PosInt] = Field(default_factory=dict, description="Fixed temporal tile factors by rank.")
    spatial: dict[str, PosInt] = Field(default_factory=dict, description="Fixed spatial factors by rank.")
    spatial_axes: dict[str, NonNegInt] = Field(
        default_factory=dict, description="Mesh axis (0 = rows, 1 = columns, ...) that alone may spread each "
        "named rank over PEs; e.g. {n: 0, k: 1} for a weight-stationary array.")

    @model_validator(mode="after")
    def _keep_or_bypass(self) -> LevelConstraint:
        if self.keep is not None and self.bypass is not None and set(self.keep) & set(self.bypass):
            raise ValueError(f"tensors both kept and bypassed: {', '.join(sorted(set(self.keep) & set(self.bypass)))}")
        return self


class Constraints(BaseModel):
    """Restrictions of the map space; anything left out is searched."""

    model_config = FROZEN
    imperfect: bool = Field(True, description="Also try tile factors that do not divide the rank size (the "
                            "outermost factor takes the ceiling and the last tile is partial); false: divisors only.")
    fusion: Literal["search", "fused", "unfused"] = Field("search",
        description="Whether consecutive Einsums share tiles on chip: searched, forced, or forbidden.")
    bind: dict[str, str] = Field(default_factory=dict, description="Einsum name -> compute unit.")
    levels: dict[str, LevelConstraint] = Field(default_factory=dict,
        description="Storage level or compute unit name -> constraints there.")


def load_constraints(path: str | Path) -> Constraints:
    """A constraints file: either the mapping itself or a document with a top-level ``constraints:``."""
    doc: Document = load_document(path)
    data = doc.data.get("constraints", doc.data)
    prefix = ("constraints",) if "constraints" in doc.data else ()
    return validate_model(Constraints, doc, data, {}, prefix)


def check_constraints(constraints: Constraints, arch, workload, file: str = "constraints") -> None:
    """Every name in the constraints exists in the architecture and workload (all problems at once)."""
    from sim.engine.mapping import mapped_einsums

    problems: list[Problem] = []
    mapped = {e.name: e for e in mapped_einsums(workload)}
    units = {u.name: u for u in arch.compute}
    for einsum, unit in constraints.bind.items():
        if einsum not in mapped:
            problems.append(Problem(file, f"bind.{einsum}", "no mapped Einsum of that name", None, ", ".join(mapped)))
        elif unit not in units:
            problems.append(Problem(file, f"bind.{einsum}", f"unknown compute unit {unit!r}", None, ", ".join(units)))
        elif not all(units[unit].supports(k) for k in mapped[einsum].ops_per_point):
            able = [u.name for u in arch.compute if all(u.supports(k) for k in mapped[einsum].ops_per_point)]
            problems.append(Problem(file, f"bind.{einsum}", f"{unit!r} cannot execute all ops of {einsum!r}", None,
                                    ", ".join(able) or "(no unit can)"))
    places = [s.name for s in arch.storage] + list(units)
    for name, level in constraints.levels.items():
        here = f"levels.{name}"
        if name not in places:
            problems.append(Problem(file, here, "no storage level or compute unit of that name", None,
                                    ", ".join(places)))
        for field in ("factors", "spatial", "spatial_axes"):
            problems += [Problem(file, f"{here}.{field}.{r}", "unknown rank", None, ", ".join(workload.ranks))
                         for r in getattr(level, field) if r not in workload.ranks]
        problems += [Problem(file, f"{here}.order", f"unknown rank {r!r}", None, ", ".join(workload.ranks))
                     for r in level.order or () if r not in workload.ranks]
        for field in ("keep", "bypass"):
            problems += [Problem(file, f"{here}.{field}", f"unknown tensor {t!r}", None, ", ".join(workload.tensors))
                         for t in getattr(level, field) or () if t not in workload.tensors]
    problems += _axis_problems(constraints, units, file)
    if problems:
        raise SpecError(problems)


def _axis_problems(constraints: Constraints, units: dict, file: str) -> list[Problem]:
    """A pinned mesh axis must exist on the unit it names (or on every unit, for a storage level)."""
    problems = []
    for name, level in constraints.levels.items():
        meshes = [units[name].mesh] if name in units else [u.mesh for u in units.values()]
        axes = max(len(mesh) for mesh in meshes)
        problems += [Problem(file, f"levels.{name}.spatial_axes.{rank}", f"no mesh axis {axis}", None,
                             ", ".join(str(a) for a in range(axes)))
                     for rank, axis in level.spatial_axes.items() if axis >= axes]
    return problems
