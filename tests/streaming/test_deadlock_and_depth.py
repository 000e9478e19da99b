"""Naive SDPA needs an O(N) FIFO; the reordered cascade runs in O(1) FIFOs at full throughput."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.streaming.engine import simulate_events
from sim.streaming.stats import DeadlockError
from sim.streaming.table import least
from sim.streaming.timing import simulate_timing

from .conftest import pipeline


def _bypass(p):
    (fifo,) = [f for f in p.fifos if f.role == "bypass"]
    return fifo


@pytest.mark.parametrize("n", [32, 100])
def test_short_bypass_fifo_deadlocks_and_names_the_cycle(n):
    p = pipeline("sdpa_naive", n)
    shallow = p.with_fifos(**{_bypass(p).name: n // 2})
    for run in (simulate_timing(shallow), simulate_events(shallow)):
        assert run.cycles is None
        assert set(run.deadlock.units) == {"QK+SN", "A", "SD"}
        assert _bypass(p).name in run.deadlock.fifos
        with pytest.raises(DeadlockError, match="QK\\+SN"):
            run.check()


@pytest.mark.parametrize("n", [16, 64, 256])
def test_least_deadlock_free_bypass_depth_grows_with_n(n):
    """A row reduction emits after N elements, so the parallel FIFO must hold about a row."""
    p = pipeline("sdpa_naive", n)
    name = _bypass(p).name
    live = least(lambda c: simulate_timing(p.with_fifos(**{name: c})).cycles is not None, 1, 4 * n)
    assert n - 2 <= live <= n + 2


@pytest.mark.parametrize("n", [16, 64, 256])
def test_full_throughput_needs_about_n_and_is_2n2_plus_fill(n):
    p = pipeline("sdpa_naive", n)
    name = _bypass(p).name
    deep = simulate_timing(p.with_fifos(**{name: None}))
    assert deep.cycles == 2 * n * n + 2 * n + 52
    full = least(lambda c: simulate_timing(p.with_fifos(**{name: c})).cycles == deep.cycles, 1, 4 * n)
    assert n <= full <= n + 40
    assert simulate_timing(p.with_fifos(**{name: full - 1})).cycles != deep.cycles


def test_naive_peak_occupancy_grows_linearly():
    peaks = {n: simulate_timing(pipeline("sdpa_naive", n)).fifo(_bypass(pipeline("sdpa_naive", n)).name)
             .peak_occupancy for n in (64, 128, 256)}
    assert peaks[128] - peaks[64] == 64
    assert peaks[256] - peaks[128] == 128


@settings(max_examples=10, deadline=None)
@given(n=st.integers(2, 300))
def test_reordered_runs_in_constant_fifos_at_full_throughput(n):
    run = simulate_timing(pipeline("sdpa_reordered", n))
    assert run.cycles == 2 * n * n + 46
    assert max(f.peak_occupancy for f in run.fifos) <= 12
    assert all(f.capacity_elements is not None and f.capacity_elements <= 22 for f in run.fifos)


@pytest.mark.parametrize("n", [8, 64, 512])
def test_reordered_keeps_throughput_with_every_fifo_at_depth_two_or_more(n):
    """Tighter than the preset: all inner FIFOs at 2 still reach the same cycles."""
    p = pipeline("sdpa_reordered", n)
    tight = p.with_fifos(**{f.name: 2 for f in p.fifos if f.name.startswith(("PRM:", "SN:"))})
    assert simulate_timing(tight).cycles == 2 * n * n + 46


@settings(max_examples=15, deadline=None)
@given(n=st.integers(4, 40), small=st.integers(1, 200), extra=st.integers(0, 50))
def test_more_fifo_capacity_is_never_slower(n, small, extra):
    p = pipeline("sdpa_naive", n)
    name = _bypass(p).name
    a = simulate_timing(p.with_fifos(**{name: small})).cycles
    b = simulate_timing(p.with_fifos(**{name: small + extra})).cycles
    if a is not None:
        assert b is not None and b <= a


@pytest.mark.parametrize("name", ["sdpa_naive", "sdpa_reordered", "sdpa_3pass"])
def test_cycles_at_least_the_throughput_bound(name):
    p = pipeline(name, 64)
    run = simulate_timing(p)
    bound = max(u.firings * u.ii_cycles for u in p.units if u.op != "source")
    assert run.cycles >= bound
    assert run.cycles - bound < 10 * 64
