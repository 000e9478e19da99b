"""Frozen domain objects of an Einsum cascade; nothing downstream sees raw YAML."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workloads.expr import Node


@dataclass(frozen=True)
class Affine:
    """An index affine in the ranks: ``sum(coeff * rank) + offset``."""

    coeffs: Mapping[str, int]
    offset: int

    @property
    def ranks(self) -> tuple[str, ...]:
        return tuple(self.coeffs)

    def bounds(self, sizes: Mapping[str, int]) -> tuple[int, int]:
        """Smallest and largest value over the ranks' ranges (inclusive)."""
        lo = hi = self.offset
        for rank, c in self.coeffs.items():
            span = c * (sizes[rank] - 1)
            lo += min(0, span)
            hi += max(0, span)
        return lo, hi

    @property
    def single_rank(self) -> str | None:
        """The rank if the index is ``rank + offset``."""
        if len(self.coeffs) == 1:
            (rank, c), = self.coeffs.items()
            return rank if c == 1 else None
        return None

    def __str__(self) -> str:
        parts = [r if c == 1 else f"{c}*{r}" for r, c in self.coeffs.items()]
        if self.offset or not parts:
            parts.append(str(self.offset))
        return "+".join(parts).replace("+-", "-")


@dataclass(frozen=True)
class TensorAccess:
    tensor: str
    indices: tuple[Affine, ...]

    @property
    def ranks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for index in self.indices for r in index.ranks))

    def __str__(self) -> str:
        return f"{self.tensor}[{','.join(map(str, self.indices))}]"


@dataclass(frozen=True)
class Tensor:
    name: str
    ranks: tuple[str, ...]
    shape: tuple[int, ...]
    dtype: str
    bits: int
    role: str

    @property
    def elements(self) -> int:
        return math.prod(self.shape)

    @property
    def size_bytes(self) -> float:
        return self.elements * self.bits / 8


@dataclass(frozen=True)
class Einsum:
    name: str
    text: str
    output: TensorAccess
    inputs: tuple[TensorAccess, ...]
    expr: Node
    reduce_op: str | None
    reduced_ranks: tuple[str, ...]
    ranks: tuple[str, ...]
    rank_sizes: Mapping[str, int]
    ops_per_point: Mapping[str, int]

    @property
    def points(self) -> int:
        """Size of the iteration space."""
        return math.prod(self.rank_sizes[r] for r in self.ranks)

    @property
    def op_counts(self) -> dict[str, int]:
        points = self.points
        return {kind: n * points for kind, n in self.ops_per_point.items()}

    @property
    def is_copy(self) -> bool:
        return not self.ops_per_point

    @property
    def input_tensors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.tensor for a in self.inputs))


@dataclass(frozen=True)
class Workload:
    name: str
    description: str
    dtype: str
    ranks: Mapping[str, int]
    batch_ranks: tuple[str, ...]
    iterative_ranks: tuple[str, ...]
    tensors: Mapping[str, Tensor]
    einsums: tuple[Einsum, ...]
    dependencies: Mapping[str, tuple[str, ...]]
    parameters: Mapping[str, Any]
    sources: tuple[str, ...]
    file: str

    def einsum(self, name: str) -> Einsum:
        for einsum in self.einsums:
            if einsum.name == name:
                return einsum
        raise KeyError(f"no Einsum {name!r}; Einsums: {', '.join(e.name for e in self.einsums)}")

    def tensor(self, name: str) -> Tensor:
        try:
            return self.tensors[name]
        except KeyError:
            raise KeyError(f"no tensor {name!r}; tensors: {', '.join(self.tensors)}") from None

    def tensors_with_role(self, role: str) -> tuple[Tensor, ...]:
        return tuple(t for t in self.tensors.values() if t.role == role)

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        return self.tensors_with_role("input")

    @property
    def outputs(self) -> tuple[Tensor, ...]:
        return self.tensors_with_role("output")

    def producers(self, tensor: str) -> tuple[Einsum, ...]:
        return tuple(e for e in self.einsums if e.output.tensor == tensor)

    def consumers(self, tensor: str) -> tuple[Einsum, ...]:
        return tuple(e for e in self.einsums if tensor in e.input_tensors)

    @property
    def batch_size(self) -> int:
        return math.prod(self.ranks[r] for r in self.batch_ranks)

    @property
    def compulsory_bytes(self) -> float:
        """Every input read once and every output written once."""
        return sum(t.size_bytes for t in self.tensors.values() if t.role in ("input", "output"))
