"""Validate an architecture document: schema, sections and cross-field rules.

The validator only checks; :mod:`arch.factory` builds the domain objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from arch.schema import ArchSpec
from arch.sections import SECTIONS, section_model
from specbase import Document, Problem, SpecError, validate_model


def validate_arch(doc: Document, data: Mapping[str, Any], params: Mapping[str, Any]
                  ) -> tuple[ArchSpec, dict[str, BaseModel]]:
    """Check everything and report all problems of the file at once."""
    problems: list[Problem] = []
    base = {k: v for k, v in data.items() if k not in SECTIONS}
    allowed = sorted([*ArchSpec.model_fields, *SECTIONS])
    spec = _collect(problems, lambda: validate_model(ArchSpec, doc, base, params))
    sections = {}
    for name in SECTIONS:
        if data.get(name) is not None:
            model = section_model(name)
            section = _collect(problems, lambda m=model, n=name: validate_model(m, doc, data[n], params, (n,)))
            if section is not None:
                sections[name] = section
    if spec is not None:
        problems.extend(_cross_checks(doc, spec))
    problems = [p if p.message != "unknown field" or "." in p.path
                else Problem(p.file, p.path, p.message, p.line, ", ".join(allowed)) for p in problems]
    if problems:
        raise SpecError(problems)
    return spec, sections


def _collect(problems: list[Problem], build):
    try:
        return build()
    except SpecError as exc:
        problems.extend(exc.problems)
        return None


def _cross_checks(doc: Document, spec: ArchSpec) -> list[Problem]:
    problems = _unique(doc, "storage", [s.name for s in spec.storage])
    problems += _unique(doc, "compute", [u.name for u in spec.compute])
    levels = [s.name for s in spec.storage]
    for i, level in enumerate(spec.storage):
        problems += _bandwidth_checks(doc, f"storage[{i}]", level)
    for i, unit in enumerate(spec.compute):
        path = f"compute[{i}]"
        if unit.storage not in levels:
            problems.append(_p(doc, f"{path}.storage", f"unknown storage level {unit.storage!r}",
                               ", ".join(levels) or "(no storage levels declared)"))
        problems += _op_checks(doc, path, unit.ops)
    return problems


def _unique(doc: Document, path: str, names: list[str]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for i, name in enumerate(names):
        if name in seen:
            out.append(_p(doc, f"{path}[{i}].name", f"duplicate name {name!r}"))
        seen.add(name)
    return out


def _bandwidth_checks(doc: Document, path: str, level) -> list[Problem]:
    per_cycle = level.read_bandwidth_bytes_per_cycle is not None
    per_s = level.bandwidth_bytes_per_s is not None
    if per_cycle and per_s:
        return [_p(doc, path, "give read bandwidth once",
                   "read_bandwidth_bytes_per_cycle or bandwidth_bytes_per_s, not both")]
    if not per_cycle and not per_s:
        return [_p(doc, path, "missing read bandwidth",
                   "read_bandwidth_bytes_per_cycle or bandwidth_bytes_per_s")]
    return []


def _op_checks(doc: Document, path: str, ops: Mapping[str, Any]) -> list[Problem]:
    out = []
    native = [k for k, o in ops.items() if not o.implemented_as]
    for kind, op in ops.items():
        where = f"{path}.ops.{kind}"
        if op.implemented_as:
            bad = [k for k in op.implemented_as if k not in native]
            if bad:
                out.append(_p(doc, f"{where}.implemented_as", f"not native ops of this unit: {', '.join(bad)}",
                              ", ".join(native) or "(no native ops)"))
            if op.ops_per_cycle or op.cycles_per_op:
                out.append(_p(doc, where, "an implemented_as op takes its rate from the native ops",
                              "implemented_as alone"))
        elif op.ops_per_cycle and op.cycles_per_op:
            out.append(_p(doc, where, "give the rate once", "ops_per_cycle or cycles_per_op"))
    return out


def _p(doc: Document, path: str, message: str, allowed: str | None = None) -> Problem:
    return Problem(doc.file, path, message, doc.line_of(path), allowed)
