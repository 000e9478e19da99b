"""Walk the task program phase by phase; repeat identical iterations in closed form.

Every phase repeats the same body with the same costs, so its timing is a max-plus
linear recurrence: once the state (channel, unit and task finish times) after an
iteration equals the state ``period`` iterations earlier shifted by a constant, every
later iteration repeats that shift exactly. The walker detects this and jumps over
the repeated iterations (shifting the state), then walks the last ones (where
pipeline stages drain) normally. ``shortcut=False`` walks every iteration; tests check
that both give the same times.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.kernels import ITER_MAX, SCALARS, empty_timeline, walk
from sim.engine.program import Phase, PhaseArrays, phase_arrays

MAX_PERIOD = 4
PROBE_ITERATIONS = 256
TOLERANCE = 1e-9


@dataclass(frozen=True)
class PhaseTiming:
    name: str
    start_cycle: float
    end_cycle: float
    iterations: int
    walked_iterations: int
    tasks_walked: int
    period: int | None
    tasks_total: int
    timeline: tuple[dict, ...]

    @property
    def span_cycles(self) -> float:
        return self.end_cycle - self.start_cycle


@dataclass(frozen=True)
class Schedule:
    phases: tuple[PhaseTiming, ...]

    @property
    def latency_cycles(self) -> float:
        return self.phases[-1].end_cycle if self.phases else 0.0

    @property
    def tasks_walked(self) -> int:
        return sum(p.tasks_walked for p in self.phases)

    @property
    def tasks_total(self) -> int:
        return sum(p.tasks_total for p in self.phases)


class _State:
    """Everything the kernel reads and writes, plus the timeline buffers."""

    def __init__(self, arrays: PhaseArrays, window: int, start: float, timeline_rows: int):
        n = arrays.unit.shape[0]
        self.scalars = np.full(SCALARS, start, np.float64)
        self.unit_free = np.full(len(arrays.units), start, np.float64)
        self.exec_end = np.full((n, window), start, np.float64)
        self.done = np.full((n, window), start, np.float64)
        self.timeline = empty_timeline(timeline_rows)

    def canonical(self, k: int) -> np.ndarray:
        """State after kernel iteration ``k``, ring buffers ordered by age."""
        window = self.exec_end.shape[1]
        order = [(k - d) % window for d in range(window)]
        return np.concatenate([self.scalars, self.unit_free, self.exec_end[:, order].ravel(),
                               self.done[:, order].ravel()])

    def jump(self, k: int, skip: int, delta: float) -> None:
        """Advance from after iteration ``k`` to after iteration ``k + skip``."""
        window = self.exec_end.shape[1]
        shift = skip * delta
        self.scalars += shift
        self.unit_free += shift
        for ring in (self.exec_end, self.done):
            old = ring.copy()
            for d in range(window):
                ring[:, (k + skip - d) % window] = old[:, (k - d) % window] + shift


def walk_phase(phase: Phase, start: float, *, shared: bool = False, shortcut: bool = True, jit: bool = True,
               timeline_rows: int = 0) -> PhaseTiming:
    arrays = phase_arrays(phase)
    max_lag = int(arrays.lag.max()) if arrays.lag.size else 0
    offsets = [int(arrays.dep_off.max()) if arrays.dep_off.size else 0, int(arrays.buf_off.max())]
    window = max_lag + max(offsets) + 2
    state = _State(arrays, window, start, timeline_rows)
    total = phase.iterations + max_lag
    k, period, walked = 0, None, 0
    history: list[np.ndarray] = []
    if shortcut and phase.iterations > PROBE_ITERATIONS // 4:
        probe_end = min(total, PROBE_ITERATIONS)
        while k < probe_end and period is None:
            _run(arrays, phase, state, k, k + 1, jit)
            k += 1
            walked += 1
            if k <= window + max_lag:
                continue
            history.append(state.canonical(k - 1))
            history = history[-(2 * MAX_PERIOD + 1):]
            period, delta = _period(history)
        if period is not None:
            skip = ((phase.iterations - 1 - k - max_lag) // period) * period
            if skip > 0:
                state.jump(k - 1, skip, delta / period)
                k += skip
    if k < total:
        walked += total - k
        _run(arrays, phase, state, k, total, jit)
    end = max(float(state.scalars.max()), float(state.unit_free.max()), float(state.scalars[ITER_MAX]))
    if shared:
        end = max(end, start + port_occupancy(arrays, phase.iterations))
    return PhaseTiming(phase.name, start, end, phase.iterations, walked, walked * len(phase.tasks), period,
                       phase.iterations * len(phase.tasks), _timeline(phase, arrays, state))


def port_occupancy(arrays: PhaseArrays, iterations: int) -> float:
    """Cycles one shared read/write port is busy over a phase: every load and store, every iteration."""
    return iterations * float(arrays.load.sum() + arrays.store.sum())


def _run(arrays: PhaseArrays, phase: Phase, state: _State, it_from: int, it_to: int, jit: bool) -> None:
    walk(arrays.unit, arrays.load, arrays.exec, arrays.store, arrays.lag, arrays.dep_ptr, arrays.dep_task,
         arrays.dep_off, arrays.dep_chip, arrays.buf_task, arrays.buf_off, phase.barrier, it_from, it_to,
         phase.iterations,
         state.scalars, state.unit_free, state.exec_end, state.done, *state.timeline, jit=jit)


def _period(history: list[np.ndarray]) -> tuple[int | None, float]:
    """Smallest p such that the last states repeat with a constant shift every p iterations."""
    for p in range(1, MAX_PERIOD + 1):
        if len(history) < 2 * p + 1:
            break
        a = history[-1] - history[-1 - p]
        b = history[-1 - p] - history[-1 - 2 * p]
        active = (a != 0) | (b != 0)
        if not active.any():
            continue
        d = float(a[int(np.argmax(history[-1]))])
        scale = max(1.0, abs(float(history[-1].max())))
        if np.all(np.abs(a[active] - d) <= TOLERANCE * scale) and np.all(np.abs(b[active] - d) <= TOLERANCE * scale):
            return p, d
    return None, 0.0


def _timeline(phase: Phase, arrays: PhaseArrays, state: _State) -> tuple[dict, ...]:
    units, tasks, iters, starts, ends, count = state.timeline
    return tuple({"phase": phase.name, "unit": arrays.units[units[i]], "einsum": phase.tasks[tasks[i]].einsum,
                  "iteration": int(iters[i]), "start_cycle": float(starts[i]), "end_cycle": float(ends[i])}
                 for i in range(int(count[0])))


def schedule(phases: tuple[Phase, ...], *, shared: bool = False, shortcut: bool = True, jit: bool = True,
             timeline_rows: int = 2000) -> Schedule:
    """Run phases one after another; each starts when the previous one has finished."""
    out = []
    start = 0.0
    budget = timeline_rows
    for phase in phases:
        timing = walk_phase(phase, start, shared=shared, shortcut=shortcut, jit=jit, timeline_rows=budget)
        budget = max(0, budget - len(timing.timeline))
        out.append(timing)
        start = timing.end_cycle
    return Schedule(tuple(out))
