"""Semantic checks of an Einsum cascade: names, ranks, shapes and cycles.

Only checks; :mod:`workloads.factory` builds the domain objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from specbase import Document, Problem
from workloads.expr import scalars
from workloads.resolve import Resolved
from workloads.schema import WorkloadSpec
from workloads.shapes import Dim, dependencies, find_cycle, input_ranks


def check_workload(doc: Document, spec: WorkloadSpec, resolved: Sequence[Resolved],
                   dims: Mapping[str, list[Dim]], sizes: Mapping[str, int],
                   params: Mapping[str, Any]) -> list[Problem]:
    def p(path: str, message: str, allowed: str | None = None) -> Problem:
        return Problem(doc.file, path, message, doc.line_of(path), allowed)

    problems = _declaration_checks(spec, sizes, params, p)
    written = {item.output.tensor for item in resolved}
    for item in resolved:
        problems += _einsum_checks(item, spec, dims, sizes, params, written, p)
    if spec.outputs is not None:
        problems += [p("outputs", f"{name!r} is not written by any Einsum", ", ".join(sorted(written)))
                     for name in spec.outputs if name not in written]
    if not problems:
        cycle = find_cycle(dependencies(resolved, spec.iterative_ranks))
        if cycle:
            problems.append(p("einsums", "dependency cycle: " + " -> ".join(cycle),
                              "cycles only through an iterative rank (write r+1, read r)"))
    return problems


def _declaration_checks(spec: WorkloadSpec, sizes: Mapping[str, int], params: Mapping[str, Any], p
                        ) -> list[Problem]:
    out = []
    for rank in spec.ranks:
        if rank in spec.batch_ranks:
            out.append(p(f"ranks.{rank}", "declared both as a rank and as a batch rank"))
        if rank in params:
            out.append(p(f"ranks.{rank}", f"rank {rank!r} has the name of a parameter; rename one"))
    for rank in spec.iterative_ranks:
        if rank not in spec.ranks:
            out.append(p("iterative_ranks", f"unknown rank {rank!r}", ", ".join(spec.ranks)))
    for name, ranks in input_ranks(spec).items():
        for rank in ranks:
            if rank not in sizes:
                out.append(p(f"inputs.{name}", f"unknown rank {rank!r}", ", ".join(sizes)))
    return out


def _einsum_checks(item: Resolved, spec: WorkloadSpec, dims: Mapping[str, list[Dim]],
                   sizes: Mapping[str, int], params: Mapping[str, Any], written: set[str], p
                   ) -> list[Problem]:
    out: list[str] = []
    st = item.statement
    if item.output.tensor in spec.inputs:
        out.append(f"writes input tensor {item.output.tensor!r}")
    lhs_ranks = list(item.output.ranks)
    for index in item.output.indices:
        if index.coeffs and index.single_rank is None:
            out.append(f"left-hand index {index} must be a rank plus a constant, or a constant")
    rank_terms = sum(len(i.coeffs) for i in item.output.indices)
    if len(lhs_ranks) != len(set(lhs_ranks)) or rank_terms != len(lhs_ranks):
        out.append("a rank appears twice on the left-hand side")
    rhs_ranks = {r for a in item.inputs for r in a.ranks}
    for rank in st.reduced:
        if rank not in sizes:
            out.append(f"reduces unknown rank {rank!r}")
        elif rank in lhs_ranks:
            out.append(f"reduces rank {rank!r}, which is also on the left-hand side")
        elif rank not in rhs_ranks:
            out.append(f"reduces rank {rank!r}, which no right-hand tensor uses")
    free = sorted(rhs_ranks - set(lhs_ranks) - set(st.reduced))
    if free:
        out.append(f"rank(s) {', '.join(free)} are not on the left-hand side; reduce them "
                   f"(e.g. sum_{free[0]} ...) or add them to the output")
    for name in scalars(st.expr):
        if not isinstance(params.get(name), int | float):
            out.append(f"unknown scalar {name!r}: a bare name must be a numeric parameter")
    for access in item.inputs:
        if access.tensor not in dims:
            known = ", ".join(sorted({*spec.inputs, *written}))
            out.append(f"reads undefined tensor {access.tensor!r} (inputs and written tensors: {known})")
            continue
        out += _shape_messages(access, dims[access.tensor], sizes, spec.iterative_ranks)
    return [p(item.path, f"{item.text!r}: {msg}") for msg in out]


def _shape_messages(access, tensor_dims: list[Dim], sizes: Mapping[str, int], iterative: Sequence[str]
                    ) -> list[str]:
    if len(access.indices) != len(tensor_dims):
        ranks = ", ".join(d.rank for d in tensor_dims)
        return [f"{access.tensor} has {len(tensor_dims)} ranks [{ranks}] but is indexed with "
                f"{len(access.indices)}"]
    out = []
    for position, (index, dim) in enumerate(zip(access.indices, tensor_dims, strict=True)):
        lo, hi = index.bounds(sizes)
        if lo < 0 or hi >= dim.extent:
            out.append(f"{access.tensor} index {position} ({index}) spans {lo}..{hi} but rank "
                       f"{dim.rank!r} has extent {dim.extent}")
            continue
        rank = index.single_rank
        if rank and index.offset == 0 and not _rank_fits(sizes[rank], dim, iterative):
            hint = ""
            if sizes[rank] == dim.extent - 1:
                hint = f"; if {access.tensor} carries a running value across {rank!r}, list it in iterative_ranks"
            out.append(f"rank mismatch: {access.tensor} index {position} is {rank!r} (size {sizes[rank]}) "
                       f"but the tensor's rank {dim.rank!r} has extent {dim.extent}{hint}")
    return out


def _rank_fits(size: int, dim: Dim, iterative: Sequence[str]) -> bool:
    """A plain rank index covers the dim: same extent, or one less on an iterative dim."""
    return size == dim.extent or (size == dim.extent - 1 and dim.rank in iterative)
