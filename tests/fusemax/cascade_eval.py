"""A small numpy interpreter of Einsum cascades, used to check that the presets compute attention.

It evaluates every Einsum of a loaded :class:`~workloads.Workload` over its whole iteration
space with broadcasting. Einsums over an iterative rank run one value of that rank at a time,
in cascade order, so running values (``RM[m1+1] = max(RM[m1], LM[m1])``) see the previous step.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from workloads import Einsum, Workload
from workloads.expr import Access, Binary, Call, Number, Scalar, Unary

_REDUCE = {"sum": np.sum, "max": np.max, "min": np.min, "prod": np.prod}
_CALLS = {"exp": np.exp, "sqrt": np.sqrt, "log": np.log, "abs": np.abs, "recip": lambda x: 1.0 / x}
_BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


def evaluate(workload: Workload, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """All tensors of ``workload`` (float64), given its inputs."""
    values = {name: np.asarray(inputs[name], dtype=np.float64) for name in (t.name for t in workload.inputs)}
    for tensor in workload.tensors.values():
        values.setdefault(tensor.name, np.zeros(tensor.shape))
    iterative = set(workload.iterative_ranks)
    before, body, after = _phases(workload, iterative)
    for einsum in before:
        _run(einsum, values, workload, {})
    if body:
        rank = next(r for r in body[0].ranks if r in iterative)
        for step in range(workload.ranks[rank]):
            for einsum in body:
                _run(einsum, values, workload, {rank: step})
    for einsum in after:
        _run(einsum, values, workload, {})
    return values


def _phases(workload: Workload, iterative: set[str]):
    body = [e for e in workload.einsums if iterative & set(e.ranks)]
    after_names: set[str] = set()
    for einsum in workload.einsums:
        deps = workload.dependencies[einsum.name]
        if einsum not in body and any(d in after_names or d in {b.name for b in body} for d in deps):
            after_names.add(einsum.name)
    before = [e for e in workload.einsums if e not in body and e.name not in after_names]
    after = [e for e in workload.einsums if e.name in after_names]
    return before, body, after


def _run(einsum: Einsum, values: dict[str, np.ndarray], workload: Workload, fixed: Mapping[str, int]) -> None:
    ranks = list(einsum.ranks)
    grids = {r: _axis(i, len(ranks), fixed.get(r), einsum.rank_sizes[r]) for i, r in enumerate(ranks)}
    reads = iter(einsum.inputs)
    value = _expr(einsum.expr, reads, values, grids, workload)
    shape = np.broadcast_shapes(*(g.shape for g in grids.values()))
    value = np.broadcast_to(value, shape)
    if einsum.reduce_op is not None:
        axes = tuple(ranks.index(r) for r in einsum.reduced_ranks)
        value = _REDUCE[einsum.reduce_op](value, axis=axes, keepdims=True)
    out_index = _index(einsum.output, grids, value.shape)
    values[einsum.output.tensor][out_index] = value


def _axis(position: int, count: int, fixed: int | None, size: int) -> np.ndarray:
    shape = [1] * count
    if fixed is not None:
        return np.full(shape, fixed)
    shape[position] = size
    return np.arange(size).reshape(shape)


def _index(access, grids: Mapping[str, np.ndarray], shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    out = []
    for affine in access.indices:
        index = np.full([1] * len(shape), affine.offset)
        for rank, coeff in affine.coeffs.items():
            index = index + coeff * grids[rank]
        out.append(np.broadcast_to(index, np.broadcast_shapes(index.shape, *(g.shape for g in grids.values()))))
    target = np.broadcast_shapes(*(i.shape for i in out), shape) if out else shape
    return tuple(np.broadcast_to(i, target) for i in out)


def _expr(node, reads: Iterator, values, grids, workload) -> np.ndarray:
    if isinstance(node, Number):
        return np.asarray(node.value)
    if isinstance(node, Scalar):
        return np.asarray(float(workload.parameters[node.name]))
    if isinstance(node, Access):
        access = next(reads)
        shape = np.broadcast_shapes(*(g.shape for g in grids.values()))
        return values[access.tensor][_index(access, grids, shape)]
    if isinstance(node, Unary):
        return -_expr(node.arg, reads, values, grids, workload)
    if isinstance(node, Binary):
        left = _expr(node.left, reads, values, grids, workload)
        return _BINARY[node.op](left, _expr(node.right, reads, values, grids, workload))
    if isinstance(node, Call):
        args = [_expr(a, reads, values, grids, workload) for a in node.args]
        if node.func in ("max", "min"):
            fold = np.maximum if node.func == "max" else np.minimum
            out = args[0]
            for arg in args[1:]:
                out = fold(out, arg)
            return out
        return _CALLS[node.func](args[0])
    raise TypeError(f"unknown node {node!r}")
