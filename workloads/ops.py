"""Operation counts of an extended Einsum, per point of its iteration space.

Conventions (Timeloop/FuseMax style): ``+``/``-`` count as ``add``; ``*`` as ``mul``;
``/`` as ``div``; two-argument ``max``/``min`` as ``max``; ``exp``, ``sqrt``, ``log``
by name; ``recip`` as ``div``; negation and constants are free. A ``sum`` reduction
adds one ``add`` per point, ``max``/``min`` one ``max``, ``prod`` one ``mul``. A sum
of a product is a multiply-accumulate: ``mul`` + ``add`` become one ``mac``. An
Einsum whose right-hand side is a single tensor access is a copy or view: no ops.
"""

from __future__ import annotations

from collections import Counter

from workloads.expr import Access, Binary, Call, Node, Number, Scalar, Unary

_BINARY = {"+": "add", "-": "add", "*": "mul", "/": "div"}
_CALL = {"exp": "exp", "max": "max", "min": "max", "sqrt": "sqrt", "log": "log", "recip": "div", "abs": "max"}
_REDUCE = {"sum": "add", "max": "max", "min": "max", "prod": "mul"}


def expression_ops(node: Node) -> Counter:
    if isinstance(node, Number | Scalar | Access):
        return Counter()
    if isinstance(node, Unary):
        return expression_ops(node.arg)
    if isinstance(node, Binary):
        return Counter({_BINARY[node.op]: 1}) + expression_ops(node.left) + expression_ops(node.right)
    if isinstance(node, Call):
        out = Counter({_CALL[node.func]: max(1, len(node.args) - 1)})
        for arg in node.args:
            out += expression_ops(arg)
        return out
    raise TypeError(f"unknown node {node!r}")


def ops_per_point(expr: Node, reduce_op: str | None) -> dict[str, int]:
    """Ops executed at one point of the iteration space."""
    ops = expression_ops(expr)
    if reduce_op is not None:
        ops[_REDUCE[reduce_op]] += 1
        if reduce_op == "sum" and isinstance(expr, Binary) and expr.op == "*":
            ops["mul"] -= 1
            ops["add"] -= 1
            ops["mac"] += 1
    return {k: v for k, v in ops.items() if v > 0}
