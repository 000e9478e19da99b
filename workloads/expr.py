"""Expression trees of extended Einsums (the parser's output)."""

from __future__ import annotations

from dataclasses import dataclass

REDUCERS = ("sum", "max", "min", "prod")
FUNCTIONS = ("exp", "max", "min", "sqrt", "recip", "log", "abs")


@dataclass(frozen=True)
class IndexExpr:
    """An index as a polynomial: ``coeff * name1 * name2 ...`` terms plus a constant.

    Names are ranks or parameters; which is which is settled when the workload is
    built, where the index must turn out affine in the ranks.
    """

    terms: tuple[tuple[tuple[str, ...], int], ...]
    const: int = 0

    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for names, _ in self.terms for n in names))

    def __str__(self) -> str:
        parts = ["*".join(names) if c == 1 else "*".join((str(c), *names)) for names, c in self.terms]
        if self.const or not parts:
            parts.append(str(self.const))
        return "+".join(parts).replace("+-", "-")


@dataclass(frozen=True)
class Access:
    tensor: str
    indices: tuple[IndexExpr, ...]

    def __str__(self) -> str:
        return f"{self.tensor}[{','.join(map(str, self.indices))}]"


@dataclass(frozen=True)
class Number:
    value: float


@dataclass(frozen=True)
class Scalar:
    """A bare name on the right-hand side: a workload parameter."""

    name: str


@dataclass(frozen=True)
class Unary:
    op: str
    arg: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]


Node = Number | Scalar | Access | Unary | Binary | Call


@dataclass(frozen=True)
class Statement:
    """A parsed Einsum: ``output = reduce_{ranks} expr``."""

    output: Access
    reduce_op: str | None
    reduced: tuple[str, ...]
    expr: Node


def accesses(node: Node) -> list[Access]:
    """All tensor accesses in ``node``, left to right."""
    if isinstance(node, Access):
        return [node]
    if isinstance(node, Unary):
        return accesses(node.arg)
    if isinstance(node, Binary):
        return accesses(node.left) + accesses(node.right)
    if isinstance(node, Call):
        return [a for arg in node.args for a in accesses(arg)]
    return []


def scalars(node: Node) -> list[str]:
    if isinstance(node, Scalar):
        return [node.name]
    if isinstance(node, Unary):
        return scalars(node.arg)
    if isinstance(node, Binary):
        return scalars(node.left) + scalars(node.right)
    if isinstance(node, Call):
        return [s for arg in node.args for s in scalars(arg)]
    return []
