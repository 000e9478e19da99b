"""Numba kernel of the tile-level schedule, with its plain-Python twin.

``_walk_py`` is the reference: a list schedule over a phase's body of tasks, repeated
for kernel iterations ``it_from .. it_to``. Task ``j`` of kernel iteration ``k`` works
on logical iteration ``k - lag[j]``. For each task:

- its load starts when the outer level's read channel is free and the task that last
  used the same buffer has finished (computed and stored its result: the buffer holds the
  tile until it has drained; double buffering), and occupies the channel for ``load[j]``
  cycles;
- its compute starts when the load is done, its unit is free, every dependency
  ``(dep_task, dep_off)`` of logical iteration ``it - dep_off`` is done (has computed, if
  ``dep_chip``: the data is read on chip; else has also stored), and (with a
  barrier) the previous kernel iteration is done; it occupies the unit ``exec[j]`` cycles;
- its store then occupies the write channel.

Each channel serves its reservations in issue order, so every time is a max-plus
expression of the durations: shortening any load, store or compute never delays anything
(more bandwidth is never slower). A level whose reads and writes share one port is modelled
by the caller (:func:`sim.engine.schedule.walk_phase`): the two channels overlap freely, and
the phase lasts at least the port's total occupancy. (A greedy backfill of idle gaps on one
port was tried and dropped: it is not monotone in bandwidth.)

``_walk`` is the same function compiled by Numba; tests check that both agree exactly.
"""

from __future__ import annotations

import numba
import numpy as np
from numba.extending import register_jitable

READ, WRITE, BARRIER, ITER_MAX = 0, 1, 2, 3
SCALARS = 4


@register_jitable
def _reserve(state, channel, earliest, duration):
    """Occupy ``channel`` for ``duration`` cycles from ``earliest`` on; return the end time."""
    start = max(earliest, state[channel])
    state[channel] = start + duration
    return start + duration


def _walk_py(unit, load, exe, store, lag, dep_ptr, dep_task, dep_off, dep_chip, buf_task, buf_off,
             barrier, it_from, it_to, n_iter, state, unit_free, exec_end, done,
             tl_unit, tl_task, tl_iter, tl_start, tl_end, tl_count):
    window = exec_end.shape[1]
    for k in range(it_from, it_to):
        if barrier:
            state[BARRIER] = state[ITER_MAX]
        for j in range(unit.shape[0]):
            it = k - lag[j]
            if it < 0 or it >= n_iter:
                continue
            ready = 0.0
            if load[j] > 0.0:
                earliest = 0.0
                b = buf_task[j]
                bi = it - buf_off[j]
                if b >= 0 and bi >= 0:
                    earliest = done[b, bi % window]
                ready = _reserve(state, READ, earliest, load[j])
            u = unit[j]
            start = max(ready, unit_free[u])
            if barrier:
                start = max(start, state[BARRIER])
            for d in range(dep_ptr[j], dep_ptr[j + 1]):
                pi = it - dep_off[d]
                if pi >= 0:
                    ready_at = exec_end if dep_chip[d] else done
                    start = max(start, ready_at[dep_task[d], pi % window])
            end = start + exe[j]
            unit_free[u] = end
            finish = end
            if store[j] > 0.0:
                finish = _reserve(state, WRITE, end, store[j])
            exec_end[j, it % window] = end
            done[j, it % window] = finish
            state[ITER_MAX] = max(state[ITER_MAX], finish)
            n = tl_count[0]
            if n < tl_unit.shape[0]:
                tl_unit[n] = u
                tl_task[n] = j
                tl_iter[n] = it
                tl_start[n] = start
                tl_end[n] = end
                tl_count[0] = n + 1


_walk = numba.njit(cache=True, nogil=True)(_walk_py)


def walk(*args, jit: bool = True) -> None:
    """Run the compiled kernel (default) or its plain-Python twin on the same arrays."""
    if args[15].shape[0] < SCALARS:
        raise ValueError(f"the state array needs {SCALARS} entries (READ .. ITER_MAX), got {args[15].shape[0]}")
    (_walk if jit else _walk_py)(*args)


def empty_timeline(capacity: int) -> tuple[np.ndarray, ...]:
    return (np.zeros(capacity, np.int64), np.zeros(capacity, np.int64), np.zeros(capacity, np.int64),
            np.zeros(capacity, np.float64), np.zeros(capacity, np.float64), np.zeros(1, np.int64))
