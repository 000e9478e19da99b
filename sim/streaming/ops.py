"""What each streaming unit computes per firing (the functional half of the SimPy model).

Each op is a small class: ``fire(col, cols, values)`` takes the values dequeued in this
firing (by input port name; per-row inputs arrive only at ``col == 0`` and are latched)
and returns the values to enqueue (by output port name). Timing lives elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

UNARY = {"exp": np.exp, "neg": np.negative, "recip": np.reciprocal, "sqrt": np.sqrt}
BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "max": np.maximum}
REDUCE = {"sum": np.add, "max": np.maximum}


def _post(value: Any, post: tuple[str, ...]) -> Any:
    for name in post:
        value = UNARY[name](value)
    return value


class Op:
    """Base: stateless per-firing function."""

    def __init__(self, params: Mapping[str, Any]):
        self.params = params
        self.post = tuple(params.get("post", ()))
        self.latched: dict[str, Any] = {}

    def fire(self, col: int, cols: int, values: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def latch(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Merge per-row values (kept from the row's first firing) with this firing's."""
        self.latched.update(values)
        return self.latched


class Source(Op):
    def __init__(self, params: Mapping[str, Any]):
        super().__init__(params)
        self.stream = params["stream"]
        self.k = 0

    def fire(self, col, cols, values):
        value = self.stream[self.k]
        self.k += 1
        return {"out": value}


class Sink(Op):
    def __init__(self, params: Mapping[str, Any]):
        super().__init__(params)
        self.received: list[Any] = []

    def fire(self, col, cols, values):
        self.received.extend(values.values())
        return {}


class Dot(Op):
    """``out = post(sum(a * b))`` over the element's vector; ``a`` is per row."""

    def fire(self, col, cols, values):
        v = self.latch(values)
        return {"out": _post(float(np.dot(v["a"], v["b"])), self.post)}


class Map(Op):
    def fire(self, col, cols, values):
        return {"out": _post(values["a"], self.post)}


class RowBinary(Op):
    """``out = post(a <op> s)`` with ``s`` a per-row scalar."""

    def fire(self, col, cols, values):
        v = self.latch(values)
        return {"out": _post(BINARY[self.params["binop"]](v["a"], v["s"]), self.post)}


class Binary(Op):
    def fire(self, col, cols, values):
        return {"out": _post(BINARY[self.params["binop"]](values["a"], values["b"]), self.post)}


class RowReduce(Op):
    """Reduce ``pre(a)`` (or ``a * b`` when a second input is given) over the row."""

    def __init__(self, params):
        super().__init__(params)
        self.acc: Any = None

    def fire(self, col, cols, values):
        term = values["a"] * values["b"] if "b" in values else values["a"]
        term = _post(term, tuple(self.params.get("pre", ())))
        self.acc = term if col == 0 else REDUCE[self.params["reduce"]](self.acc, term)
        return {"out": _post(self.acc, self.post)} if col == cols - 1 else {}


class RunningMax(Op):
    """``m' = max(m, s)``; emits ``delta = exp(m - m')`` and ``value = exp(s - m')``."""

    def __init__(self, params):
        super().__init__(params)
        self.m = -np.inf

    def fire(self, col, cols, values):
        s = values["a"]
        old = -np.inf if col == 0 else self.m
        self.m = max(old, s)
        return {"delta": float(np.exp(old - self.m)), "value": float(np.exp(s - self.m))}


class RunningScaleAdd(Op):
    """``acc' = acc * delta + value`` (times ``b`` when given); emits the row's last ``acc``."""

    def __init__(self, params):
        super().__init__(params)
        self.acc: Any = 0.0

    def fire(self, col, cols, values):
        term = values["value"] * values["b"] if "b" in values else values["value"]
        self.acc = term if col == 0 else self.acc * values["delta"] + term
        return {"out": self.acc} if col == cols - 1 else {}


OPS: dict[str, type[Op]] = {
    "source": Source,
    "sink": Sink,
    "dot": Dot,
    "map": Map,
    "row_binary": RowBinary,
    "binary": Binary,
    "row_reduce": RowReduce,
    "running_max": RunningMax,
    "running_scale_add": RunningScaleAdd,
}


def make_op(kind: str, params: Mapping[str, Any]) -> Op:
    try:
        return OPS[kind](params)
    except KeyError:
        raise KeyError(f"unknown streaming op {kind!r}; known: {', '.join(OPS)}") from None
