"""Workloads as Einsum cascades: grammar, IR, checks and presets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from specbase import Document, Problem, SpecError, validate_model
from specbase.parameters import declared_parameters
from specbase.presets import list_presets, open_spec, preset_document
from workloads.checks import check_workload
from workloads.factory import build_workload
from workloads.generators import GENERATORS, generator
from workloads.model import Affine, Einsum, Tensor, TensorAccess, Workload
from workloads.resolve import rank_sizes, resolve_all
from workloads.schema import WorkloadSpec
from workloads.shapes import infer_dims

PRESETS_DIR = Path(__file__).parent / "presets"

__all__ = ["PRESETS_DIR", "Affine", "Einsum", "Tensor", "TensorAccess", "Workload", "declared_parameters",
           "load_workload", "presets", "workload_document"]


def presets() -> list[str]:
    return list_presets(PRESETS_DIR)


def workload_document(source: str | Path) -> Document:
    return preset_document(source, PRESETS_DIR, "workload")


def load_workload(source: str | Path | Document, overrides: Mapping[str, Any] | None = None) -> Workload:
    """Load a workload from a file path, a preset name or a parsed document."""
    doc, params, data = open_spec(source, PRESETS_DIR, "workload", overrides, skip=("parameters", "einsums"))
    if "generate" in data:
        data = _generate(doc, data, params)
    spec = validate_model(WorkloadSpec, doc, data, params)
    resolved, problems = resolve_all(doc, spec, params)
    sizes = rank_sizes(spec)
    dims = infer_dims(resolved, spec, sizes) if not problems else {}
    if not problems:
        problems = check_workload(doc, spec, resolved, dims, sizes, params)
    if problems:
        raise SpecError(problems)
    return build_workload(spec, resolved, dims, sizes, params, doc.file)


def _generate(doc: Document, data: dict, params: Mapping[str, Any]) -> dict:
    name = data["generate"]
    if name not in GENERATORS:
        raise SpecError([Problem(doc.file, "generate", f"unknown generator {name!r}", doc.line_of("generate"),
                                 ", ".join(sorted(GENERATORS)) or "(none registered)")])
    try:
        generated = generator(name)(dict(params))
    except (ValueError, KeyError) as exc:
        raise SpecError([Problem(doc.file, "parameters", f"generator {name!r}: {exc}",
                                 doc.line_of("parameters"))]) from None
    return {"parameters": data.get("parameters", {}), **generated}
