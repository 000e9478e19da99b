"""Recognise the Einsum shapes of an attention cascade (driven by the Einsums, not names).

Every Einsum is classified by which ranks its tensors carry (the row rank ``p``, the
streamed key rank ``m``, vector ranks) and by its expression tree: a dot product, an
elementwise op with a per-row scalar, a row reduction, a running (iterative) update,
or an elementwise op on per-row values.
"""

from __future__ import annotations

from dataclasses import dataclass

from workloads import Einsum, Workload
from workloads.expr import Access, Binary, Call, Node

BINOPS = {"-": "sub", "/": "div", "*": "mul", "+": "add"}


class PatternError(ValueError):
    """An Einsum the streaming lowering cannot map onto a unit."""

    def __init__(self, einsum: str, message: str):
        self.einsum = einsum
        super().__init__(message)


@dataclass(frozen=True)
class Ranks:
    row: str
    stream: str
    batch: tuple[str, ...]

    def kind(self, ranks: tuple[str, ...]) -> str:
        """'stream' (per score), 'row' (per query), 'key' (per key, re-read per row) or 'const'."""
        has_row, has_stream = self.row in ranks, self.stream in ranks
        if has_row and has_stream:
            return "stream"
        if has_row:
            return "row"
        return "key" if has_stream else "const"


@dataclass(frozen=True)
class StreamOp:
    """One streaming operation recognised in an Einsum.

    ``inputs`` are (port, tensor) pairs; ``post`` are unary ops applied after the core op.
    """

    einsum: str
    kind: str
    output: str
    inputs: tuple[tuple[str, str], ...]
    params: tuple[tuple[str, object], ...] = ()
    post: tuple[str, ...] = ()


def find_ranks(w: Workload) -> tuple[Ranks, Einsum]:
    """The score Einsum (a sum over vector ranks of two input tensors) and the row/key ranks."""
    inputs = {t.name for t in w.inputs}
    scores = [e for e in w.einsums if e.reduce_op == "sum" and len(e.input_tensors) == 2
              and set(e.input_tensors) <= inputs and isinstance(e.expr, Binary) and e.expr.op == "*"]
    if not scores:
        raise PatternError("", "no score Einsum: expected e.g. QK[m,p] = sum_e Q[e,p] * K[e,m] over two inputs")
    score = scores[0]
    if len(w.outputs) != 1:
        raise PatternError("", f"expected one output tensor, found {len(w.outputs)}")
    batch = tuple(w.batch_ranks)
    out_ranks = set(w.outputs[0].ranks) - set(batch)
    score_ranks = [r for r in score.output.ranks if r not in batch]
    rows = [r for r in score_ranks if r in out_ranks]
    keys = [r for r in score_ranks if r not in out_ranks]
    if len(rows) != 1 or len(keys) != 1:
        raise PatternError(score.name, f"score {score.output} must have one query rank (kept in the output "
                                       f"{w.outputs[0].name}) and one key rank (reduced away)")
    return Ranks(rows[0], keys[0], batch), score


def _unwrap(expr: Node) -> tuple[Node, tuple[str, ...]]:
    post: list[str] = []
    while isinstance(expr, Call) and len(expr.args) == 1 and expr.func in ("exp", "sqrt", "recip"):
        post.insert(0, expr.func)
        expr = expr.args[0]
    return expr, tuple(post)


def _access(node: Node) -> str | None:
    return node.tensor if isinstance(node, Access) else None


def classify(e: Einsum, w: Workload, ranks: Ranks, score: Einsum, running_max: set[str]) -> StreamOp:
    """The streaming operation an Einsum performs."""
    out = e.output.tensor
    kind = ranks.kind(w.tensor(out).ranks)
    tkind = {t: ranks.kind(w.tensor(t).ranks) for t in e.input_tensors}
    if e is score:
        row = next(t for t, k in tkind.items() if k == "row")
        key = next((t for t, k in tkind.items() if k == "key"), None)
        if key is None:
            raise PatternError(e.name, "the score Einsum needs one per-query and one per-key input")
        return StreamOp(e.name, "dot", out, (("a", row), ("b", key)))
    if out in e.input_tensors:
        return _running(e, tkind)
    if kind == "stream" and e.reduce_op is None:
        states = [t for t in e.input_tensors if t in running_max]
        if states:
            return _running_max_output(e, states[0])
        return _elementwise(e, tkind)
    if kind == "row" and e.reduce_op is not None:
        return _row_reduce(e, ranks, tkind)
    if kind == "row" and e.reduce_op is None:
        core, post = _unwrap(e.expr)
        if isinstance(core, Binary) and _access(core.left) and _access(core.right):
            return StreamOp(e.name, "binary", out, (("a", core.left.tensor), ("b", core.right.tensor)),
                         (("binop", BINOPS[core.op]),), post)
    raise PatternError(e.name, f"{e.text!r} is not a streaming pattern the lowering knows")


def _elementwise(e: Einsum, tkind: dict[str, str]) -> StreamOp:
    core, post = _unwrap(e.expr)
    if isinstance(core, Access):
        if not post:
            raise PatternError(e.name, f"{e.text!r}: a plain copy has no streaming unit")
        return StreamOp(e.name, "map", e.output.tensor, (("a", core.tensor),), (), post)
    if isinstance(core, Binary) and core.op in BINOPS:
        left, right = _access(core.left), _access(core.right)
        if left and right and tkind[left] == "stream" and tkind[right] == "row":
            return StreamOp(e.name, "row_binary", e.output.tensor, (("a", left), ("s", right)),
                         (("binop", BINOPS[core.op]),), post)
    raise PatternError(e.name, f"{e.text!r}: expected f(S[m,p] op R[p]) with S per score and R per row")


def _row_reduce(e: Einsum, ranks: Ranks, tkind: dict[str, str]) -> StreamOp:
    if e.reduced_ranks != (ranks.stream,) or e.reduce_op not in ("sum", "max"):
        raise PatternError(e.name, f"{e.text!r}: row reductions must be sum_{ranks.stream} or max_{ranks.stream}")
    expr = e.expr
    if isinstance(expr, Access) and tkind[expr.tensor] == "stream":
        return StreamOp(e.name, "row_reduce", e.output.tensor, (("a", expr.tensor),),
                     (("reduce", e.reduce_op),))
    if (e.reduce_op == "sum" and isinstance(expr, Binary) and expr.op == "*"
            and _access(expr.left) and _access(expr.right)):
        pair = {tkind[expr.left.tensor]: expr.left.tensor, tkind[expr.right.tensor]: expr.right.tensor}
        if set(pair) == {"stream", "key"}:
            return StreamOp(e.name, "row_matvec", e.output.tensor, (("a", pair["stream"]), ("b", pair["key"])),
                         (("reduce", "sum"),))
    raise PatternError(e.name, f"{e.text!r}: expected a row reduction of a score tensor, or of a score "
                               "tensor times a per-key tensor")


def _running(e: Einsum, tkind: dict[str, str]) -> StreamOp:
    out = e.output.tensor
    expr = e.expr
    if isinstance(expr, Call) and expr.func == "max" and len(expr.args) == 2:
        others = [_access(a) for a in expr.args if _access(a) != out]
        if len(others) == 1 and others[0]:
            return StreamOp(e.name, "running_max", out, (("a", others[0]),))
    if isinstance(expr, Binary) and expr.op == "+":
        for carried, added in ((expr.left, expr.right), (expr.right, expr.left)):
            delta = _scaled_by(carried, out)
            if delta is None:
                continue
            if _access(added):
                return StreamOp(e.name, "running_sum", out, (("delta", delta), ("value", added.tensor)))
            if isinstance(added, Binary) and added.op == "*" and _access(added.left) and _access(added.right):
                pair = {tkind[added.left.tensor]: added.left.tensor, tkind[added.right.tensor]: added.right.tensor}
                if set(pair) == {"stream", "key"}:
                    return StreamOp(e.name, "running_matvec", out,
                                 (("delta", delta), ("value", pair["stream"]), ("b", pair["key"])))
    raise PatternError(e.name, f"{e.text!r}: running updates must be X' = max(X, S) or "
                               "X' = X * D + S (optionally S * V with V per key)")


def _scaled_by(term: Node, state: str) -> str | None:
    if isinstance(term, Binary) and term.op == "*":
        names = [_access(term.left), _access(term.right)]
        if state in names:
            other = names[1 - names.index(state)]
            return other if other != state else None
    return None


def _running_max_output(e: Einsum, state: str) -> StreamOp:
    """``exp(M[m] - M[m+1])`` is the rescale factor; ``exp(S - M[m+1])`` the shifted score."""
    core, post = _unwrap(e.expr)
    if post == ("exp",) and isinstance(core, Binary) and core.op == "-":
        left, right = _access(core.left), _access(core.right)
        if left == state and right == state:
            return StreamOp(e.name, "running_max_output", e.output.tensor, (("state", state),), (("port", "delta"),))
        if right == state and left and left != state:
            return StreamOp(e.name, "running_max_output", e.output.tensor, (("a", left), ("state", state)),
                         (("port", "value"),))
    raise PatternError(e.name, f"{e.text!r}: with a running max M, expected exp(M[m] - M[m+1]) or "
                               "exp(S[m] - M[m+1])")
