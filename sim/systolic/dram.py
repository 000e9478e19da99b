"""DRAM reads behind a double-buffered read SRAM, counted the way SCALE-Sim counts them.

SCALE-Sim (estimate-bandwidth mode) splits a read SRAM of S words into 100 sets of
floor(S / 100) words; half of them (the active half) form the working set.  Requests are
taken in issue order; a word already in the current working set is a hit, any other word is
fetched from DRAM and added to it.  When the working set has received 50 * floor(S / 100)
fetched words it is handed over and a new, empty working set starts (the other half of the
double buffer), so a word requested again after that hand-over is fetched again.

DRAM reads are therefore the fetch count of this tumbling working set over the exact request
order (see ``streams``).  When an operand's distinct words are fewer than the working-set
capacity the answer is simply that distinct count.  Otherwise a Numba kernel replays the order:
``_replay_blocks_nb`` fold by fold when each word belongs to one request block (filters, GEMMs,
convolutions whose windows do not overlap), ``_replay_nb`` word by word otherwise.
``_replay_py`` is the plain-Python twin of both (tests check all three agree).
"""

from __future__ import annotations

import numba
import numpy as np

from sim.systolic.config import SCALESIM_SETS
from sim.systolic.streams import OperandStream


def working_set_words(sram_words: int) -> int:
    """Capacity of the active half: 50 sets of floor(S / 100) words."""
    return (SCALESIM_SETS // 2) * (sram_words // SCALESIM_SETS)


def dram_reads_per_fold(stream: OperandStream, sram_words: int) -> np.ndarray:
    """DRAM words fetched while each fold issues its requests (int64[folds])."""
    return _replay(*_kernel_args(stream, sram_words))


def dram_reads_total(stream: OperandStream, sram_words: int, distinct_words: int) -> int:
    if distinct_words < working_set_words(sram_words):
        return distinct_words
    return int(dram_reads_per_fold(stream, sram_words).sum())


def _kernel_args(stream: OperandStream, sram_words: int) -> tuple:
    return (stream.flip, stream.steps, stream.a0, stream.b0, stream.nt, stream.nc,
            stream.is_ifmap, stream.geometry, stream.address_count,
            working_set_words(sram_words))


def _address_py(a, b, is_ifmap, geometry):
    ifmap_w, channels, filter_w, ofmap_w, stride_h, stride_w, window = geometry
    if not is_ifmap:
        return b * window + a
    out_row, out_col = divmod(a, ofmap_w)
    in_row, rest = divmod(b, filter_w * channels)
    in_col, channel = divmod(rest, channels)
    return ((out_row * stride_h + in_row) * ifmap_w + out_col * stride_w + in_col) * channels \
        + channel


def _fold_cells_py(flip, nt, nc):
    if flip:
        for t in range(nt - 1, -1, -1):
            for c in range(nc):
                yield t, c
        return
    for diagonal in range(nt + nc - 1):
        for c in range(max(0, diagonal - nt + 1), min(diagonal, nc - 1) + 1):
            yield diagonal - c, c


def _replay_py(flip, steps, a0, b0, nt, nc, is_ifmap, geometry, address_count, capacity):
    ua, va, ub, vb = (int(x) for x in steps)
    geometry = [int(x) for x in geometry]
    group_of = [-1] * address_count
    group, filled = 0, 0
    fetched = np.zeros(len(a0), dtype=np.int64)
    for fold in range(len(a0)):
        for t, c in _fold_cells_py(flip, int(nt[fold]), int(nc[fold])):
            a = int(a0[fold]) + ua * t + va * c
            b = int(b0[fold]) + ub * t + vb * c
            address = _address_py(a, b, is_ifmap, geometry)
            if group_of[address] == group:
                continue
            group_of[address] = group
            fetched[fold] += 1
            filled += 1
            if filled == capacity:
                group += 1
                filled = 0
    return fetched


def _offset_tables(is_ifmap, geometry, a_count, b_count):
    """Address = a_offset[a] + b_offset[b]: the divisions of ``_address_py`` done once."""
    ifmap_w, channels, filter_w, ofmap_w, stride_h, stride_w, window = (int(x) for x in geometry)
    a = np.arange(a_count, dtype=np.int64)
    b = np.arange(b_count, dtype=np.int64)
    if not is_ifmap:
        return a, b * window
    out_row, out_col = np.divmod(a, ofmap_w)
    in_row, rest = np.divmod(b, filter_w * channels)
    in_col, channel = np.divmod(rest, channels)
    return ((out_row * stride_h * ifmap_w + out_col * stride_w) * channels,
            (in_row * ifmap_w + in_col) * channels + channel)


@numba.njit(cache=True)
def _replay_nb(flip, steps, a0, b0, nt, nc, a_offset, b_offset, address_count, capacity):
    """Word-by-word replay (any stream, e.g. convolutions whose windows overlap)."""
    ua, va, ub, vb = steps[0], steps[1], steps[2], steps[3]
    group_of = np.full(address_count, -1, dtype=np.int64)
    group = 0
    filled = 0
    fetched = np.zeros(a0.shape[0], dtype=np.int64)
    for fold in range(a0.shape[0]):
        rows, cols = nt[fold], nc[fold]
        count = 0
        for step in range(rows * cols if flip else rows + cols - 1):
            if flip:
                t_first, c_first, c_last = rows - 1 - step // cols, step % cols, step % cols
            else:
                c_first, c_last = max(0, step - rows + 1), min(step, cols - 1)
                t_first = step - c_first
            t = t_first
            for c in range(c_first, c_last + 1):
                address = a_offset[a0[fold] + ua * t + va * c] + b_offset[b0[fold] + ub * t + vb * c]
                t -= 1 - flip
                if group_of[address] != group:
                    group_of[address] = group
                    count += 1
                    filled += 1
                    if filled == capacity:
                        group += 1
                        filled = 0
        fetched[fold] = count
    return fetched


@numba.njit(cache=True)
def _replay_blocks_nb(block_of, block_words, block_count, capacity):
    """Exact replay when every word is requested by one block only, once per visit.

    Blocks are then disjoint and each visit requests the block's words in the same order, so
    the part of a block inside the working set is always a suffix of that order: state
    (group, k) says positions k.. are in ``group``.  A visit misses on positions < k (all
    positions if the group changed) and every working-set hand-over during the misses makes
    the rest of the visit miss too.
    """
    state_group = np.full(block_count, -1, dtype=np.int64)
    state_start = np.zeros(block_count, dtype=np.int64)
    group = 0
    filled = 0
    fetched = np.zeros(block_of.shape[0], dtype=np.int64)
    for fold in range(block_of.shape[0]):
        block = block_of[fold]
        size = block_words[fold]
        start = 0
        if state_group[block] == group:
            prefix = state_start[block]
            room = capacity - filled
            if prefix < room:
                fetched[fold] = prefix
                filled += prefix
                state_start[block] = 0
                continue
            fetched[fold] = room
            group += 1
            filled = 0
            start = room
        misses = size - start
        fetched[fold] += misses
        total = filled + misses
        resets = total // capacity
        if resets == 0:
            filled = total
            state_group[block] = group
            state_start[block] = start
        else:
            last = start + (capacity - filled) + (resets - 1) * capacity
            group += resets
            filled = total - resets * capacity
            state_group[block] = group
            state_start[block] = last
    return fetched


def _replay(flip, steps, a0, b0, nt, nc, is_ifmap, geometry, address_count, capacity):
    a_count = int((a0 + steps[0] * nt + steps[1] * nc).max())
    b_count = int((b0 + steps[2] * nt + steps[3] * nc).max())
    if _injective(is_ifmap, geometry):
        block_of, block_count = _blocks(a0, b0, nt, nc)
        return _replay_blocks_nb(block_of, nt * nc, block_count, capacity)
    a_offset, b_offset = _offset_tables(is_ifmap, geometry, a_count, b_count)
    return _replay_nb(flip, steps, a0, b0, nt, nc, a_offset, b_offset, address_count, capacity)


def _injective(is_ifmap, geometry) -> bool:
    """True when every (a, b) names its own word: filters always, ifmaps when windows do not
    overlap (GEMMs, strides at least the filter size)."""
    if not is_ifmap:
        return True
    _, channels, filter_w, ofmap_w, stride_h, stride_w, window = (int(x) for x in geometry)
    filter_h = window // (filter_w * channels)
    return (stride_w >= filter_w or ofmap_w == 1) and stride_h >= filter_h


def _blocks(a0, b0, nt, nc):
    """Block id per fold: folds requesting the same rectangle of the operand share one."""
    ids: dict[tuple, int] = {}
    block_of = np.array([ids.setdefault((int(a), int(b), int(t), int(c)), len(ids))
                         for a, b, t, c in zip(a0, b0, nt, nc, strict=True)], dtype=np.int64)
    return block_of, max(1, len(ids))
