"""Design points: the expansion of a sweep spec, and how one point's inputs are loaded."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import arch as arch_pkg
import workloads as workload_pkg
from arch import Architecture
from mapper.sweep.spec import Scalar, SweepSpec
from specbase import Document, Problem, SpecError
from workloads import Workload

_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$")


@dataclass(frozen=True)
class DesignPoint:
    """One combination of sweep values; ``key`` identifies it independently of order."""

    point_id: int
    key: str
    arch: str
    workload: str
    values: tuple[tuple[str, Scalar], ...]

    def scoped(self, scope: str) -> dict[str, Scalar]:
        return {k.partition(".")[2]: v for k, v in self.values if k.startswith(scope + ".")}


def expand_points(spec: SweepSpec) -> list[DesignPoint]:
    """Every design point, in a fixed order (arch, workload, zip, then grid axes)."""
    axes = spec.axes()
    zipped = list(zip(*spec.zip.values(), strict=True)) if spec.zip else [()]
    points = []
    combos = itertools.product(spec.archs, spec.workloads, zipped, itertools.product(*axes.values()))
    for index, (arch_src, workload_src, zip_vals, grid_vals) in enumerate(combos):
        values = (*zip(spec.zip, zip_vals, strict=True), *zip(axes, grid_vals, strict=True))
        points.append(DesignPoint(index, point_key(arch_src, workload_src, values), arch_src, workload_src,
                                  tuple(values)))
    return points


def point_key(arch_src: str, workload_src: str, values) -> str:
    text = json.dumps([arch_src, workload_src, sorted((k, v) for k, v in values)], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@lru_cache(maxsize=32)
def _arch_doc(source: str) -> Document:
    return arch_pkg.arch_document(source)


@lru_cache(maxsize=32)
def _workload_doc(source: str) -> Document:
    return workload_pkg.workload_document(source)


def load_point(point: DesignPoint) -> tuple[Architecture, Workload]:
    """The point's architecture and workload, with its values applied."""
    hw = _load(_arch_doc(point.arch), point.scoped("arch"), arch_pkg.declared_parameters, arch_pkg.load_arch)
    wl = _load(_workload_doc(point.workload), point.scoped("workload"), workload_pkg.declared_parameters,
               workload_pkg.load_workload)
    return hw, wl


def _load(doc: Document, values: Mapping[str, Scalar], declared, loader):
    params = declared(doc)
    overrides = {k: v for k, v in values.items() if k in params}
    patches = {k: v for k, v in values.items() if k not in params}
    if patches:
        data = copy.deepcopy(doc.data)
        for path, value in patches.items():
            _set_path(data, path, value, doc.file)
        doc = Document(doc.file, data, doc.lines)
    return loader(doc, overrides)


def check_keys(spec: SweepSpec, spec_doc: Document) -> None:
    """Every sweep key names a declared parameter or an existing field of every arch/workload."""
    problems = []
    for field in ("grid", "zip"):
        for key in getattr(spec, field):
            scope, _, rest = key.partition(".")
            sources = spec.archs if scope == "arch" else spec.workloads
            for source in sources:
                doc = _arch_doc(source) if scope == "arch" else _workload_doc(source)
                problem = _key_problem(doc, rest, scope)
                if problem:
                    path = f"{field}.{key}"
                    problems.append(Problem(spec_doc.file, path, f"{problem} in {doc.file}",
                                            spec_doc.line_of(path), _allowed(doc, scope)))
    if problems:
        raise SpecError(problems)


def _key_problem(doc: Document, rest: str, scope: str) -> str | None:
    declared = arch_pkg.declared_parameters(doc) if scope == "arch" else workload_pkg.declared_parameters(doc)
    if rest in declared:
        return None
    try:
        _set_path(copy.deepcopy(doc.data), rest, 0, doc.file)
    except SpecError as exc:
        return exc.problems[0].message
    return None


def _allowed(doc: Document, scope: str) -> str:
    declared = arch_pkg.declared_parameters(doc) if scope == "arch" else workload_pkg.declared_parameters(doc)
    names = ", ".join(f"{scope}.{n}" for n in declared) or "(no parameters declared)"
    return f"{names}; or a field path such as {scope}.clock_hz or {scope}.storage.NAME.FIELD"


def _tokens(path: str, file: str) -> list[str | int]:
    out: list[str | int] = []
    for segment in path.split("."):
        match = _SEGMENT.match(segment)
        if not match:
            raise SpecError.single(file, path, f"bad field path segment {segment!r}")
        out.append(match.group(1))
        out.extend(int(i) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    return out


def _set_path(data: Any, path: str, value: Scalar, file: str) -> None:
    tokens = _tokens(path, file)
    node = data
    in_item = False
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        if isinstance(node, list):
            index = _list_index(node, token, path, file)
            if last:
                node[index] = value
            node = node[index]
            in_item = True
        elif isinstance(node, dict):
            if last:
                if token not in node and not (in_item and _is_leaf_field(node)):
                    raise SpecError.single(file, path, f"no field {token!r}")
                node[token] = value
            elif token not in node:
                raise SpecError.single(file, path, f"no field {token!r}", allowed=", ".join(map(str, node)))
            node = node.get(token)
            in_item = False
        else:
            raise SpecError.single(file, path, f"cannot descend into {token!r}: not a mapping or list")


def _is_leaf_field(node: dict) -> bool:
    """Storage levels and compute units may gain optional fields they leave at defaults."""
    return "name" in node


def _list_index(node: list, token: str | int, path: str, file: str) -> int:
    if isinstance(token, int):
        if token >= len(node):
            raise SpecError.single(file, path, f"index {token} out of range (list has {len(node)} items)")
        return token
    names = [item.get("name") for item in node if isinstance(item, dict)]
    if token not in names:
        raise SpecError.single(file, path, f"no item named {token!r}", allowed=", ".join(map(str, names)))
    return names.index(token)
