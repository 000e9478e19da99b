"""Pareto front: hand example and hypothesis properties against brute-force dominance."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mapper.sweep.pareto import pareto_column, pareto_mask


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(a <= b) and np.any(a < b))


def test_hand_example():
    # (latency, energy): (1, 5) and (5, 1) are optimal; (2, 2) too; (3, 3) is dominated by (2, 2);
    # (1, 6) is dominated by (1, 5) (equal latency, more energy).
    costs = np.array([[3, 3], [1, 5], [5, 1], [2, 2], [1, 6]])
    assert pareto_mask(costs).tolist() == [False, True, True, True, False]


def test_duplicates_are_both_optimal_and_nan_rows_never():
    costs = np.array([[1.0, 2.0], [1.0, 2.0], [np.nan, 0.0], [0.5, np.inf]])
    assert pareto_mask(costs).tolist() == [True, True, False, False]


costs_strategy = st.integers(1, 40).flatmap(
    lambda n: arrays(np.float64, (n, 3), elements=st.integers(0, 6).map(float)))


@settings(max_examples=100, deadline=None)
@given(costs_strategy)
def test_front_is_exactly_the_non_dominated_set(costs):
    mask = pareto_mask(costs)
    front = costs[mask]
    for i, point in enumerate(costs):
        dominated = any(dominates(other, point) for other in costs)
        if mask[i]:
            assert not dominated, "a front point is dominated"
        else:
            assert dominated, "a non-front point is not dominated"
            assert any(dominates(f, point) for f in front), "no front point dominates a non-front point"


def test_pareto_column_ignores_failed_rows():
    rows = pd.DataFrame({"latency_s": [1.0, None, 2.0], "energy_pj": [2.0, 0.1, 1.0]})
    assert pareto_column(rows, ["latency_s", "energy_pj"]).tolist() == [True, False, True]
