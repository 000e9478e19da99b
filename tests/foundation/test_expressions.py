import math

import pytest

from specbase.expressions import ExpressionError, evaluate, referenced_names, to_number


def test_arithmetic_and_functions():
    assert evaluate("M // M0 + 2**3", {"M": 1024, "M0": 256}) == 12
    assert evaluate("ceil(N / 3)", {"N": 10}) == 4
    assert evaluate("max(a, b) * 2", {"a": 3, "b": 5}) == 10
    assert evaluate("400 * 2**30 / 940e6", {}) == pytest.approx(456.913, rel=1e-5)
    assert evaluate("x if x > 2 else 0", {"x": 3}) == 3


def test_integers_stay_integers():
    value = evaluate("16 * 2**20", {})
    assert value == 16777216 and isinstance(value, int)
    assert evaluate("1e9", {}) == 1_000_000_000


def test_inf_constant():
    assert evaluate("-inf", {}) == -math.inf


def test_unknown_name_lists_declared():
    with pytest.raises(ExpressionError, match=r"unknown name 'Q' \(declared parameters: M, N\)"):
        evaluate("Q * 2", {"M": 1, "N": 2})


@pytest.mark.parametrize("text", ["__import__('os')", "a.b", "[1, 2]", "lambda: 1", "open('x')"])
def test_unsafe_syntax_is_rejected(text):
    with pytest.raises(ExpressionError):
        evaluate(text, {"a": 1})


def test_division_by_zero_is_an_expression_error():
    with pytest.raises(ExpressionError, match="division by zero"):
        evaluate("1 / x", {"x": 0})


def test_referenced_names_excludes_functions_and_constants():
    assert referenced_names("ceil(M / M0) + inf * K") == {"M", "M0", "K"}


def test_to_number_accepts_plain_arithmetic_text_only():
    assert to_number("4*1024") == 4096
    with pytest.raises(ExpressionError, match="is text"):
        to_number("ws")
