"""The schedule kernel: Numba and plain-Python twins agree; the closed-form shortcut agrees with the walk."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import arch
import workloads
from sim.engine.evaluate import evaluate, plan
from sim.engine.kernels import SCALARS, empty_timeline, walk
from sim.engine.mapping import mapping_from_dict
from sim.engine.program import Phase, Task
from sim.engine.schedule import schedule, walk_phase

EXAMPLE = Path(__file__).parents[2] / "sim" / "engine" / "examples" / "fusemax_binding.yaml"


def _phase(load, exe, store, iterations, double_buffering=True):
    depth = 2 if double_buffering else 1
    task = Task("Z", "PE", load, exe, store, (), (0, depth), 0)
    return Phase("Z", iterations, (task,), False, "pipelined")


def test_double_buffering_overlaps_loads_with_compute():
    # load 10, compute 5, store 2 per tile, 3 tiles. With two buffers, tile i loads during
    # [10i, 10i+10) (the channel is the bottleneck) and the last tile ends at 30 + 5 + 2 = 37.
    assert walk_phase(_phase(10.0, 5.0, 2.0, 3), 0.0).end_cycle == 37.0
    # With one buffer the next load waits until the previous tile has computed and stored:
    # tile 0: load 0-10, compute 10-15, store 15-17; tile 1: load 17-27, compute 27-32, store
    # 32-34; tile 2: load 34-44, compute 44-49, store 49-51.
    assert walk_phase(_phase(10.0, 5.0, 2.0, 3, double_buffering=False), 0.0).end_cycle == 51.0


def test_shared_port_lasts_at_least_its_total_occupancy():
    # One port for loads and stores; load 10, compute 20, store 5, 3 tiles, two buffers.
    # Reads and writes queue separately: loads 0-10, 10-20, 20-30; computes 10-30, 30-50, 50-70;
    # stores 30-35, 50-55, 70-75. The port is busy 3 x 15 = 45 < 75: compute-bound either way.
    assert walk_phase(_phase(10.0, 20.0, 5.0, 3), 0.0, shared=True).end_cycle == 75.0
    assert walk_phase(_phase(10.0, 20.0, 5.0, 3), 0.0, shared=False).end_cycle == 75.0
    # Port-bound (load 10, compute 2, store 5): separate queues would end at 37 (loads back to
    # back to 30, compute 30-32, store 32-37), but one port moves 3 x 15 = 45 cycles of data.
    assert walk_phase(_phase(10.0, 2.0, 5.0, 3), 0.0, shared=False).end_cycle == 37.0
    assert walk_phase(_phase(10.0, 2.0, 5.0, 3), 0.0, shared=True).end_cycle == 45.0


@settings(max_examples=60, deadline=None)
@given(st.floats(0.5, 40.0), st.floats(0.5, 40.0), st.floats(0.0, 20.0), st.integers(1, 40), st.booleans(),
       st.floats(0.1, 1.0))
def test_faster_transfers_never_make_a_phase_slower(load, compute, store, tiles, shared, scale):
    """The monotonicity behind 'more bandwidth is never slower', at the level of one phase."""
    slow = walk_phase(_phase(load, compute, store, tiles), 0.0, shared=shared, shortcut=False).end_cycle
    fast = walk_phase(_phase(load * scale, compute, store * scale, tiles), 0.0, shared=shared,
                      shortcut=False).end_cycle
    assert fast <= slow + 1e-9


def test_a_consumer_reading_on_chip_waits_for_the_compute_not_the_store():
    # Producer P: compute 10, store 6 to DRAM; consumer C (same unit) depends on P, compute 5.
    # Reading P's output from DRAM, C starts after the store (16) and the phase ends at 21; reading it on
    # chip, C starts after P's compute (10), ends at 15, and the phase ends with P's store (16).
    for chip, start, end in ((False, 16.0, 21.0), (True, 10.0, 16.0)):
        tasks = (Task("P", "U", 0.0, 10.0, 6.0, (), (0, 2), 0),
                 Task("C", "U", 0.0, 5.0, 0.0, ((0, 0),), (1, 2), 0, (chip,)))
        timing = walk_phase(Phase("p", 1, tasks, False, "pipelined"), 0.0, shortcut=False, timeline_rows=4)
        assert [r["start_cycle"] for r in timing.timeline if r["einsum"] == "C"] == [start]
        assert timing.end_cycle == end


def test_compute_bound_tiles_run_back_to_back():
    # load 1, compute 10: 4 tiles -> 1 + 4*10 + store 1 = 42.
    assert walk_phase(_phase(1.0, 10.0, 1.0, 4), 0.0).end_cycle == 42.0


@st.composite
def random_phases(draw):
    n = draw(st.integers(1, 6))
    units = draw(st.integers(1, 3))
    iterations = draw(st.integers(1, 40))
    lags = [draw(st.integers(0, 2)) for _ in range(n)]
    tasks = []
    for j in range(n):
        deps = []
        for i in range(j):
            if draw(st.booleans()) and lags[i] <= lags[j]:
                deps.append((i, 0))
        if draw(st.booleans()):
            deps.append((draw(st.integers(0, n - 1)), 1))
        cycles = [float(draw(st.integers(0, 20))) for _ in range(3)]
        deps = tuple(dict.fromkeys(deps))
        chip = tuple(draw(st.booleans()) for _ in deps)
        tasks.append(Task(f"E{j}", f"U{draw(st.integers(0, units - 1))}", *cycles, deps,
                          (j, draw(st.integers(1, 2))), lags[j], chip))
    return Phase("p", iterations, tuple(tasks), draw(st.booleans()), "pipelined")


@settings(max_examples=60, deadline=None)
@given(random_phases())
def test_numba_kernel_equals_python_twin(phase):
    from sim.engine.program import phase_arrays

    a = phase_arrays(phase)
    window = int(a.lag.max()) + 4
    outs = []
    for jit in (True, False):
        n = a.unit.shape[0]
        state = np.zeros(SCALARS)
        unit_free = np.zeros(len(a.units))
        exec_end = np.zeros((n, window))
        done = np.zeros((n, window))
        timeline = empty_timeline(64)
        walk(a.unit, a.load, a.exec, a.store, a.lag, a.dep_ptr, a.dep_task, a.dep_off, a.dep_chip, a.buf_task,
             a.buf_off, phase.barrier, 0, phase.iterations + int(a.lag.max()), phase.iterations, state,
             unit_free, exec_end, done, *timeline, jit=jit)
        outs.append((state, unit_free, exec_end, done, *timeline))
    for x, y in zip(*outs, strict=True):
        assert np.array_equal(x, y)


@settings(max_examples=40, deadline=None)
@given(random_phases())
def test_closed_form_shortcut_equals_full_walk(phase):
    phase = Phase(phase.name, phase.iterations * 50, phase.tasks, phase.barrier, phase.overlap)
    fast = walk_phase(phase, 0.0, shortcut=True)
    slow = walk_phase(phase, 0.0, shortcut=False)
    assert fast.end_cycle == pytest.approx(slow.end_cycle, rel=1e-9, abs=1e-6)
    assert slow.walked_iterations >= fast.walked_iterations


def _fusemax(overlap_m1: str, overlap_p2: str = "sequential"):
    hw = arch.load_arch("fusemax")
    wl = workloads.load_workload("attention_1pass", {"B": 16, "H": 8, "M": 4096, "P": 1024})
    data = copy.deepcopy(yaml.safe_load(EXAMPLE.read_text())["mapping"])
    data["fusion"][0]["overlap"] = overlap_p2
    data["fusion"][0]["children"][0]["overlap"] = overlap_m1
    return hw, wl, mapping_from_dict(data, hw, wl)


@pytest.mark.parametrize("overlap", ["sequential", "stall", "pipelined"])
def test_shortcut_equals_walk_on_fused_attention(overlap):
    hw, wl, mapping = _fusemax(overlap, "pipelined")
    p = plan(hw, wl, mapping)
    fast = schedule(p.phases, shortcut=True)
    slow = schedule(p.phases, shortcut=False)
    assert fast.latency_cycles == pytest.approx(slow.latency_cycles, rel=1e-9)
    assert fast.tasks_walked < slow.tasks_walked


def test_more_overlap_is_never_slower_on_fusemax():
    latency = {o: evaluate(*_fusemax(o)).latency_cycles for o in ("sequential", "stall", "pipelined")}
    assert latency["pipelined"] <= latency["stall"] <= latency["sequential"]
    assert latency["pipelined"] < latency["sequential"]


def test_timeline_rows_are_busy_intervals_of_units():
    result = evaluate(*_fusemax("pipelined"), timeline_rows=500)
    rows = result.tables["timeline"]
    assert 0 < len(rows) <= 500
    by_unit: dict[str, list] = {}
    for row in rows:
        assert row["end_cycle"] >= row["start_cycle"]
        by_unit.setdefault(row["unit"], []).append((row["start_cycle"], row["end_cycle"]))
    for intervals in by_unit.values():
        intervals.sort()
        for (_, end), (start, _) in itertools.pairwise(intervals):
            assert start >= end - 1e-9


@pytest.mark.parametrize("top", ["sequential", "pipelined"])
@pytest.mark.parametrize("inner", ["sequential", "stall", "pipelined"])
def test_every_task_starts_after_its_dependencies(top, inner):
    from sim.engine.program import phase_arrays

    hw, wl, mapping = _fusemax(inner, top)
    (phase,) = plan(hw, wl, mapping).phases
    phase = Phase(phase.name, 6, phase.tasks, phase.barrier, phase.overlap)
    a = phase_arrays(phase)
    n, lag = a.unit.shape[0], int(a.lag.max())
    window = lag + 4
    timeline = empty_timeline(n * (phase.iterations + lag))
    walk(a.unit, a.load, a.exec, a.store, a.lag, a.dep_ptr, a.dep_task, a.dep_off, a.dep_chip, a.buf_task, a.buf_off,
         phase.barrier, 0, phase.iterations + lag, phase.iterations, np.zeros(SCALARS), np.zeros(len(a.units)),
         np.zeros((n, window)), np.zeros((n, window)), *timeline)
    units, tasks, iters, starts, ends, count = timeline
    assert count[0] == n * phase.iterations
    end = {(int(tasks[i]), int(iters[i])): ends[i] for i in range(count[0])}
    for i in range(count[0]):
        j, it = int(tasks[i]), int(iters[i])
        for d in range(a.dep_ptr[j], a.dep_ptr[j + 1]):
            producer = (int(a.dep_task[d]), it - int(a.dep_off[d]))
            if producer[1] >= 0:
                assert end[producer] <= starts[i], (phase.tasks[j].einsum, it, phase.tasks[producer[0]].einsum)
    span = {}
    for i in range(count[0]):
        u = int(units[i])
        span.setdefault(u, []).append((starts[i], ends[i]))
    for intervals in span.values():
        intervals.sort()
        for (_, e), (s, _) in itertools.pairwise(intervals):
            assert s >= e - 1e-9


def test_pipelining_across_outer_iterations_helps_fusemax():
    seq = evaluate(*_fusemax("pipelined", "sequential")).latency_cycles
    pipe = evaluate(*_fusemax("pipelined", "pipelined")).latency_cycles
    assert pipe < seq


def _fusemax_sized(m: int, p: int, overlap_m1: str, overlap_p2: str):
    hw = arch.load_arch("fusemax")
    wl = workloads.load_workload("attention_1pass", {"B": 16, "H": 8, "M": m, "P": p})
    data = copy.deepcopy(yaml.safe_load(EXAMPLE.read_text())["mapping"])
    data["fusion"][0]["overlap"] = overlap_p2
    data["fusion"][0]["children"][0]["overlap"] = overlap_m1
    return hw, wl, mapping_from_dict(data, hw, wl)


@pytest.mark.parametrize(("m", "p"), [(1024, 1024), (2048, 512), (4096, 1024)])
@pytest.mark.parametrize("top", ["sequential", "stall", "pipelined"])
@pytest.mark.parametrize("inner", ["sequential", "stall", "pipelined"])
def test_shortcut_is_bit_exact_on_nested_groups(m, p, top, inner):
    # Fused attention: group P2 (loops b, h, p) around the inner key-block group M1 (loop m1,
    # M / M0 = M / 256 sub-iterations of its 11 Einsums) and AV. Every sub-iteration is a task of
    # the P2 body: 11 M / 256 + 1 tasks, repeated once per (b, h) = 16 * 8 times (P2 = 1).
    hw, wl, mapping = _fusemax_sized(m, p, inner, top)
    (phase,) = plan(hw, wl, mapping).phases
    assert len(phase.tasks) == 11 * m // 256 + 1
    assert phase.iterations == 16 * 8
    fast = evaluate(hw, wl, mapping, shortcut=True)
    slow = evaluate(hw, wl, mapping, shortcut=False)
    assert fast.latency_cycles == slow.latency_cycles
    assert dict(fast.energy_pj) == dict(slow.energy_pj)
    assert slow.metrics["tasks_total"] == phase.iterations * len(phase.tasks)
    assert slow.metrics["tasks_walked"] >= slow.metrics["tasks_total"]
    assert fast.metrics["tasks_walked"] < slow.metrics["tasks_walked"]


@pytest.mark.parametrize("enabled", [True, False])
def test_building_the_program_leaves_the_garbage_collector_as_it_was(enabled):
    import gc

    hw, wl, mapping = _fusemax("pipelined")
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        plan(hw, wl, mapping)
        assert gc.isenabled() == enabled
    finally:
        if was:
            gc.enable()


def test_phase_arrays_reject_a_task_with_the_wrong_number_of_on_chip_flags():
    from sim.engine.program import phase_arrays

    tasks = (Task("P", "U", 0.0, 1.0, 0.0, (), (0, 2), 0),
             Task("C", "U", 0.0, 1.0, 0.0, ((0, 0),), (1, 2), 0, (True, False)))
    with pytest.raises(ValueError, match="1 dependencies but 2 dep_on_chip flags"):
        phase_arrays(Phase("p", 1, tasks, False, "pipelined"))
