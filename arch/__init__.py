"""Hardware descriptions: YAML schema, validator, factory and presets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from arch.factory import build_arch
from arch.model import Architecture, ComputeUnit, Op, StorageLevel
from arch.validator import validate_arch
from specbase import Document
from specbase.parameters import declared_parameters
from specbase.presets import list_presets, open_spec, preset_document

PRESETS_DIR = Path(__file__).parent / "presets"

__all__ = ["PRESETS_DIR", "Architecture", "ComputeUnit", "Op", "StorageLevel", "arch_document",
           "declared_parameters", "load_arch", "presets"]


def presets() -> list[str]:
    return list_presets(PRESETS_DIR)


def arch_document(source: str | Path) -> Document:
    return preset_document(source, PRESETS_DIR, "architecture")


def load_arch(source: str | Path | Document, overrides: Mapping[str, Any] | None = None) -> Architecture:
    """Load an architecture from a file path, a preset name or a parsed document."""
    doc, params, data = open_spec(source, PRESETS_DIR, "architecture", overrides)
    spec, sections = validate_arch(doc, data, params)
    return build_arch(spec, sections, params, doc.file)
