"""Build a frozen :class:`~workloads.model.Workload` from a checked spec."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from workloads.dtypes import dtype_bits
from workloads.model import Einsum, Tensor, Workload
from workloads.ops import ops_per_point
from workloads.resolve import Resolved
from workloads.schema import TensorDecl, WorkloadSpec
from workloads.shapes import Dim, dependencies


def build_workload(spec: WorkloadSpec, resolved: Sequence[Resolved], dims: Mapping[str, list[Dim]],
                   sizes: Mapping[str, int], params: Mapping[str, Any], file: str) -> Workload:
    return Workload(
        name=spec.name,
        description=spec.description,
        dtype=spec.dtype,
        ranks=MappingProxyType(dict(sizes)),
        batch_ranks=tuple(spec.batch_ranks),
        iterative_ranks=tuple(spec.iterative_ranks),
        tensors=MappingProxyType(_tensors(spec, resolved, dims)),
        einsums=tuple(_einsum(item, sizes) for item in resolved),
        dependencies=MappingProxyType(dependencies(resolved, spec.iterative_ranks)),
        parameters=MappingProxyType(dict(params)),
        sources=tuple(spec.sources),
        file=file,
    )


def _tensors(spec: WorkloadSpec, resolved: Sequence[Resolved], dims: Mapping[str, list[Dim]]
             ) -> dict[str, Tensor]:
    read = {a.tensor for item in resolved for a in item.inputs}
    written = {item.output.tensor for item in resolved}
    outputs = set(spec.outputs) if spec.outputs is not None else written - read
    out = {}
    for name, tensor_dims in dims.items():
        decl = spec.inputs.get(name)
        if decl is not None:
            role = "input"
            dtype = (decl.dtype if isinstance(decl, TensorDecl) else None) or spec.dtype
        else:
            role = "output" if name in outputs else "intermediate"
            dtype = spec.tensor_dtypes.get(name, spec.dtype)
        out[name] = Tensor(name, tuple(d.rank for d in tensor_dims), tuple(d.extent for d in tensor_dims),
                           dtype, dtype_bits(dtype), role)
    return out


def _einsum(item: Resolved, sizes: Mapping[str, int]) -> Einsum:
    st = item.statement
    lhs = list(item.output.ranks)
    ranks = [*lhs, *st.reduced]
    ranks += [r for a in item.inputs for r in a.ranks if r not in ranks]
    return Einsum(
        name=item.name,
        text=item.text,
        output=item.output,
        inputs=item.inputs,
        expr=st.expr,
        reduce_op=st.reduce_op,
        reduced_ranks=tuple(st.reduced),
        ranks=tuple(ranks),
        rank_sizes=MappingProxyType({r: sizes[r] for r in ranks}),
        ops_per_point=MappingProxyType(ops_per_point(st.expr, st.reduce_op)),
    )
