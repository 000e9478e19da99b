"""Output words written to DRAM through the double-buffered ofmap SRAM, as SCALE-Sim counts them.

Every output word the array writes (partial sums included, for ws and is) goes to DRAM once,
but SCALE-Sim counts DRAM writes in lines of ``line_words`` (the array width in its
stall-free mode).  Its write buffer holds S words; once more than S - ceil(S / 2) words wait
and no drain is in flight, the partly filled line is closed and up to ceil(drain / line) lines
are drained, one line per cycle, counting each drained line as full unless it is the chunk's
last.  Closed partial lines in the middle of a chunk are therefore over-counted, which is why
its figure can exceed the physical count by a few words.  When the buffer is full while a
drain is in flight the array stalls until the drain ends.

``_replay_nb`` reproduces that state machine fold by fold over the output request order;
``_replay_py`` is its plain-Python twin.  Returns (counted DRAM writes, stall cycles).
"""

from __future__ import annotations

from math import ceil

import numba
import numpy as np

from sim.systolic.folds import FoldPlan


def output_grid(plan: FoldPlan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per fold: first request row within the fold, and the skewed grid's nt x nc."""
    offsets, nt, nc = [], [], []
    for fold_col in range(plan.col_folds):
        for fold_row in range(plan.row_folds):
            if plan.dataflow == "os":
                used = plan.rows_used(fold_row)
                offsets.append(plan.t - 1 + plan.rows - used)
                nt.append(used)
            else:
                offsets.append(2 * plan.rows - 1)
                nt.append(plan.t)
            nc.append(plan.cols_used(fold_col))
    return (np.array(offsets, dtype=np.int64), np.array(nt, dtype=np.int64),
            np.array(nc, dtype=np.int64))


def ofmap_dram_writes(plan: FoldPlan, sram_words: int, line_words: int) -> tuple[int, int]:
    offsets, nt, nc = output_grid(plan)
    active = ceil(sram_words * 0.5)
    counted, stalls = _replay_nb(offsets, nt, nc, plan.cycles_per_fold, sram_words, active,
                                 line_words)
    return int(counted), int(stalls)


def _replay_py(offsets, nt, nc, fold_cycles, sram_words, active, line_words):
    buffer = _WriteBuffer(sram_words, active, line_words)
    stall = 0
    for fold in range(len(offsets)):
        rows, cols = int(nt[fold]), int(nc[fold])
        base = fold * fold_cycles + int(offsets[fold])
        for diagonal in range(rows + cols - 1):
            width = min(diagonal, cols - 1) - max(0, diagonal - rows + 1) + 1
            start = base + diagonal + stall
            cycle = start
            for _ in range(width):
                cycle = buffer.write(cycle)
            stall += cycle - start
    buffer.flush()
    return buffer.counted, stall


class _WriteBuffer:
    def __init__(self, sram_words, active, line_words):
        self.line_words = line_words
        self.free = sram_words
        self.active = active
        self.chunk_lines = ceil((sram_words - active) / line_words)
        self.fill = 0
        self.lines = 0
        self.partial = {}
        self.drained_to = 0
        self.drain_end = 0
        self.counted = 0

    def write(self, cycle):
        self.fill += 1
        self.free -= 1
        if self.fill == self.line_words:
            self.lines += 1
            self.fill = 0
        if cycle < self.drain_end:
            if self.free <= 0:
                cycle = self.drain_end
        elif self.free < self.active:
            self.drain_end = self.drain(cycle)
        return cycle

    def close_line(self):
        if self.fill:
            self.partial[self.lines] = self.fill
            self.lines += 1
            self.fill = 0

    def drain(self, cycle):
        self.close_line()
        end = min(self.drained_to + self.chunk_lines, self.lines)
        count = end - self.drained_to
        words = count * self.line_words
        if end - 1 in self.partial:
            words -= self.line_words - self.partial[end - 1]
        self.counted += words
        self.free += words
        self.drained_to = end
        return cycle + count - 1

    def flush(self):
        self.close_line()
        cycle = 0
        while self.drained_to < self.lines:
            cycle = self.drain(cycle) + 1


@numba.njit(cache=True)
def _replay_nb(offsets, nt, nc, fold_cycles, sram_words, active, line_words):
    """Row-batched twin of ``_replay_py``: a row's writes are stored in bulk up to the next
    event (a drain trigger or a full buffer), so the loop runs per row and event, not per word."""
    total = 0
    for fold in range(offsets.shape[0]):
        total += nt[fold] * nc[fold]
    queue = np.zeros(total // max(1, sram_words - active) + 16, dtype=np.int64)
    queue_fill = np.zeros(queue.shape[0], dtype=np.int64)
    head = 0
    tail = 0
    chunk = (sram_words - active + line_words - 1) // line_words
    free = sram_words
    fill = 0
    lines = 0
    drained_to = 0
    drain_end = 0
    counted = 0
    stall = 0
    for fold in range(offsets.shape[0]):
        rows, cols = nt[fold], nc[fold]
        base = fold * fold_cycles + offsets[fold]
        for diagonal in range(rows + cols - 1):
            left = min(diagonal, cols - 1) - max(0, diagonal - rows + 1) + 1
            start = base + diagonal + stall
            cycle = start
            while left > 0:
                burst = max(free, 1) if cycle < drain_end else max(free - active + 1, 1)
                stored = min(burst, left)
                fill += stored
                lines += fill // line_words
                fill %= line_words
                free -= stored
                left -= stored
                if stored < burst:
                    break
                if cycle < drain_end:
                    cycle = drain_end
                    continue
                if fill > 0:
                    queue, queue_fill, tail, lines = _close_line(queue, queue_fill, tail, lines, fill)
                    fill = 0
                end = min(drained_to + chunk, lines)
                words, head = _drained_words(queue, queue_fill, head, tail, drained_to, end, line_words)
                counted += words
                free += words
                drain_end = cycle + end - drained_to - 1
                drained_to = end
            stall += cycle - start
    if fill > 0:
        queue, queue_fill, tail, lines = _close_line(queue, queue_fill, tail, lines, fill)
    while drained_to < lines:
        end = min(drained_to + chunk, lines)
        words, head = _drained_words(queue, queue_fill, head, tail, drained_to, end, line_words)
        counted += words
        drained_to = end
    return counted, stall


@numba.njit(cache=True)
def _close_line(queue, queue_fill, tail, lines, fill):
    """Record the partial line being filled (its number and fill) and start a new line."""
    if tail == queue.shape[0]:
        queue = _grown(queue)
        queue_fill = _grown(queue_fill)
    queue[tail] = lines
    queue_fill[tail] = fill
    return queue, queue_fill, tail + 1, lines + 1


@numba.njit(cache=True)
def _drained_words(queue, queue_fill, head, tail, drained_to, end, line_words):
    """Words counted for draining lines ``drained_to .. end``; a closed partial last line counts its fill."""
    words = (end - drained_to) * line_words
    while head < tail and queue[head] < end - 1:
        head += 1
    if head < tail and queue[head] == end - 1:
        words -= line_words - queue_fill[head]
    return words, head


@numba.njit(cache=True)
def _grown(values):
    bigger = np.zeros(2 * values.shape[0], dtype=np.int64)
    bigger[:values.shape[0]] = values
    return bigger
