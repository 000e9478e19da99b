"""Safe arithmetic expressions over named parameters (no ``eval``).

Expressions use Python syntax restricted to numbers, names, ``+ - * / // % **``,
unary minus, comparisons and the functions in :data:`FUNCTIONS`.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping

Value = int | float | str

FUNCTIONS: Mapping[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "ceil": math.ceil,
    "floor": math.floor,
    "log2": math.log2,
    "sqrt": math.sqrt,
    "int": int,
    "round": round,
}

CONSTANTS: Mapping[str, float] = {"inf": math.inf}

_BINARY: Mapping[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}

_COMPARE: Mapping[type, Callable[[float, float], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated."""


def parse_expression(text: str) -> ast.expr:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise ExpressionError(f"not a valid expression: {text!r}") from None


def referenced_names(text: str) -> set[str]:
    """Parameter names an expression refers to (functions and constants excluded)."""
    tree = parse_expression(text)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return names - set(FUNCTIONS) - set(CONSTANTS)


def evaluate(text: str, names: Mapping[str, Value]) -> Value:
    """Evaluate ``text`` with ``names`` bound; integers stay integers where exact."""
    return _normalize(_eval(parse_expression(text), names, text))


def _normalize(value: Value) -> Value:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**62:
        return int(value)
    return value


def _eval(node: ast.expr, names: Mapping[str, Value], text: str) -> Value:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name):
        return _lookup(node.id, names)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _number(_eval(node.operand, names, text), text)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left = _number(_eval(node.left, names, text), text)
        right = _number(_eval(node.right, names, text), text)
        try:
            return _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:
            raise ExpressionError(f"division by zero in {text!r}") from None
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        left = _eval(node.left, names, text)
        right = _eval(node.comparators[0], names, text)
        return _COMPARE[type(node.ops[0])](left, right)
    if isinstance(node, ast.IfExp):
        branch = node.body if _eval(node.test, names, text) else node.orelse
        return _eval(branch, names, text)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        return _call(node, names, text)
    raise ExpressionError(f"unsupported syntax in {text!r}; use numbers, parameter names, "
                          f"+ - * / // % **, comparisons and {', '.join(FUNCTIONS)}")


def _call(node: ast.Call, names: Mapping[str, Value], text: str) -> Value:
    func = FUNCTIONS.get(node.func.id)
    if func is None:
        raise ExpressionError(f"unknown function {node.func.id!r} in {text!r}; "
                              f"allowed: {', '.join(FUNCTIONS)}")
    args = [_number(_eval(arg, names, text), text) for arg in node.args]
    try:
        return func(*args)
    except (TypeError, ValueError) as exc:
        raise ExpressionError(f"{node.func.id}() failed in {text!r}: {exc}") from None


def _lookup(name: str, names: Mapping[str, Value]) -> Value:
    if name in names:
        return names[name]
    if name in CONSTANTS:
        return CONSTANTS[name]
    known = ", ".join(sorted(names)) or "none declared"
    raise ExpressionError(f"unknown name {name!r} (declared parameters: {known})")


def _number(value: Value, text: str) -> float:
    if isinstance(value, str):
        return to_number(value, context=text)
    return value


def to_number(value: Value, *, context: str | None = None) -> float:
    """A number, or text holding plain arithmetic without names (``"4*1024"``)."""
    if not isinstance(value, str):
        return value
    try:
        tree = parse_expression(value)
    except ExpressionError:
        tree = None
    if tree is None or any(isinstance(n, ast.Name) and n.id not in CONSTANTS for n in ast.walk(tree)):
        where = f" in {context!r}" if context and context != value else ""
        raise ExpressionError(f"{value!r} is text, not a number{where}")
    return _normalize(_eval(tree, {}, value))
