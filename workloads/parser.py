"""Parse extended-Einsum text into :class:`~workloads.expr.Statement` trees (lark, no eval)."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, UnexpectedInput, v_args

from workloads.expr import Access, Binary, Call, IndexExpr, Number, Scalar, Statement, Unary


class EinsumSyntaxError(ValueError):
    """Einsum text that does not parse; the message points at the column."""


@cache
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "einsum.lark").read_text()
    return Lark(grammar, parser="lalr", maybe_placeholders=False)


def parse_einsum(text: str) -> Statement:
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        pointer = " " * (exc.column - 1) + "^" if exc.column and exc.column > 0 else ""
        raise EinsumSyntaxError(f"cannot parse Einsum at column {exc.column}:\n      {text}\n      "
                                f"{pointer}\n    expected e.g. 'Z[m,n] = sum_k A[m,k] * B[k,n]'") from None
    return _ToAst().transform(tree)


def _poly_add(a: IndexExpr, b: IndexExpr, sign: int) -> IndexExpr:
    coeffs: dict[tuple[str, ...], int] = dict(a.terms)
    for names, c in b.terms:
        coeffs[names] = coeffs.get(names, 0) + sign * c
    return IndexExpr(tuple((n, c) for n, c in coeffs.items() if c), a.const + sign * b.const)


def _poly_mul(a: IndexExpr, b: IndexExpr) -> IndexExpr:
    coeffs: dict[tuple[str, ...], int] = {}
    left = [*a.terms, ((), a.const)]
    right = [*b.terms, ((), b.const)]
    for names_a, ca in left:
        for names_b, cb in right:
            key = tuple(sorted(names_a + names_b))
            coeffs[key] = coeffs.get(key, 0) + ca * cb
    const = coeffs.pop((), 0)
    return IndexExpr(tuple((n, c) for n, c in coeffs.items() if c), const)


@v_args(inline=True)
class _ToAst(Transformer):
    def start(self, output, *rest):
        reduction = rest[0] if len(rest) == 2 else None
        expr = rest[-1]
        op, ranks = reduction if reduction else (None, ())
        return Statement(output=output, reduce_op=op, reduced=ranks, expr=expr)

    def reduction(self, token: Token):
        op, _, ranks = str(token).partition("_")
        names = tuple(r.strip() for r in ranks.strip("{}").split(","))
        return op, names

    def number(self, token):
        return Number(float(token))

    def infinity(self):
        return Number(math.inf)

    def scalar(self, token):
        return Scalar(str(token))

    def neg(self, arg):
        if isinstance(arg, Number):
            return Number(-arg.value)
        return Unary("neg", arg)

    def add(self, a, b):
        return Binary("+", a, b)

    def sub(self, a, b):
        return Binary("-", a, b)

    def mul(self, a, b):
        return Binary("*", a, b)

    def div(self, a, b):
        return Binary("/", a, b)

    def call(self, func, *args):
        return Call(str(func), tuple(args))

    def access(self, name, *indices):
        return Access(str(name), tuple(indices))

    def iconst(self, token):
        return IndexExpr((), int(token))

    def iname(self, token):
        return IndexExpr((((str(token),), 1),), 0)

    def iadd(self, a, b):
        return _poly_add(a, b, 1)

    def isub(self, a, b):
        return _poly_add(a, b, -1)

    def imul(self, a, b):
        return _poly_mul(a, b)
