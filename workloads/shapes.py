"""Tensor shapes inferred from inputs and writers, and the dependency graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from workloads.model import Affine
from workloads.resolve import Resolved
from workloads.schema import TensorDecl, WorkloadSpec


@dataclass(frozen=True)
class Dim:
    rank: str
    extent: int


def input_ranks(spec: WorkloadSpec) -> dict[str, list[str]]:
    out = {}
    for name, decl in spec.inputs.items():
        ranks = decl.ranks if isinstance(decl, TensorDecl) else decl
        out[name] = [*spec.batch_ranks, *ranks]
    return out


def infer_dims(resolved: Sequence[Resolved], spec: WorkloadSpec, sizes: Mapping[str, int]
               ) -> dict[str, list[Dim]]:
    """Dims of every tensor; written tensors take extents from all their writers."""
    dims = {name: [Dim(r, sizes.get(r, 1)) for r in ranks] for name, ranks in input_ranks(spec).items()}
    written: dict[str, list[list[tuple[str | None, int]]]] = {}
    for item in resolved:
        if item.output.tensor in dims:
            continue
        entry = [(index.single_rank, index.bounds(sizes)[1] + 1) for index in item.output.indices]
        written.setdefault(item.output.tensor, []).append(entry)
    for tensor, entries in written.items():
        width = max(len(e) for e in entries)
        out = []
        for i in range(width):
            names = [e[i][0] for e in entries if i < len(e) and e[i][0]]
            extent = max(e[i][1] for e in entries if i < len(e))
            out.append(Dim(names[0] if names else f"{tensor}_{i}", extent))
        dims[tensor] = out
    return dims


def is_loop_carried(read: Affine, write: Affine, iterative: Sequence[str]) -> bool:
    """A read at ``r + j`` of a value written at ``r + k`` with ``j < k`` on an iterative rank."""
    rank = write.single_rank
    return (rank is not None and rank in iterative and read.single_rank == rank
            and read.offset < write.offset)


def dependencies(resolved: Sequence[Resolved], iterative: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Einsum -> Einsums it must follow within one iteration (loop-carried reads excluded)."""
    deps: dict[str, list[str]] = {item.name: [] for item in resolved}
    for reader in resolved:
        for read in reader.inputs:
            for writer in resolved:
                if writer.output.tensor != read.tensor:
                    continue
                carried = any(is_loop_carried(r, w, iterative)
                              for r, w in zip(read.indices, writer.output.indices, strict=False))
                if not carried and writer.name not in deps[reader.name]:
                    deps[reader.name].append(writer.name)
    return {name: tuple(d) for name, d in deps.items()}


def find_cycle(deps: Mapping[str, Sequence[str]]) -> list[str] | None:
    """One dependency cycle as a list of Einsum names, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in deps.get(node, ()):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in deps:
        if node not in state and (cycle := visit(node)):
            return cycle
    return None
