"""The fast kernel (Numba), its plain-Python twin and the SimPy reference agree exactly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.streaming.engine import simulate_events
from sim.streaming.graph import Pipeline, UnitSpec
from sim.streaming.timing import simulate_timing

from .conftest import pipeline

WORKLOADS = ("sdpa_naive", "sdpa_3pass", "sdpa_reordered")


@pytest.mark.parametrize("name", WORKLOADS)
@pytest.mark.parametrize("n", [1, 3, 16, 40])
def test_three_engines_agree_on_every_count(name, n):
    p = pipeline(name, n)
    reference = simulate_events(p)
    assert reference.cycles is not None
    assert simulate_timing(p).timing_key() == reference.timing_key()
    assert simulate_timing(p, python=True).timing_key() == reference.timing_key()


def _retimed(p: Pipeline, timings, capacities) -> Pipeline:
    units = []
    for u, (ii, lat, startup, per_row) in zip(p.units, timings, strict=False):
        ii = max(ii, 1) if u.op == "source" else ii
        units.append(UnitSpec(u.name, u.op, u.rows, u.cols, ii, lat, u.inputs, u.outputs, startup, per_row,
                              u.params, u.einsums))
    caps = dict(zip((f.name for f in p.fifos), capacities, strict=False))
    return Pipeline(p.name, tuple(units), p.fifos).with_fifos(**caps)


unit_timing = st.tuples(st.integers(0, 3), st.integers(0, 12), st.integers(0, 5), st.integers(0, 4))


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(WORKLOADS), n=st.integers(1, 12),
       timings=st.lists(unit_timing, min_size=12, max_size=12),
       capacities=st.lists(st.one_of(st.none(), st.integers(1, 30)), min_size=12, max_size=12))
def test_engines_agree_on_random_timing_and_depths(name, n, timings, capacities):
    p = _retimed(pipeline(name, n), timings, capacities)
    reference = simulate_events(p)
    fast = simulate_timing(p)
    twin = simulate_timing(p, python=True)
    if reference.deadlock is None:
        assert fast.timing_key() == reference.timing_key() == twin.timing_key()
    else:
        assert fast.deadlock is not None and twin.deadlock is not None
        assert set(fast.deadlock.units) == set(reference.deadlock.units) == set(twin.deadlock.units)
