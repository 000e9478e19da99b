"""The small public API that the CLI, the mapper, validation and the app call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import arch as arch_pkg
import workloads as workload_pkg
from arch import Architecture
from sim import firstorder
from sim.backends import backend_module
from sim.result import Result
from specbase import load_document, split_overrides
from workloads import Workload

MODELS = ("auto", "first-order")


@dataclass(frozen=True)
class Inputs:
    arch: Architecture
    workload: Workload
    mapping: Any = None


def load_inputs(arch_source: str | Path, workload_source: str | Path,
                overrides: Mapping[str, Any] | None = None, mapping_source: str | Path | None = None,
                model: str = "auto") -> Inputs:
    """Load both specs, routing ``--set`` overrides to the file that declares each name."""
    arch_doc = arch_pkg.arch_document(arch_source)
    workload_doc = workload_pkg.workload_document(workload_source)
    routed = split_overrides(overrides or {}, {
        "arch": arch_pkg.declared_parameters(arch_doc),
        "workload": workload_pkg.declared_parameters(workload_doc),
    })
    hardware = arch_pkg.load_arch(arch_doc, routed["arch"])
    workload = workload_pkg.load_workload(workload_doc, routed["workload"])
    mapping = None
    if mapping_source is not None:
        backend = _backend(hardware, model)
        mapping = backend.parse_mapping(load_document(mapping_source), hardware, workload)
    return Inputs(hardware, workload, mapping)


def run(hardware: Architecture, workload: Workload, mapping: Any = None, model: str = "auto") -> Result:
    """Simulate ``workload`` on ``hardware`` with the model for the hardware's kind."""
    backend = _backend(hardware, model)
    result = backend.run(hardware, workload, mapping)
    if backend is firstorder and hardware.kind not in ("spatial", "cpu") and model == "auto":
        note = f"no dedicated model for kind {hardware.kind!r} is installed; used the first-order model"
        result = _with_note(result, note)
    return result


def simulate(arch_source: str | Path, workload_source: str | Path, overrides: Mapping[str, Any] | None = None,
             mapping_source: str | Path | None = None, model: str = "auto") -> Result:
    """Load, then run: the one-call entry point."""
    inputs = load_inputs(arch_source, workload_source, overrides, mapping_source, model)
    return run(inputs.arch, inputs.workload, inputs.mapping, model)


def _backend(hardware: Architecture, model: str):
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; allowed: {', '.join(MODELS)}")
    if model == "first-order":
        return firstorder
    return backend_module(hardware.kind) or firstorder


def _with_note(result: Result, note: str) -> Result:
    return replace(result, notes=(*result.notes, note))


def presets() -> dict[str, Sequence[str]]:
    return {"arch": arch_pkg.presets(), "workloads": workload_pkg.presets()}
