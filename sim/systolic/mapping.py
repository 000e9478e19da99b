"""Mapping files for the systolic backend: dataflow and operand roles per Einsum.

    dataflow: os                 # optional; overrides the architecture's dataflow
    einsums:
      QK: {dataflow: ws, ifmap: K}   # K streams as the ifmap, the other input as the filter
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from arch.systolic import Dataflow
from specbase import Document, Problem, SpecError, validate_model


class EinsumMappingSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    dataflow: Dataflow | None = Field(None, description="Dataflow for this Einsum (os, ws, is).")
    ifmap: str | None = Field(None, description="Input tensor streamed as the ifmap (default: the first).")


class SystolicMappingSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    dataflow: Dataflow | None = Field(None, description="Dataflow for every Einsum (os, ws, is).")
    einsums: dict[str, EinsumMappingSpec] = Field(default_factory=dict,
                                                  description="Per-Einsum choices, by Einsum name.")


@dataclass(frozen=True)
class EinsumChoice:
    dataflow: str | None = None
    ifmap: str | None = None


@dataclass(frozen=True)
class SystolicMapping:
    dataflow: str | None = None
    einsums: Mapping[str, EinsumChoice] = field(default_factory=lambda: MappingProxyType({}))

    def choice(self, einsum: str, default_dataflow: str) -> EinsumChoice:
        chosen = self.einsums.get(einsum, EinsumChoice())
        return EinsumChoice(chosen.dataflow or self.dataflow or default_dataflow, chosen.ifmap)


def parse_mapping(doc: Document, arch, workload) -> SystolicMapping:
    try:
        spec = validate_model(SystolicMappingSpec, doc, doc.data, {})
    except SpecError as exc:
        raise SpecError([_with_allowed(p) for p in exc.problems]) from None
    problems = []
    names = {e.name: e for e in workload.einsums}
    for name, choice in spec.einsums.items():
        path = f"einsums.{name}"
        if name not in names:
            problems.append(Problem(doc.file, path, f"no Einsum {name!r} in the workload",
                                    doc.line_of(path), ", ".join(names)))
        elif choice.ifmap is not None and choice.ifmap not in names[name].input_tensors:
            problems.append(Problem(doc.file, f"{path}.ifmap", f"{choice.ifmap!r} is not an input",
                                    doc.line_of(f"{path}.ifmap"),
                                    ", ".join(names[name].input_tensors)))
    if problems:
        raise SpecError(problems)
    choices = {n: EinsumChoice(c.dataflow, c.ifmap) for n, c in spec.einsums.items()}
    return SystolicMapping(spec.dataflow, MappingProxyType(choices))


def _with_allowed(problem: Problem) -> Problem:
    if problem.message != "unknown field" or problem.allowed:
        return problem
    model = EinsumMappingSpec if problem.path.startswith("einsums.") else SystolicMappingSpec
    return replace(problem, allowed=", ".join(model.model_fields))
