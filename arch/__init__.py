"""Hardware descriptions: YAML schema, validator, factory and presets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from arch.factory import build_arch
from arch.model import Architecture, ComputeUnit, Op, StorageLevel
from arch.validator import validate_arch
from specbase import Document, SpecError, load_document, resolve_parameters
from specbase.parameters import substitute_templates
from specbase.presets import list_presets, resolve_spec_path

PRESETS_DIR = Path(__file__).parent / "presets"

__all__ = ["PRESETS_DIR", "Architecture", "ComputeUnit", "Op", "StorageLevel", "declared_parameters",
           "load_arch", "presets"]


def presets() -> list[str]:
    return list_presets(PRESETS_DIR)


def arch_document(source: str | Path) -> Document:
    return load_document(resolve_spec_path(source, PRESETS_DIR, "architecture"))


def declared_parameters(doc: Document) -> dict[str, Any]:
    params = doc.data.get("parameters") or {}
    if not isinstance(params, dict):
        raise SpecError.single(doc.file, "parameters", "must be a mapping of NAME: value",
                               line=doc.line_of("parameters"))
    return params


def load_arch(source: str | Path | Document, overrides: Mapping[str, Any] | None = None) -> Architecture:
    """Load an architecture from a file path, a preset name or a parsed document."""
    doc = source if isinstance(source, Document) else arch_document(source)
    params = resolve_parameters(declared_parameters(doc), overrides or {}, doc.file)
    data = substitute_templates(doc.data, params, doc.file)
    spec, sections = validate_arch(doc, data, params)
    return build_arch(spec, sections, params, doc.file)
