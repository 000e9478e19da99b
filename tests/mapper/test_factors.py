"""Tile factorizations: perfect and imperfect splits of a rank over loop slots."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapper.search.factors import divisors, imperfect_factorizations, perfect_factorizations


def test_divisors():
    assert divisors(12) == (1, 2, 3, 4, 6, 12)
    assert divisors(1) == (1,)
    with pytest.raises(ValueError):
        divisors(0)


@pytest.mark.parametrize(("exponent", "slots"), [(10, 5), (4, 3), (0, 4), (6, 1)])
def test_count_of_power_of_two_splits_is_stars_and_bars(exponent, slots):
    # ordered ways to split 2^a into s factors = ways to split a into s non-negative parts = C(a+s-1, s-1)
    table = perfect_factorizations(2**exponent, slots)
    assert len(table) == math.comb(exponent + slots - 1, slots - 1)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 400), st.integers(1, 4), st.integers(1, 8))
def test_perfect_rows_multiply_exactly_and_respect_caps(n, slots, cap):
    caps = (n, *([cap] * (slots - 1)))
    table = perfect_factorizations(n, slots, caps)
    assert len(table) >= 1
    assert np.all(np.prod(table, axis=1) == n)
    assert np.all(table[:, 1:] <= cap)
    assert len({tuple(r) for r in table.tolist()}) == len(table)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 300), st.integers(2, 4))
def test_imperfect_rows_cover_n_with_less_than_one_inner_tile_of_padding(n, slots):
    table = imperfect_factorizations(n, slots)
    inner = np.prod(table[:, 1:], axis=1)
    assert np.all(table[:, 0] == -(-n // inner))
    total = np.prod(table, axis=1)
    assert np.all(total >= n) and np.all(total - n < inner)
    perfect = {tuple(r) for r in perfect_factorizations(n, slots).tolist()}
    assert perfect <= {tuple(r) for r in table.tolist()}


def test_imperfect_adds_non_divisor_tiles():
    rows = {tuple(r) for r in imperfect_factorizations(100, 2).tolist()}
    assert (7, 16) in rows  # 7 tiles of 16 cover 100 (112 computed)
    assert (7, 16) not in {tuple(r) for r in perfect_factorizations(100, 2).tolist()}
