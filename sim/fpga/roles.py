"""What each Einsum is to an FPGA datapath: a weight product, an activation product, or vector work.

A *MAC Einsum* is ``OUT = sum_R A[...] * B[...]`` over two different tensors. When one operand
is a weight (a workload input named in ``weights``), it is a layer/linear product; otherwise
it is an activation-by-activation product (attention). The ranks split into

* groups: in the output and both operands (heads, experts, batch);
* tokens: in the output and the activation only (tokens, queries, output pixels);
* in_features: reduced;
* out_features: in the output and the other operand only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from workloads import Einsum, Workload
from workloads.expr import Access, Binary

WEIGHT_PREFIX = "W"


@dataclass(frozen=True)
class MacShape:
    einsum: str
    activation: str
    other: str
    has_weight: bool
    groups: int
    tokens: int
    in_features: int
    out_features: int

    @property
    def macs(self) -> int:
        return self.groups * self.tokens * self.in_features * self.out_features


def default_weights(workload: Workload) -> frozenset[str]:
    """Workload inputs whose names start with ``W``."""
    return frozenset(t.name for t in workload.inputs if t.name.startswith(WEIGHT_PREFIX))


def mac_shape(einsum: Einsum, weights: Iterable[str]) -> MacShape | None:
    """The product shape of a MAC Einsum, or None for any other Einsum."""
    expr = einsum.expr
    if einsum.reduce_op != "sum" or not (isinstance(expr, Binary) and expr.op == "*"):
        return None
    if not (isinstance(expr.left, Access) and isinstance(expr.right, Access)):
        return None
    if expr.left.tensor == expr.right.tensor or len(einsum.inputs) != 2:
        return None
    weights = frozenset(weights)
    first, second = einsum.inputs
    if first.tensor in weights and second.tensor not in weights:
        first, second = second, first
    if first.tensor in weights:
        return None
    out, a_ranks, b_ranks = set(einsum.output.ranks), set(first.ranks), set(second.ranks)
    size = einsum.rank_sizes

    def prod(ranks: Iterable[str]) -> int:
        return math.prod(size[r] for r in ranks)

    return MacShape(
        einsum=einsum.name, activation=first.tensor, other=second.tensor,
        has_weight=second.tensor in weights,
        groups=prod(out & a_ranks & b_ranks), tokens=prod((out & a_ranks) - b_ranks),
        in_features=prod(einsum.reduced_ranks), out_features=prod((out & b_ranks) - a_ranks),
    )
