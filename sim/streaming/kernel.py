"""Local-clock timing kernel for streaming pipelines (Numba, with a plain-Python twin).

Every unit keeps its own clock and runs ahead as far as the information it needs is
final: an input element exists (its ready time is known) and, for a bounded output,
the element ``capacity`` places earlier has been dequeued (its release time is
known). Because every FIFO latency is at least one cycle, results do not depend on
the order units are visited; they equal the SimPy reference in
:mod:`sim.streaming.engine` cycle for cycle.

Peak occupancy merges the enqueue and release streams of each FIFO on the fly
(releases before enqueues at equal times), using each side's clock as a lower bound
for its next event, so only live elements are stored.
"""

from __future__ import annotations

import numpy as np

# unit state columns
T, ROW, COL, PHASE, CURR, DONE, FIRINGS, STALL_IN, STALL_OUT, BLOCK_FIFO, BLOCK_KIND, END = range(12)
N_USTATE = 12
# fifo state columns
ENQ, DEQ, EI, RI, LEVEL, PEAK, MASK, OFF = range(8)
N_FSTATE = 8
TS, ENQ_T, REL = range(3)
# unit constants columns
ROWS, COLS, II, LAT, STARTUP, PER_ROW = range(6)
# fifo constants columns (ANALYTIC: a never-blocked source, element k at A_START + k*A_STEP (+A_OFF ready))
CAP, SEND_LAT, RESP_LAT, _SPARE, PROD, CONS, ANALYTIC, A_START, A_STEP, A_OFF = range(10)
INF = np.int64(2**62)
STATUS_DONE, STATUS_DEADLOCK, STATUS_NEED_ROOM = 0, 1, 2
MERGE_EVERY_PASSES = 16


def _fires(mode, col, cols):
    if mode == 0:
        return True
    if mode == 1:
        return col == 0
    return col == cols - 1


def _slot(f, k, fst):
    return fst[f, OFF] + (k & fst[f, MASK])


def _ts(f, k, fconst, ring, fst):
    if fconst[f, ANALYTIC] == 1:
        return fconst[f, A_START] + k * fconst[f, A_STEP] + fconst[f, A_OFF]
    return ring[TS, _slot(f, k, fst)]


def _enq_time(f, k, fconst, ring, fst):
    if fconst[f, ANALYTIC] == 1:
        return fconst[f, A_START] + k * fconst[f, A_STEP]
    return ring[ENQ_T, _slot(f, k, fst)]


def _grow(f, fconst, fst, ring):
    """Move FIFO ``f`` to a ring twice the live window; False if the arena is full."""
    lo = min(fst[f, RI], fst[f, DEQ])
    cap = fconst[f, CAP]
    if cap > 0:
        lo = min(lo, max(0, fst[f, ENQ] - cap))
    hi = fst[f, DEQ] if fconst[f, ANALYTIC] == 1 else fst[f, ENQ]
    new_size = fst[f, MASK] + 1
    while new_size < 2 * (hi - lo + 1):
        new_size *= 2
    used = 0
    for g in range(fst.shape[0]):
        used = max(used, fst[g, OFF] + fst[g, MASK] + 1)
    if used + new_size > ring.shape[1]:
        return False
    for k in range(lo, hi):
        src = _slot(f, k, fst)
        dst = used + (k & (new_size - 1))
        for row in range(3):
            ring[row, dst] = ring[row, src]
    fst[f, OFF] = used
    fst[f, MASK] = new_size - 1
    return True


def _merge(f, fconst, fst, ust, ring):
    """Advance the peak-occupancy merge of FIFO ``f`` as far as it is final."""
    prod = fconst[f, PROD]
    cons = fconst[f, CONS]
    prod_lb = INF if ust[prod, DONE] == 1 else ust[prod, T]
    cons_lb = INF if ust[cons, DONE] == 1 else ust[cons, T] + fconst[f, RESP_LAT]
    while True:
        ei = fst[f, EI]
        ri = fst[f, RI]
        has_e = ei < fst[f, ENQ]
        if ri < fst[f, DEQ]:
            r_t = ring[REL, _slot(f, ri, fst)]
            if has_e:
                take_release = r_t <= _enq_time(f, ei, fconst, ring, fst)
            elif prod_lb >= r_t:
                take_release = True
            else:
                return
        elif has_e and (ri == ei or cons_lb > _enq_time(f, ei, fconst, ring, fst)):
            take_release = False
        else:
            return
        if take_release:
            fst[f, RI] = ri + 1
            fst[f, LEVEL] -= 1
        else:
            fst[f, EI] = ei + 1
            fst[f, LEVEL] += 1
            if fst[f, LEVEL] > fst[f, PEAK]:
                fst[f, PEAK] = fst[f, LEVEL]


def _run(uconst, in_ptr, in_fifo, in_mode, out_ptr, out_fifo, out_mode, fconst, fst, ust, ring, quantum):
    """Advance every unit as far as final information allows; return a STATUS_* code.

    One function on purpose: array arguments passed to helpers cost Numba a reference
    count per call, so the per-firing path keeps its array accesses inline and calls
    helpers only per visit (peak merge) or rarely (ring growth). A firing gathers its
    inputs (phase 0), waits for room in its outputs (phase 1), enqueues, and advances
    the unit's clock by its II (plus the per-row overhead at a row boundary).
    """
    n_units = uconst.shape[0]
    status = STATUS_DONE
    passes = 0
    while True:
        progress = False
        pending = False
        for u in range(n_units):
            if ust[u, DONE] == 1:
                continue
            pending = True
            cols = uconst[u, COLS]
            for _ in range(quantum):
                for p in range(out_ptr[u], out_ptr[u + 1]):
                    f = out_fifo[p]
                    lo = min(fst[f, RI], fst[f, DEQ])
                    if fconst[f, CAP] > 0:
                        lo = min(lo, max(0, fst[f, ENQ] - fconst[f, CAP]))
                    if fst[f, ENQ] - lo >= fst[f, MASK] and not _grow(f, fconst, fst, ring):
                        return STATUS_NEED_ROOM
                for p in range(in_ptr[u], in_ptr[u + 1]):
                    f = in_fifo[p]
                    if fconst[f, ANALYTIC] == 1 and fst[f, DEQ] - fst[f, RI] >= fst[f, MASK] \
                            and not _grow(f, fconst, fst, ring):
                        return STATUS_NEED_ROOM
                col = ust[u, COL]
                if ust[u, PHASE] == 0:
                    t = ust[u, T]
                    ready = t
                    blocked = False
                    for p in range(in_ptr[u], in_ptr[u + 1]):
                        if not _fires(in_mode[p], col, cols):
                            continue
                        f = in_fifo[p]
                        k = fst[f, DEQ]
                        if k >= fst[f, ENQ]:
                            ust[u, BLOCK_FIFO] = f
                            ust[u, BLOCK_KIND] = 0
                            blocked = True
                            break
                        if fconst[f, ANALYTIC] == 1:
                            ts = fconst[f, A_START] + k * fconst[f, A_STEP] + fconst[f, A_OFF]
                        else:
                            ts = ring[TS, fst[f, OFF] + (k & fst[f, MASK])]
                        ready = max(ready, ts)
                    if blocked:
                        break
                    ust[u, STALL_IN] += ready - t
                    ust[u, T] = ready
                    for p in range(in_ptr[u], in_ptr[u + 1]):
                        if _fires(in_mode[p], col, cols):
                            f = in_fifo[p]
                            k = fst[f, DEQ]
                            ring[REL, fst[f, OFF] + (k & fst[f, MASK])] = ready + fconst[f, RESP_LAT]
                            fst[f, DEQ] = k + 1
                    ust[u, CURR] = ready
                    ust[u, PHASE] = 1
                    progress = True
                t = ust[u, T]
                start = t
                blocked = False
                for p in range(out_ptr[u], out_ptr[u + 1]):
                    if not _fires(out_mode[p], col, cols):
                        continue
                    f = out_fifo[p]
                    cap = fconst[f, CAP]
                    j = fst[f, ENQ] - cap
                    if cap > 0 and j >= 0:
                        if j >= fst[f, DEQ]:
                            ust[u, BLOCK_FIFO] = f
                            ust[u, BLOCK_KIND] = 1
                            blocked = True
                            break
                        t = max(t, ring[REL, fst[f, OFF] + (j & fst[f, MASK])])
                if blocked:
                    break
                ust[u, STALL_OUT] += t - start
                ust[u, T] = t
                issued = ust[u, CURR] + uconst[u, LAT]
                for p in range(out_ptr[u], out_ptr[u + 1]):
                    if _fires(out_mode[p], col, cols):
                        f = out_fifo[p]
                        k = fst[f, ENQ]
                        slot = fst[f, OFF] + (k & fst[f, MASK])
                        ring[TS, slot] = max(issued, t + fconst[f, SEND_LAT])
                        ring[ENQ_T, slot] = t
                        fst[f, ENQ] = k + 1
                progress = True
                ust[u, T] = t + uconst[u, II]
                ust[u, FIRINGS] += 1
                ust[u, PHASE] = 0
                if col + 1 < cols:
                    ust[u, COL] = col + 1
                    continue
                ust[u, COL] = 0
                ust[u, ROW] += 1
                if ust[u, ROW] == uconst[u, ROWS]:
                    ust[u, DONE] = 1
                    ust[u, END] = ust[u, T]
                    ust[u, BLOCK_FIFO] = -1
                    break
                ust[u, T] += uconst[u, PER_ROW]
        passes += 1
        if passes % MERGE_EVERY_PASSES == 0:
            _merge_all(fconst, fst, ust, ring)
        if not pending:
            break
        if not progress:
            status = STATUS_DEADLOCK
            break
    _merge_all(fconst, fst, ust, ring)
    return status


def _merge_all(fconst, fst, ust, ring):
    """Advance the occupancy merge of every FIFO (it only ever uses final information)."""
    for f in range(fconst.shape[0]):
        _merge(f, fconst, fst, ust, ring)


_KERNEL_FUNCTIONS = ("_fires", "_slot", "_ts", "_enq_time", "_grow", "_merge", "_merge_all", "_run")


def python_kernel():
    """The plain-Python twin of the kernel (slow; for tests on small pipelines)."""
    return _run


def jit_kernel():
    """The Numba-compiled kernel (see :mod:`sim.streaming.kernel_jit`)."""
    from sim.streaming import kernel_jit

    return kernel_jit._run


def empty_ring(n_fifos: int) -> np.ndarray:
    """Initial ring arena: room for 64 slots per FIFO (ready, enqueue and release times)."""
    return np.zeros((3, 64 * max(1, n_fifos)), np.int64)


def enlarged(ring: np.ndarray) -> np.ndarray:
    """A copy of the arena with twice the room (the kernel asks for it with STATUS_NEED_ROOM)."""
    bigger = np.zeros((3, 2 * ring.shape[1]), np.int64)
    bigger[:, :ring.shape[1]] = ring
    return bigger
