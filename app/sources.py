"""Where the dashboard's specs come from (presets, uploads) and how a design is run.

Everything here goes through :mod:`sim.api` and the arch/workload loaders, exactly as
the ``sim run`` command does, so a bad file gives the same :class:`SpecError`.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import arch as arch_pkg
import workloads as workload_pkg
from arch import Architecture
from sim import api
from sim.backends import backend_module
from sim.result import Result
from specbase import Document, parse_document, parse_overrides
from specbase.presets import resolve_spec_path
from workloads import Workload

UPLOAD_ROOT = Path(tempfile.gettempdir()) / "einsim-dashboard" / "uploads"
SCOPES = ("arch", "workload")


@dataclass(frozen=True)
class Design:
    """A run's inputs and its result (the dashboard keeps these in session state)."""

    label: str
    hardware: Architecture
    workload: Workload
    result: Result


def save_upload(name: str, data: bytes) -> Path:
    """Store uploaded bytes under their original file name (errors then name that file)."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    folder = UPLOAD_ROOT / digest
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(name).name
    path.write_bytes(data)
    return path


def display_name(file: str) -> str:
    """An uploaded file's own name instead of its temporary path; other names unchanged."""
    path = Path(file)
    return path.name if UPLOAD_ROOT in path.parents else file


def document(scope: str, source: str | Path) -> Document:
    if scope == "arch":
        return arch_pkg.arch_document(source)
    return workload_pkg.workload_document(source)


def declared_parameters(scope: str, source: str | Path) -> dict[str, Any]:
    """The parameters a spec declares, with their values as written."""
    doc = document(scope, source)
    declared = arch_pkg.declared_parameters(doc) if scope == "arch" else workload_pkg.declared_parameters(doc)
    return dict(declared)


def override_items(scope: str, defaults: Mapping[str, Any], edited: Mapping[str, str]) -> list[str]:
    """``scope.NAME=VALUE`` items (as ``--set`` takes them) for each edited value that differs."""
    items = []
    for name, text in edited.items():
        text = str(text).strip()
        if name in defaults and text and text != str(defaults[name]):
            items.append(f"{scope}.{name}={text}")
    return items


def load_mapping_text(text: str, hardware: Architecture, workload: Workload, file: str = "stored mapping") -> Any:
    """A mapping from YAML text (e.g. the one a sweep stored with a point), parsed by the kind's backend."""
    backend = backend_module(hardware.kind)
    if backend is None:
        return None
    return backend.parse_mapping(parse_document(text, file), hardware, workload)


def run_design(arch_source: str | Path, workload_source: str | Path, items: list[str] | None = None,
               mapping_source: str | Path | None = None, model: str = "auto", label: str = "") -> Design:
    """Load both specs with the ``--set`` items applied, then simulate (as ``sim run``)."""
    inputs = api.load_inputs(arch_source, workload_source, parse_overrides(items or []), mapping_source, model)
    result = api.run(inputs.arch, inputs.workload, inputs.mapping, model)
    return Design(label or f"{result.workload} on {result.arch}", inputs.arch, inputs.workload, result)


def presets(scope: str) -> list[str]:
    return list(api.presets()["arch" if scope == "arch" else "workloads"])


def preset_text(scope: str, name: str) -> str:
    """The YAML text of a preset (the starting point of an edited spec)."""
    presets_dir = arch_pkg.PRESETS_DIR if scope == "arch" else workload_pkg.PRESETS_DIR
    return resolve_spec_path(name, presets_dir, "architecture" if scope == "arch" else "workload").read_text()
