"""Lower a multiply-accumulate Einsum to the im2col layer a systolic array runs.

``Z[out] = sum_red A[...] * B[...]``: A streams as the ifmap, B as the filter (a mapping may
swap them).  Ranks split by where they appear:

* batch: in the output and both inputs -> independent repeats of the layer;
* pixel: in the output and A only -> rows of the ifmap matrix (GEMM M);
* filter: in the output and B only -> filters (GEMM N);
* window: reduced -> the reduction (GEMM K).

An A index ``stride*p + r`` (p a pixel rank, r a window rank) makes the layer a convolution
with that stride; up to two such indices (height, width) are allowed, and the remaining
window ranks become channels.  Without such indices the Einsum is a GEMM, its pixel ranks
flattened into M.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.systolic.layer import ConvLayer
from workloads import Einsum, Tensor, TensorAccess, Workload

MAC_OPS = ({"mac": 1}, {"mul": 1, "add": 1})


class LoweringError(ValueError):
    """The Einsum is not a product of two tensors summed over ranks a systolic array runs."""


@dataclass(frozen=True)
class LoweredEinsum:
    einsum: str
    layer: ConvLayer
    repeats: int
    ifmap: str
    filter: str
    output: str
    batch_ranks: tuple[str, ...]


def lower(workload: Workload, einsum: Einsum, ifmap_tensor: str | None = None) -> LoweredEinsum:
    if dict(einsum.ops_per_point) not in MAC_OPS or len(einsum.inputs) != 2:
        raise LoweringError(f"Einsum {einsum.name!r} ({einsum.text}) is not a two-input "
                            f"multiply-accumulate; its ops per point are {dict(einsum.ops_per_point)}")
    a, b = _ordered(einsum, ifmap_tensor)
    sizes = einsum.rank_sizes
    out, ranks_a, ranks_b = set(einsum.output.ranks), set(a.ranks), set(b.ranks)
    batch = [r for r in einsum.output.ranks if r in ranks_a and r in ranks_b]
    pixel = [r for r in einsum.ranks if r in out and r in ranks_a and r not in ranks_b]
    filters = [r for r in einsum.ranks if r in out and r in ranks_b and r not in ranks_a]
    window = list(einsum.reduced_ranks)
    stray = out - set(batch) - set(pixel) - set(filters)
    if stray:
        raise LoweringError(f"Einsum {einsum.name!r}: output ranks {sorted(stray)} come from "
                            f"neither input")
    repeats = math.prod(sizes[r] for r in batch)
    conv_dims = [i for i, index in enumerate(a.indices) if len(index.ranks) > 1]
    f = math.prod(sizes[r] for r in filters)
    if not conv_dims:
        p = math.prod(sizes[r] for r in pixel)
        k = math.prod(sizes[r] for r in window)
        layer = ConvLayer.gemm(p, f, k, name=einsum.name)
    else:
        layer, extra = _conv_layer(workload.tensor(a.tensor), a, conv_dims, pixel, window, f,
                                   sizes, einsum.name)
        repeats *= extra
    return LoweredEinsum(einsum.name, layer, repeats, a.tensor, b.tensor, einsum.output.tensor,
                         tuple(batch))


def _ordered(einsum: Einsum, ifmap_tensor: str | None) -> tuple[TensorAccess, TensorAccess]:
    a, b = einsum.inputs
    if ifmap_tensor is None or ifmap_tensor == a.tensor:
        return a, b
    if ifmap_tensor == b.tensor:
        return b, a
    raise LoweringError(f"Einsum {einsum.name!r} has no input {ifmap_tensor!r}; inputs: "
                        f"{a.tensor}, {b.tensor}")


def _conv_layer(tensor: Tensor, access: TensorAccess, conv_dims: list[int], pixel: list[str],
                window: list[str], filters: int, sizes, name: str) -> tuple[ConvLayer, int]:
    if len(conv_dims) > 2:
        raise LoweringError(f"Einsum {name!r}: at most two sliding-window indices are supported")
    spatial = []
    for dim in conv_dims:
        index = access.indices[dim]
        out_ranks = [r for r in index.ranks if r in pixel]
        win_ranks = [r for r in index.ranks if r in window]
        if (len(out_ranks), len(win_ranks)) != (1, 1) or index.coeffs[win_ranks[0]] != 1 \
                or index.offset != 0:
            raise LoweringError(f"Einsum {name!r}: index {index} of {access.tensor} is not "
                                f"'stride*p + r' with p an output rank and r a reduced rank")
        spatial.append((tensor.shape[dim], sizes[win_ranks[0]], index.coeffs[out_ranks[0]],
                        out_ranks[0], win_ranks[0]))
    while len(spatial) < 2:
        spatial.insert(0, (1, 1, 1, None, None))
    used = {s[3] for s in spatial} | {s[4] for s in spatial}
    channels = math.prod(sizes[r] for r in window if r not in used)
    extra = math.prod(sizes[r] for r in pixel if r not in used)
    (h, fh, sh, *_), (w, fw, sw, *_) = spatial
    layer = ConvLayer(ifmap_h=h, ifmap_w=w, filter_h=fh, filter_w=fw, channels=channels,
                      num_filters=filters, stride_h=sh, stride_w=sw, name=name)
    return layer, extra
