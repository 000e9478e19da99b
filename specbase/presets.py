"""Find spec files by path or by preset name, and open them with parameters resolved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from specbase.document import Document, load_document
from specbase.errors import SpecError
from specbase.parameters import declared_parameters, resolve_parameters, substitute_templates


def resolve_spec_path(source: str | Path, presets_dir: Path, what: str) -> Path:
    """A path as given if it exists, else ``presets_dir/<source>.yaml``."""
    path = Path(source)
    if path.exists():
        return path
    candidate = presets_dir / f"{source}.yaml"
    if candidate.exists():
        return candidate
    packaged = presets_dir / path.name
    if path.parent.name == "presets" and packaged.exists():
        return packaged
    names = ", ".join(list_presets(presets_dir))
    raise SpecError.single(str(source), "", f"no such {what} file or preset", allowed=names)


def list_presets(presets_dir: Path) -> list[str]:
    return sorted(p.stem for p in presets_dir.glob("*.yaml"))


def preset_document(source: str | Path, presets_dir: Path, what: str) -> Document:
    return load_document(resolve_spec_path(source, presets_dir, what))


def open_spec(source: str | Path | Document, presets_dir: Path, what: str, overrides: Mapping[str, Any] | None,
              skip: Iterable[str] = ("parameters",)) -> tuple[Document, dict[str, Any], Any]:
    """The document, its resolved parameters and its data with ``${expr}`` templates filled in."""
    doc = source if isinstance(source, Document) else preset_document(source, presets_dir, what)
    params = resolve_parameters(declared_parameters(doc), overrides or {}, doc.file)
    return doc, params, substitute_templates(doc.data, params, doc.file, skip=skip)
