"""Fast timing path: lower a :class:`Pipeline` to arrays and run the local-clock kernel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.streaming import kernel as k
from sim.streaming.graph import Mode, Pipeline, UnitSpec
from sim.streaming.stats import Deadlock, FifoStats, StreamRun, UnitStats, Wait, find_wait_cycle

DEFAULT_QUANTUM = 1 << 12


@dataclass(frozen=True)
class _Arrays:
    uconst: np.ndarray
    in_ptr: np.ndarray
    in_fifo: np.ndarray
    in_mode: np.ndarray
    out_ptr: np.ndarray
    out_fifo: np.ndarray
    out_mode: np.ndarray
    fconst: np.ndarray
    totals: np.ndarray


def _free_source(p: Pipeline, unit: UnitSpec) -> bool:
    """A source that can never be back-pressured: its element times are closed-form."""
    if unit.inputs or unit.per_row_cycles or unit.ii_cycles < 1:
        return False
    for port in unit.outputs:
        if port.mode is not Mode.EVERY and unit.cols > 1:
            return False
        for name in port.fifos:
            cap = p.fifo(name).capacity_elements
            if cap is not None and cap < unit.produced(port):
                return False
    return True


def _arrays(p: Pipeline) -> _Arrays:
    fidx = {f.name: i for i, f in enumerate(p.fifos)}
    uidx = {u.name: i for i, u in enumerate(p.units)}
    uconst = np.array([[u.rows, u.cols, u.ii_cycles, u.latency_cycles, u.startup_cycles, u.per_row_cycles]
                       for u in p.units], np.int64).reshape(len(p.units), 6)
    ins = [[(fidx[port.fifo], int(port.mode)) for port in u.inputs] for u in p.units]
    outs = [[(fidx[f], int(port.mode)) for port in u.outputs for f in port.fifos] for u in p.units]
    fconst = np.zeros((len(p.fifos), 10), np.int64)
    totals = np.zeros(len(p.fifos), np.int64)
    for i, f in enumerate(p.fifos):
        prod, _ = p.producer(f.name)
        cons, _ = p.consumer(f.name)
        totals[i] = p.elements(f.name)
        bounded = f.capacity_elements is not None and f.capacity_elements < totals[i]
        capacity = f.capacity_elements if bounded else -1
        fconst[i, :k.ANALYTIC] = (capacity, f.latency_cycles, f.response_latency_cycles, 0, uidx[prod.name],
                                  uidx[cons.name])
        if _free_source(p, prod):
            start = prod.startup_cycles
            fconst[i, k.ANALYTIC:] = (1, start, prod.ii_cycles, max(prod.latency_cycles, f.latency_cycles))
    return _Arrays(uconst, *_csr(ins), *_csr(outs), fconst, totals)


def _csr(rows: list[list[tuple[int, int]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ptr = np.zeros(len(rows) + 1, np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    flat = [item for r in rows for item in r]
    fifo = np.array([f for f, _ in flat], np.int64)
    mode = np.array([m for _, m in flat], np.int64)
    return ptr, fifo, mode


def _initial_state(p: Pipeline, a: _Arrays) -> tuple[np.ndarray, np.ndarray]:
    ust = np.zeros((len(p.units), k.N_USTATE), np.int64)
    ust[:, k.T] = a.uconst[:, k.STARTUP] + a.uconst[:, k.PER_ROW]
    ust[:, k.BLOCK_FIFO] = -1
    fst = np.zeros((len(p.fifos), k.N_FSTATE), np.int64)
    fst[:, k.MASK] = 15
    fst[:, k.OFF] = 16 * np.arange(len(p.fifos))
    for i, u in enumerate(p.units):
        outs = [f for port in u.outputs for f in port.fifos]
        if outs and all(a.fconst[a.out_fifo[j], k.ANALYTIC] == 1 for j in range(a.out_ptr[i], a.out_ptr[i + 1])):
            ust[i, k.DONE] = 1
            ust[i, k.FIRINGS] = u.firings
            ust[i, k.END] = u.startup_cycles + u.firings * u.ii_cycles
            ust[i, k.T] = ust[i, k.END]
    for i in range(len(p.fifos)):
        if a.fconst[i, k.ANALYTIC] == 1:
            fst[i, k.ENQ] = a.totals[i]
    return ust, fst


def simulate_timing(p: Pipeline, *, python: bool = False, quantum: int = DEFAULT_QUANTUM) -> StreamRun:
    """Cycle-exact timing of ``p`` (Numba kernel, or its plain-Python twin)."""
    a = _arrays(p)
    ust, fst = _initial_state(p, a)
    ring = k.empty_ring(len(p.fifos))
    run = k.python_kernel() if python else k.jit_kernel()
    while True:
        status = run(a.uconst, a.in_ptr, a.in_fifo, a.in_mode, a.out_ptr, a.out_fifo, a.out_mode, a.fconst,
                     fst, ust, ring, quantum)
        if status != k.STATUS_NEED_ROOM:
            break
        ring = k.enlarged(ring)
    deadlock = _deadlock(p, a, ust) if status == k.STATUS_DEADLOCK else None
    units = tuple(_unit_stats(u, ust[i], deadlock is not None) for i, u in enumerate(p.units))
    fifos = tuple(FifoStats(f.name, f.role, f.capacity_elements, int(a.totals[i]), int(fst[i, k.PEAK]))
                  for i, f in enumerate(p.fifos))
    cycles = None if deadlock else max(u.end_cycle for u in units)
    events = int(sum(u.firings for u in units))
    return StreamRun(p.name, "python" if python else "numba", cycles, units, fifos, deadlock, events=events)


def _unit_stats(u: UnitSpec, row: np.ndarray, deadlocked: bool) -> UnitStats:
    end = int(row[k.END]) if row[k.DONE] else int(row[k.T])
    return UnitStats(u.name, u.op, int(row[k.FIRINGS]), int(row[k.FIRINGS]) * u.ii_cycles,
                     int(row[k.STALL_IN]), int(row[k.STALL_OUT]), end)


def _deadlock(p: Pipeline, a: _Arrays, ust: np.ndarray) -> Deadlock:
    waits: dict[str, Wait] = {}
    for i, u in enumerate(p.units):
        if ust[i, k.DONE] or ust[i, k.BLOCK_FIFO] < 0:
            continue
        fifo = p.fifos[int(ust[i, k.BLOCK_FIFO])].name
        data = ust[i, k.BLOCK_KIND] == 0
        other = p.producer(fifo)[0] if data else p.consumer(fifo)[0]
        waits[u.name] = Wait(u.name, fifo, "data" if data else "space", other.name)
    start = next(iter(waits))
    cycle = find_wait_cycle(waits, start)
    blocked = {u.name: int(ust[i, k.T]) for i, u in enumerate(p.units) if u.name in waits}
    return Deadlock(cycle, blocked)
