"""Schema of a sweep spec (YAML) and its loader.

A sweep varies arch and workload parameters over a grid (cartesian product) and
optional zipped groups (varied together), and says how each point gets its mapping.
Keys name what they vary: ``arch.rows`` is a declared parameter of the arch file,
``arch.clock_hz`` or ``arch.storage.DRAM.read_bandwidth_bytes_per_cycle`` a field of it
(lists are indexed by ``name`` or position); likewise ``workload.M``.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from mapper.search.constraints import Constraints
from specbase import Document, load_document, validate_model
from specbase.expressions import ExpressionError, to_number
from specbase.types import FROZEN, Num, PosInt, PosNum

Scalar = int | float | str
STRATEGIES = ("none", "auto", "exhaustive", "random", "genetic")
Strategy = Literal["none", "auto", "exhaustive", "random", "genetic"]
Objective = Literal["latency", "energy", "edp"]
SCOPES = ("arch", "workload")
PARETO_COLUMNS = ("latency_cycles", "latency_s", "energy_pj", "area_um2", "edp_pj_s", "mappings_evaluated",
                  "search_seconds", "point_seconds")


class RangeSpec(BaseModel):
    """Values from ``start`` to ``stop`` (inclusive), by ``step`` or by ``factor``."""

    model_config = FROZEN
    start: Num = Field(description="First value.")
    stop: Num = Field(description="Last value (included when the sequence hits it).")
    step: PosNum | None = Field(None, description="Additive step (linear range).")
    factor: PosNum | None = Field(None, description="Multiplicative step > 1 (geometric range).")

    @model_validator(mode="after")
    def _one_step(self) -> RangeSpec:
        if (self.step is None) == (self.factor is None):
            raise ValueError("give exactly one of step or factor")
        if self.factor is not None and (self.factor <= 1 or self.start <= 0):
            raise ValueError("a geometric range needs factor > 1 and start > 0")
        if self.stop < self.start:
            raise ValueError("stop must be >= start")
        return self

    def values(self) -> list[Scalar]:
        out: list[Scalar] = []
        value = self.start
        while value <= self.stop * (1 + 1e-12) and len(out) < 100_000:
            out.append(int(value) if float(value).is_integer() else value)
            value = value + self.step if self.step is not None else value * self.factor
        return out


Values = list[Scalar] | RangeSpec


class BudgetSpec(BaseModel):
    """Limit of one mapping search; the search stops at whichever comes first."""

    model_config = FROZEN
    mappings: PosInt | None = Field(2000, description="Most mappings evaluated per search.")
    seconds: PosNum | None = Field(None, description="Most wall-clock seconds per search.")

    @model_validator(mode="after")
    def _bounded(self) -> BudgetSpec:
        if self.mappings is None and self.seconds is None:
            raise ValueError("a search must be bounded: give mappings or seconds")
        return self


class SweepSpec(BaseModel):
    """A design-space sweep: one row per design point in the output store."""

    model_config = FROZEN
    name: str = Field(description="Name of the sweep.")
    description: str = Field("", description="Free text.")
    arch: str | list[str] = Field(description="Architecture file or preset (a list is one more grid axis).")
    workload: str | list[str] = Field(description="Workload file or preset (a list is one more grid axis).")
    grid: dict[str, Values] = Field(default_factory=dict,
        description="Key -> values; every combination is a design point.")
    zip: dict[str, list[Scalar]] = Field(default_factory=dict,
        description="Keys varied together (equal-length lists), crossed with the grid.")
    search: Strategy = Field("auto", description="Mapping search per point; 'none' uses the backend's "
                             "default mapping (needed for gpu, fpga, systolic, streaming kinds).")
    objective: Objective = Field("edp", description="What the mapping search minimizes.")
    budget: BudgetSpec = Field(default_factory=BudgetSpec, description="Budget of each mapping search.")
    seed: int = Field(0, ge=0, description="Seed of every point's search (runs are deterministic).")
    constraints: Constraints | None = Field(None, description="Mapping constraints for every point.")
    pareto: list[str] = Field(default_factory=lambda: ["latency_s", "energy_pj", "area_um2"],
        description="Columns minimized by the Pareto front.")

    @field_validator("grid", "zip")
    @classmethod
    def _scoped_keys(cls, value: dict) -> dict:
        for key in value:
            scope, _, rest = key.partition(".")
            if scope not in SCOPES or not rest:
                raise ValueError(f"key {key!r} must start with 'arch.' or 'workload.'")
        return {k: ([_number_or_text(x) for x in v] if isinstance(v, list) else v) for k, v in value.items()}

    @field_validator("pareto")
    @classmethod
    def _pareto_columns(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in PARETO_COLUMNS and not name.startswith(("energy_pj.", "utilization.")):
                raise ValueError(f"unknown result column {name!r}; allowed: {', '.join(PARETO_COLUMNS)}, "
                                 "energy_pj.<component>, utilization.<unit>")
        if not value:
            raise ValueError("give at least one column")
        return value

    @model_validator(mode="after")
    def _zip_lengths(self) -> SweepSpec:
        lengths = {len(v) for v in self.zip.values()}
        if len(lengths) > 1:
            raise ValueError("zip lists must all have the same length")
        if set(self.grid) & set(self.zip):
            raise ValueError(f"keys in both grid and zip: {', '.join(sorted(set(self.grid) & set(self.zip)))}")
        return self

    @property
    def archs(self) -> list[str]:
        return [self.arch] if isinstance(self.arch, str) else list(self.arch)

    @property
    def workloads(self) -> list[str]:
        return [self.workload] if isinstance(self.workload, str) else list(self.workload)

    def axes(self) -> dict[str, list[Scalar]]:
        return {k: (v.values() if isinstance(v, RangeSpec) else list(v)) for k, v in self.grid.items()}

    @property
    def point_count(self) -> int:
        zipped = len(next(iter(self.zip.values()))) if self.zip else 1
        return len(self.archs) * len(self.workloads) * zipped * math.prod(len(v) for v in self.axes().values())

    def fingerprint(self) -> str:
        """Hash of everything that decides the rows (a resumed sweep must match it)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _number_or_text(value: Scalar) -> Scalar:
    """YAML reads ``500e6`` as text; arithmetic without names becomes a number, other text stays."""
    if not isinstance(value, str):
        return value
    try:
        return to_number(value)
    except ExpressionError:
        return value


def load_sweep_spec(path: str | Path) -> tuple[SweepSpec, Document]:
    """Read and validate a sweep spec; file paths in it are resolved against its folder."""
    doc = load_document(path)
    spec = validate_model(SweepSpec, doc, doc.data, {})
    base = Path(path).parent
    spec = spec.model_copy(update={"arch": _resolve(spec.arch, base), "workload": _resolve(spec.workload, base)})
    return spec, doc


def _resolve(source: str | list[str], base: Path) -> str | list[str]:
    if isinstance(source, list):
        return [_resolve(s, base) for s in source]
    candidate = base / source
    return str(candidate) if candidate.exists() and not Path(source).is_absolute() else source
