"""Pydantic field types that accept numbers or parameter expressions.

A string in a numeric field is evaluated against the file's parameters, which the
validator passes in the validation context (``{"params": {...}}``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, ValidationInfo

from specbase.expressions import ExpressionError, evaluate, to_number

FROZEN = ConfigDict(frozen=True, extra="forbid")


def _evaluate_field(value: Any, info: ValidationInfo) -> Any:
    if not isinstance(value, str):
        return value
    params = (info.context or {}).get("params", {})
    try:
        return to_number(evaluate(value, params), context=value)
    except ExpressionError as exc:
        raise ValueError(str(exc)) from None


_EXPR = BeforeValidator(_evaluate_field)

Num = Annotated[float, _EXPR]
PosNum = Annotated[float, _EXPR, Field(gt=0)]
NonNegNum = Annotated[float, _EXPR, Field(ge=0)]
Fraction = Annotated[float, _EXPR, Field(gt=0, le=1)]
Int = Annotated[int, _EXPR]
PosInt = Annotated[int, _EXPR, Field(gt=0)]
NonNegInt = Annotated[int, _EXPR, Field(ge=0)]
