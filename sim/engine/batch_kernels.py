"""Numba kernel of the batched evaluation, with its plain-Python twin.

``_evaluate_py`` is the reference: for each candidate (a row of loop factors, loop
orders and keep bits over a prepared mapping template, see :mod:`sim.engine.batch`) it
computes what :func:`sim.engine.evaluate.plan` and :func:`sim.engine.schedule.schedule`
compute for the equivalent :class:`~sim.engine.mapping.Mapping`, with the same
arithmetic in the same order:

- the access counts of :mod:`sim.engine.counts` (tile, changes, fills, reads, updates per
  keeping level), bytes per storage level, the Einsum's compute and per-task cycles
  (:mod:`sim.engine.costs`) and its dynamic energy (:mod:`sim.engine.energy`);
- the feasibility checks of :mod:`sim.engine.feasibility` (spatial fan-out, mesh axes,
  capacity per phase and per Einsum) plus "the factors of every rank multiply to its size";
- the walk of every phase with the closed-form shortcut of :mod:`sim.engine.schedule`
  (the same period detection and jump), calling the schedule kernel's twin.

Helpers are ``register_jitable``: plain Python when called from Python, compiled inline
when called from ``_evaluate`` (``_evaluate_py`` compiled by Numba). Tests check that
both agree exactly, and that both equal :func:`sim.engine.evaluate.evaluate`.
"""

from __future__ import annotations

from collections import namedtuple

import numba
import numpy as np
from numba.extending import register_jitable

from sim.engine.kernels import ITER_MAX, SCALARS, _walk_py
from sim.engine.schedule import MAX_PERIOD, PROBE_ITERATIONS, TOLERANCE

HISTORY = 2 * MAX_PERIOD + 1
PJ_PER_MW_S = 1e9

_walk_inline = register_jitable(_walk_py)

Static = namedtuple("Static", [
    # per Einsum (E), levels (L, the unit's level last), ranks (R), count entries (N)
    "e_nlev", "e_nrank", "e_nent", "e_lvl_store", "e_rank_size",
    "e_glp_rank", "e_glp_fac", "e_nglp", "e_per_point", "e_overhead", "e_group_prod", "e_walked",
    "e_ops_pj", "e_fans", "e_mesh", "e_innermost", "e_phase",
    "ent_tensor", "ent_gtensor", "ent_out", "ent_bpe", "ent_home", "ent_home_store", "ent_force",
    "ent_nacc", "ent_ndim", "ent_coef", "ent_off", "ent_same", "ent_rel",
    # storage levels (S)
    "st_rbw", "st_wbw", "st_shared", "st_inst", "st_size", "st_re", "st_we",
    # phases (P) and their tasks
    "ph_common", "ph_iter", "ph_einsum", "ph_barrier", "ph_t0", "ph_t1", "ph_p0", "ph_d0", "ph_nunits",
    "ph_window", "ph_maxlag",
    "tk_einsum", "tk_unit", "tk_lag", "tk_dep_ptr", "tk_dep_task", "tk_dep_off", "tk_dep_chip", "tk_buf_task",
    "tk_buf_off",
    "tk_extra",
    # scalars
    "outer_rbw", "outer_wbw", "double_buffering", "shared", "n_tensors", "leak_mw", "clock_hz",
])


@register_jitable
def _index_width(coef, a, d, ext, nrank):
    w = 1
    for r in range(nrank):
        w += abs(coef[a, d, r]) * (ext[r] - 1)
    return w


@register_jitable
def _footprint(coef, off, nacc, ndim, same, ext, nrank):
    """Union footprint of an entry's accesses when each rank spans ``ext`` (nest.union_footprint)."""
    total = 1
    if nacc == 1:
        for d in range(ndim):
            total *= _index_width(coef, 0, d, ext, nrank)
        return total
    for d in range(ndim):
        lo_min = 0
        hi_max = 0
        spans = 0
        for a in range(nacc):
            w = _index_width(coef, a, d, ext, nrank)
            lo = off[a, d]
            hi = lo + w - 1
            if a == 0 or lo < lo_min:
                lo_min = lo
            if a == 0 or hi > hi_max:
                hi_max = hi
            spans += hi - lo + 1
        total *= (hi_max - lo_min + 1) if same[d] else spans
    return total


@register_jitable
def _extents(c, e, tf, sf, glp_rank, glp_fac, nlev, nrank):
    """ext[l, r]: iterations of rank r at level l and inside it (group loops at level 0)."""
    ext = np.ones((nlev + 1, nrank), np.int64)
    for lv in range(nlev - 1, -1, -1):
        for r in range(nrank):
            f = tf[c, e, lv, r]
            for a in range(sf.shape[3]):
                f *= sf[c, e, lv, a, r]
            ext[lv, r] = ext[lv + 1, r] * f
    for g in range(glp_rank.shape[0]):
        ext[0, glp_rank[g]] *= glp_fac[g]
    return ext


@register_jitable
def _instances(c, e, sf, nlev, nrank):
    inst = np.ones(nlev + 1, np.int64)
    for lv in range(1, nlev + 1):
        p = inst[lv - 1]
        for a in range(sf.shape[3]):
            for r in range(nrank):
                p *= sf[c, e, lv - 1, a, r]
        inst[lv] = p
    return inst


@register_jitable
def _temporal_loops(c, e, tf, od, glp_rank, glp_fac, nlev, nrank):
    """Temporal loops with factor > 1, outermost first: (level, rank, factor) rows."""
    ng = glp_rank.shape[0]
    loops = np.zeros((ng + nlev * nrank, 3), np.int64)
    n = 0
    for g in range(ng):
        if glp_fac[g] > 1:
            loops[n, 0] = 0
            loops[n, 1] = glp_rank[g]
            loops[n, 2] = glp_fac[g]
            n += 1
    for lv in range(nlev):
        for pos in range(nrank):
            r = od[c, e, lv, pos]
            f = tf[c, e, lv, r]
            if f > 1:
                loops[n, 0] = lv
                loops[n, 1] = r
                loops[n, 2] = f
                n += 1
    return loops[:n]


@register_jitable
def _changes(loops, rel, level):
    """(tile changes, distinct tiles) caused by the temporal loops above ``level`` (counts._changes)."""
    last = -1
    for i in range(loops.shape[0]):
        if loops[i, 0] < level and rel[loops[i, 1]]:
            last = i
    changes = 1
    distinct = 1
    for i in range(loops.shape[0]):
        if loops[i, 0] >= level:
            break
        if i <= last:
            changes *= loops[i, 2]
        if rel[loops[i, 1]]:
            distinct *= loops[i, 2]
    return changes, distinct


@register_jitable
def _rank_loops(c, e, tf, sf, glp_rank, glp_fac, r, nlev):
    """(factor, level) of rank r's loops, outermost first (Nest.rank_loops; a level's spatial loops
    merged into one after its temporal loop, with level -1: never counted)."""
    fac = np.ones(glp_rank.shape[0] + 2 * nlev, np.int64)
    lvl = np.full(glp_rank.shape[0] + 2 * nlev, -1, np.int64)
    n = 0
    for g in range(glp_rank.shape[0]):
        if glp_rank[g] == r:
            fac[n] = glp_fac[g]
            lvl[n] = 0
            n += 1
    for lv in range(nlev):
        fac[n] = tf[c, e, lv, r]
        lvl[n] = lv
        n += 1
        p = 1
        for a in range(sf.shape[3]):
            p *= sf[c, e, lv, a, r]
        fac[n] = p
        n += 1
    return fac[:n], lvl[:n]


@register_jitable
def _valid_iterations(points, fac, lvl, below):
    """Iterations of the temporal loops of levels < ``below`` that reach one of the first ``points``
    indices (nest.valid_iterations)."""
    product = 1
    counted = 1
    for i in range(fac.shape[0]):
        product *= fac[i]
        if 0 <= lvl[i] < below:
            counted *= fac[i]
    if product == points:
        return counted
    total = 0
    n = points
    for i in range(fac.shape[0]):
        stride = 1
        inner = 1
        for j in range(i + 1, fac.shape[0]):
            stride *= fac[j]
            if 0 <= lvl[j] < below:
                inner *= fac[j]
        if not 0 <= lvl[i] < below:
            n = min(n, stride)
            continue
        full = min(n // stride, fac[i])
        total += full * inner
        n -= full * stride
        if full == fac[i] or n <= 0:
            return total
    return total + (1 if n > 0 else 0)


@register_jitable
def _factors_ok(fac, size):
    """Product == size, or above it with the outermost factor = ceil(size / the others) (mapping._check_factors)."""
    product = 1
    outer = 1
    for i in range(fac.shape[0]):
        product *= fac[i]
        if outer == 1 and fac[i] > 1:
            outer = fac[i]
    if product == size:
        return True
    others = product // outer
    return product > size and outer == -(-size // others)


@register_jitable
def _irrelevant_spatial(c, e, sf, rel, outer, inner, nrank):
    p = 1
    for lv in range(outer, inner):
        for a in range(sf.shape[3]):
            for r in range(nrank):
                if not rel[r]:
                    p *= sf[c, e, lv, a, r]
    return p


@register_jitable
def _spatial_ok(c, e, sf, fans, mesh, nlev, nrank):
    """Fan-out per level within the hardware, mesh axes within the unit (feasibility.spatial_problems)."""
    naxes = sf.shape[3]
    for lv in range(nlev):
        p = 1
        for a in range(naxes):
            for r in range(nrank):
                p *= sf[c, e, lv, a, r]
        if p > 1 and (lv == nlev - 1 or p > fans[lv]):
            return False
    for a in range(1, naxes):
        p = 1
        for lv in range(nlev):
            for r in range(nrank):
                p *= sf[c, e, lv, a, r]
        if p > mesh[a]:
            return False
    return True


@register_jitable
def _keeping(c, e, kp, home, tensor, forced, nlev):
    """Nest levels that keep the entry's tensor: its home, kept (or forced) levels below, the unit."""
    unit = nlev - 1
    keep = np.zeros(nlev, np.int64)
    keep[0] = home
    nk = 1
    for lv in range(home + 1, unit):
        if kp[c, e, lv, tensor] or lv == forced:
            keep[nk] = lv
            nk += 1
    keep[nk] = unit
    return keep[: nk + 1]


@register_jitable
def _entry_counts(c, e, sf, keep, rel, coef, off, nacc, ndim, same, is_out, ext, real_ext, inst, loops, nrank,
                  tiles):
    """(reads, fills + updates) per keeping level of one entry (counts._tensor_counts); full tiles per level."""
    nk = keep.shape[0]
    reads = np.zeros(nk)
    fills = np.zeros(nk)
    updates = np.zeros(nk)
    for pos in range(nk):
        k = keep[pos]
        tiles[k] = _footprint(coef, off, nacc, ndim, same, ext[k], nrank)
        if pos == 0:
            continue
        real = _footprint(coef, off, nacc, ndim, same, real_ext[k], nrank)
        changes, distinct = _changes(loops, rel, k)
        moved = real * changes * inst[k]
        factor = _irrelevant_spatial(c, e, sf, rel, keep[pos - 1], k, nrank)
        if is_out:
            first = real * distinct * inst[k]
            updates[pos - 1] += moved / factor
            fills[pos] += moved - first
            reads[pos - 1] += (moved - first) / factor
        else:
            fills[pos] += moved
            reads[pos - 1] += moved / factor
    return reads, fills + updates


@register_jitable
def _fits(need, size):
    for s in range(need.shape[0]):
        total = 0.0
        for g in range(need.shape[1]):
            total += need[s, g]
        if total > size[s]:
            return False
    return True


@register_jitable
def _transfer_cycles(rb, wb, rbw, wbw, shared):
    reads = rb / rbw
    writes = wb / wbw
    return reads + writes if shared else max(reads, writes)


@register_jitable
def _canonical(out, scalars, unit_free, exec_end, done, k):
    window = exec_end.shape[1]
    n = 0
    for x in scalars:
        out[n] = x
        n += 1
    for x in unit_free:
        out[n] = x
        n += 1
    for ring in (exec_end, done):
        for j in range(ring.shape[0]):
            for d in range(window):
                out[n] = ring[j, (k - d) % window]
                n += 1


@register_jitable
def _period(hist, hn):
    """Smallest p such that the last states repeat with a constant shift every p iterations."""
    length = min(hn, HISTORY)
    for p in range(1, MAX_PERIOD + 1):
        if length < 2 * p + 1:
            break
        last = hist[(hn - 1) % HISTORY]
        mid = hist[(hn - 1 - p) % HISTORY]
        old = hist[(hn - 1 - 2 * p) % HISTORY]
        top = np.argmax(last)
        d = last[top] - mid[top]
        scale = max(1.0, abs(last[top]))
        active = False
        same = True
        for i in range(last.shape[0]):
            a = last[i] - mid[i]
            b = mid[i] - old[i]
            if a != 0 or b != 0:
                active = True
                if abs(a - d) > TOLERANCE * scale or abs(b - d) > TOLERANCE * scale:
                    same = False
        if active and same:
            return p, d
    return 0, 0.0


@register_jitable
def _jump(scalars, unit_free, exec_end, done, k, skip, delta):
    """Advance the state from after iteration ``k`` to after ``k + skip`` (schedule._State.jump)."""
    shift = skip * delta
    for i in range(scalars.shape[0]):
        scalars[i] += shift
    for i in range(unit_free.shape[0]):
        unit_free[i] += shift
    window = exec_end.shape[1]
    for ring in (exec_end, done):
        old = ring.copy()
        for d in range(window):
            for j in range(ring.shape[0]):
                ring[j, (k + skip - d) % window] = old[j, (k - d) % window] + shift


@register_jitable
def _walk_phase(unit, load, exe, store, lag, dep_ptr, dep_task, dep_off, dep_chip, buf_task, buf_off, barrier,
                shared,
                iterations, n_units, window, max_lag, start):
    """End cycle of a phase started at ``start`` (schedule.walk_phase with the shortcut)."""
    n = unit.shape[0]
    empty_i = np.zeros(0, np.int64)
    empty_f = np.zeros(0, np.float64)
    count = np.zeros(1, np.int64)
    scalars = np.full(SCALARS, start)
    unit_free = np.full(n_units, start)
    exec_end = np.full((n, window), start)
    done = np.full((n, window), start)
    total = iterations + max_lag
    k = 0
    if iterations > PROBE_ITERATIONS // 4:
        hist = np.zeros((HISTORY, SCALARS + n_units + 2 * n * window))
        hn = 0
        period = 0
        delta = 0.0
        probe_end = min(total, PROBE_ITERATIONS)
        while k < probe_end and period == 0:
            _walk_inline(unit, load, exe, store, lag, dep_ptr, dep_task, dep_off, dep_chip, buf_task, buf_off, barrier,
                         k, k + 1, iterations, scalars, unit_free, exec_end, done,
                         empty_i, empty_i, empty_i, empty_f, empty_f, count)
            k += 1
            if k <= window + max_lag:
                continue
            _canonical(hist[hn % HISTORY], scalars, unit_free, exec_end, done, k - 1)
            hn += 1
            period, delta = _period(hist, hn)
        if period > 0:
            skip = ((iterations - 1 - k - max_lag) // period) * period
            if skip > 0:
                _jump(scalars, unit_free, exec_end, done, k - 1, skip, delta / period)
                k += skip
    if k < total:
        _walk_inline(unit, load, exe, store, lag, dep_ptr, dep_task, dep_off, dep_chip, buf_task, buf_off, barrier,
                     k, total, iterations, scalars, unit_free, exec_end, done,
                     empty_i, empty_i, empty_i, empty_f, empty_f, count)
    end = max(scalars.max(), unit_free.max(), scalars[ITER_MAX])
    if shared:
        end = max(end, start + iterations * (load.sum() + store.sum()))
    return end


def _evaluate_py(tf, sf, od, kp, st, latency, energy, feasible):
    """Latency (cycles), energy (pJ) and feasibility of every candidate; inf where infeasible.

    ``tf``, ``sf``, ``od``, ``kp``: the temporal factors, spatial factors, loop orders and keep bits
    of :class:`sim.engine.batch.Candidates`; ``st``: the template's :class:`Static` arrays.
    """
    n_einsums = st.e_nlev.shape[0]
    n_phases = st.ph_common.shape[0]
    n_store = st.st_rbw.shape[0]
    for c in range(tf.shape[0]):
        per_task = np.zeros((n_einsums, 4))
        need_shared = np.zeros((n_phases, n_store, st.n_tensors))
        ok = True
        dynamic = 0.0
        for e in range(n_einsums):
            nlev = st.e_nlev[e]
            nrank = st.e_nrank[e]
            unit = nlev - 1
            glp_rank = st.e_glp_rank[e, : st.e_nglp[e]]
            glp_fac = st.e_glp_fac[e, : st.e_nglp[e]]
            lvl_store = st.e_lvl_store[e]
            ext = _extents(c, e, tf, sf, glp_rank, glp_fac, nlev, nrank)
            ok = ok and _spatial_ok(c, e, sf, st.e_fans[e], st.e_mesh[e], nlev, nrank)
            real_ext = np.empty((nlev + 1, nrank))
            titer = 1
            passes = 1
            for r in range(nrank):
                size = st.e_rank_size[e, r]
                for lv in range(nlev + 1):
                    real_ext[lv, r] = ext[lv, r] if ext[0, r] == size else ext[lv, r] * (size / ext[0, r])
                fac, lvl = _rank_loops(c, e, tf, sf, glp_rank, glp_fac, r, nlev)
                ok = ok and _factors_ok(fac, size)
                titer *= _valid_iterations(size, fac, lvl, nlev)
                passes *= _valid_iterations(size, fac, lvl, unit)
            inst = _instances(c, e, sf, nlev, nrank)
            loops = _temporal_loops(c, e, tf, od, glp_rank, glp_fac, nlev, nrank)
            rb = np.zeros(n_store)
            wb = np.zeros(n_store)
            need_own = np.zeros((n_store, st.n_tensors))
            need_here = need_shared[st.e_phase[e]]
            common = st.ph_common[st.e_phase[e]]
            tiles = np.zeros(nlev, np.int64)
            for t in range(st.e_nent[e]):
                keep = _keeping(c, e, kp, st.ent_home[e, t], st.ent_tensor[e, t], st.ent_force[e, t], nlev)
                reads, writes = _entry_counts(c, e, sf, keep, st.ent_rel[e, t], st.ent_coef[e, t], st.ent_off[e, t],
                                              st.ent_nacc[e, t], st.ent_ndim[e, t], st.ent_same[e, t],
                                              st.ent_out[e, t], ext, real_ext, inst, loops, nrank, tiles)
                bpe = st.ent_bpe[e, t]
                g = st.ent_gtensor[e, t]
                for pos in range(keep.shape[0] - 1):
                    s = lvl_store[keep[pos]]
                    rb[s] += reads[pos] * bpe
                    wb[s] += writes[pos] * bpe
                    if s == 0:
                        continue
                    streamed = st.ent_home_store[e, t] != s and s != st.e_innermost[e]
                    size = tiles[keep[pos]] * bpe * (2 if st.double_buffering and streamed else 1)
                    if common[s]:
                        need_here[s, g] = max(need_here[s, g], size)
                    else:
                        need_own[s, g] = max(need_own[s, g], size)
            ok = ok and _fits(need_own, st.st_size)
            compute = titer * st.e_per_point[e] + st.e_overhead[e] * passes
            inner = 0.0
            outer = lvl_store[0]
            for lv in range(unit):
                s = lvl_store[lv]
                dynamic += rb[s] * st.st_re[s] + wb[s] * st.st_we[s]
                if s != outer:
                    used = max(1, min(st.st_inst[s], inst[lv]))
                    inner = max(inner, _transfer_cycles(rb[s], wb[s], st.st_rbw[s] * used, st.st_wbw[s] * used,
                                                        st.st_shared[s]))
            dynamic += st.e_ops_pj[e]
            tasks = st.e_group_prod[e]
            if st.e_walked[e]:
                for r in range(nrank):
                    tasks *= tf[c, e, 0, r]
            per_task[e, 0] = rb[outer] / tasks / st.outer_rbw
            per_task[e, 1] = max(compute, inner) / tasks
            per_task[e, 2] = wb[outer] / tasks / st.outer_wbw
            per_task[e, 3] = tasks
        for p in range(n_phases):
            ok = ok and _fits(need_shared[p], st.st_size)
        feasible[c] = ok
        if not ok:
            latency[c] = np.inf
            energy[c] = np.inf
            continue
        start = 0.0
        for p in range(n_phases):
            t0, t1 = st.ph_t0[p], st.ph_t1[p]
            load = np.empty(t1 - t0)
            exe = np.empty(t1 - t0)
            store = np.empty(t1 - t0)
            for j in range(t1 - t0):
                load[j] = per_task[st.tk_einsum[t0 + j], 0]
                exe[j] = per_task[st.tk_einsum[t0 + j], 1] + st.tk_extra[t0 + j]
                store[j] = per_task[st.tk_einsum[t0 + j], 2]
            iterations = st.ph_iter[p]
            if iterations < 0:
                iterations = int(per_task[st.ph_einsum[p], 3])
            p0, d0 = st.ph_p0[p], st.ph_d0[p]
            dep_ptr = st.tk_dep_ptr[p0: p0 + t1 - t0 + 1]
            d1 = d0 + dep_ptr[t1 - t0]
            start = _walk_phase(st.tk_unit[t0:t1], load, exe, store, st.tk_lag[t0:t1], dep_ptr, st.tk_dep_task[d0:d1],
                                st.tk_dep_off[d0:d1], st.tk_dep_chip[d0:d1], st.tk_buf_task[t0:t1],
                                st.tk_buf_off[t0:t1],
                                st.ph_barrier[p], st.shared, iterations, st.ph_nunits[p], st.ph_window[p],
                                st.ph_maxlag[p], start)
        latency[c] = start
        energy[c] = dynamic + st.leak_mw * (start / st.clock_hz) * PJ_PER_MW_S


_evaluate = numba.njit(cache=True, nogil=True)(_evaluate_py)


def evaluate_arrays(tf, sf, od, kp, st, latency, energy, feasible, *, jit: bool = True) -> None:
    """Run the compiled kernel (default) or its plain-Python twin on the same arrays."""
    (_evaluate if jit else _evaluate_py)(tf, sf, od, kp, st, latency, energy, feasible)
