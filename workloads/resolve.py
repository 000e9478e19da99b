"""Parse every Einsum of a validated spec and resolve its indices to affine forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from specbase import Document, Problem
from workloads.expr import Access, IndexExpr, Statement, accesses
from workloads.model import Affine, TensorAccess
from workloads.parser import EinsumSyntaxError, parse_einsum
from workloads.schema import EinsumDecl, WorkloadSpec


@dataclass(frozen=True)
class Resolved:
    """One parsed Einsum with indices resolved against ranks and parameters."""

    position: int
    name: str
    text: str
    statement: Statement
    output: TensorAccess
    inputs: tuple[TensorAccess, ...]

    @property
    def path(self) -> str:
        return f"einsums[{self.position}]"


def rank_sizes(spec: WorkloadSpec) -> dict[str, int]:
    return {**spec.batch_ranks, **spec.ranks}


def resolve_all(doc: Document, spec: WorkloadSpec, params: Mapping[str, Any]
                ) -> tuple[list[Resolved], list[Problem]]:
    problems: list[Problem] = []
    out: list[Resolved] = []
    names = _einsum_names(spec)
    ranks = rank_sizes(spec)
    for position, (item, name) in enumerate(zip(spec.einsums, names, strict=True)):
        text = item.einsum if isinstance(item, EinsumDecl) else item
        path = f"einsums[{position}]" + (".einsum" if isinstance(item, EinsumDecl) else "")
        try:
            statement = parse_einsum(text)
        except EinsumSyntaxError as exc:
            problems.append(Problem(doc.file, path, str(exc), doc.line_of(path)))
            continue
        local: list[str] = []
        output = _access(statement.output, ranks, params, spec.batch_ranks, local)
        inputs = tuple(_access(a, ranks, params, spec.batch_ranks, local) for a in accesses(statement.expr))
        problems.extend(Problem(doc.file, path, f"{text!r}: {msg}", doc.line_of(path)) for msg in local)
        out.append(Resolved(position, name, text, statement, output, inputs))
    return out, problems


def _einsum_names(spec: WorkloadSpec) -> list[str]:
    names: list[str] = []
    for item in spec.einsums:
        if isinstance(item, EinsumDecl):
            names.append(item.name)
            continue
        base = item.split("[", 1)[0].strip() or "einsum"
        name, k = base, 2
        while name in names:
            name, k = f"{base}#{k}", k + 1
        names.append(name)
    return names


def _access(access: Access, ranks: Mapping[str, int], params: Mapping[str, Any],
            batch: Mapping[str, int], problems: list[str]) -> TensorAccess:
    indices = tuple(_affine(index, ranks, params, batch, problems) for index in access.indices)
    prefix = tuple(Affine(MappingProxyType({r: 1}), 0) for r in batch)
    return TensorAccess(access.tensor, prefix + indices)


def _affine(index: IndexExpr, ranks: Mapping[str, int], params: Mapping[str, Any],
            batch: Mapping[str, int], problems: list[str]) -> Affine:
    coeffs: dict[str, int] = {}
    offset = index.const
    for names, c in index.terms:
        rank_names = [n for n in names if n in ranks]
        value = c
        for n in names:
            if n in batch:
                problems.append(f"batch rank {n!r} is implicit on every tensor; leave it out of indices")
            elif n in ranks:
                continue
            elif isinstance(params.get(n), int):
                value *= params[n]
            else:
                problems.append(_unknown_index_name(n, ranks, params))
        if len(rank_names) > 1:
            problems.append(f"index {index} is not affine: {'*'.join(rank_names)} multiplies ranks")
        elif rank_names:
            coeffs[rank_names[0]] = coeffs.get(rank_names[0], 0) + value
        else:
            offset += value
    return Affine(MappingProxyType({r: c for r, c in coeffs.items() if c}), offset)


def _unknown_index_name(name: str, ranks: Mapping[str, int], params: Mapping[str, Any]) -> str:
    ints = sorted(k for k, v in params.items() if isinstance(v, int))
    return (f"unknown name {name!r} in an index (ranks: {', '.join(ranks)}; "
            f"integer parameters: {', '.join(ints) or 'none'})")
