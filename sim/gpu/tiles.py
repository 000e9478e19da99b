"""What one CTA does per main-loop step: ops per unit, passes, tensor footprints.

Ops come from the Einsum cascade (ops per iteration point) times the CTA's extent of each
rank: grid ranks contribute their tile, loop ranks their step, other ranks their full size.
A contraction (sum of a product of two tensors) runs on tensor cores when its dtype has a
tensor-core rate; exp/div/sqrt/log run on the special-function units (a divide is a
reciprocal plus a multiply); add/mul/max/FMA run on the FP32 lanes. An add whose operand is
a tensor-core result of the same kernel is folded into the MMA accumulator (free).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from workloads import Einsum, TensorAccess, Workload

SFU_OPS = ("exp", "div", "sqrt", "log")
ALU_OPS = ("add", "mul", "max", "mac")


@dataclass(frozen=True)
class EinsumWork:
    """One Einsum inside a kernel, per execution (one loop step, or once per CTA)."""

    name: str
    unit: str            # "tc", "sfu", "alu", "view"
    in_loop: bool
    pass_index: int
    tc_flops: float
    sfu_ops: float
    alu_ops: float
    dtype: str


def extents(workload: Workload, grid: Mapping[str, int], loop: Mapping[str, int]) -> dict[str, int]:
    """Elements of each rank one CTA covers in one step (tiles are padded, never clipped)."""
    return {**rank_sizes(workload), **grid, **loop}


def rank_sizes(workload: Workload) -> dict[str, int]:
    return {r: int(s) for r, s in workload.ranks.items()}


def is_tensor_core(workload: Workload, einsum: Einsum, tc_dtypes) -> bool:
    if einsum.reduce_op != "sum" or "mac" not in einsum.ops_per_point or len(einsum.inputs) != 2:
        return False
    if not einsum.reduced_ranks or len(einsum.input_tensors) != 2:
        return False
    return input_dtype(workload, einsum) in tc_dtypes


def input_dtype(workload: Workload, einsum: Einsum) -> str:
    name = einsum.inputs[0].tensor if einsum.inputs else einsum.output.tensor
    return workload.tensor(name).dtype


def points(einsum: Einsum, ext: Mapping[str, int]) -> float:
    return float(math.prod(ext.get(r, einsum.rank_sizes[r]) for r in einsum.ranks))


def classify(workload: Workload, einsums: tuple[Einsum, ...], loop_ranks: set[str], tc_dtypes,
             ext: Mapping[str, int]) -> tuple[EinsumWork, ...]:
    """Per-execution work of each Einsum, with its unit and pass."""
    tc_outputs = {e.output.tensor for e in einsums if is_tensor_core(workload, e, tc_dtypes)}
    passes = pass_indices(einsums, loop_ranks)
    out = []
    for e in einsums:
        n = points(e, ext)
        ops = e.ops_per_point
        in_loop = bool(set(e.ranks) & loop_ranks)
        dtype = input_dtype(workload, e)
        if e.is_copy:
            out.append(EinsumWork(e.name, "view", in_loop, passes[e.name], 0.0, 0.0, 0.0, dtype))
        elif e.output.tensor in tc_outputs:
            out.append(EinsumWork(e.name, "tc", in_loop, passes[e.name], 2.0 * ops["mac"] * n, 0.0, 0.0, dtype))
        elif _accumulate(e, tc_outputs):
            out.append(EinsumWork(e.name, "view", in_loop, passes[e.name], 0.0, 0.0, 0.0, dtype))
        else:
            sfu = sum(ops.get(k, 0) for k in SFU_OPS) * n
            alu = (sum(ops.get(k, 0) for k in ALU_OPS) + ops.get("div", 0)) * n
            unit = "sfu" if sfu and sfu >= alu / 8 else "alu"
            out.append(EinsumWork(e.name, unit, in_loop, passes[e.name], 0.0, float(sfu), float(alu), dtype))
    return tuple(out)


def _accumulate(e: Einsum, tc_outputs: set[str]) -> bool:
    return (dict(e.ops_per_point) == {"add": 1} and e.reduce_op is None and len(e.inputs) == 2
            and bool(set(e.input_tensors) & tc_outputs))


def pass_indices(einsums: tuple[Einsum, ...], loop_ranks: set[str]) -> dict[str, int]:
    """Sweep over the loop ranks each Einsum belongs to.

    A tensor is complete only after a sweep when its producer reduces over a loop rank, or
    when the producer writes it step by step (an iterative running value) and the consumer
    reads it at a fixed position (e.g. ``RM[r, N1]``). A consumer of such a tensor starts
    the next pass.
    """
    producer = {e.output.tensor: e for e in einsums}
    index: dict[str, int] = {}
    for e in einsums:
        p = 0
        for access in e.inputs:
            src = producer.get(access.tensor)
            if src is None or src.name not in index or src is e:
                continue
            p = max(p, index[src.name] + (1 if _after_sweep(src, access, loop_ranks) else 0))
        index[e.name] = p
    return index


def _after_sweep(src: Einsum, access: TensorAccess, loop_ranks: set[str]) -> bool:
    if not set(src.ranks) & loop_ranks:
        return False
    if set(src.reduced_ranks) & loop_ranks:
        return True
    return not (set(src.output.ranks) & loop_ranks) <= set(access.ranks)


def footprint_elements(access: TensorAccess, ext: Mapping[str, int], sizes: Mapping[str, int],
                       shape: tuple[int, ...]) -> float:
    """Elements of a tensor one CTA step touches through ``access`` (clipped to the tensor)."""
    total = 1.0
    for index, dim in zip(access.indices, shape, strict=False):
        clipped = {r: min(ext.get(r, sizes.get(r, 1)), sizes.get(r, 1)) for r in index.coeffs}
        lo, hi = index.bounds(clipped) if index.coeffs else (0, 0)
        total *= min(hi - lo + 1, dim)
    return total
