"""Numba kernels agree exactly with their plain-Python twins."""

from math import ceil

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.systolic import ConvLayer, SystolicConfig
from sim.systolic.dram import (
    _blocks,
    _kernel_args,
    _offset_tables,
    _replay,
    _replay_blocks_nb,
    _replay_nb,
    _replay_py,
)
from sim.systolic.folds import FoldPlan
from sim.systolic.ofmap import _replay_nb as ofmap_nb
from sim.systolic.ofmap import _replay_py as ofmap_py
from sim.systolic.ofmap import output_grid
from sim.systolic.streams import FILTER, IFMAP, operand_stream

layers = st.one_of(
    st.builds(ConvLayer.gemm, st.integers(1, 40), st.integers(1, 40), st.integers(1, 40)),
    st.builds(lambda h, w, r, s, c, k, sh, sw: ConvLayer(h + r, w + s, r, s, c, k, sh, sw),
              st.integers(0, 8), st.integers(0, 8), st.integers(1, 3), st.integers(1, 3),
              st.integers(1, 3), st.integers(1, 12), st.integers(1, 3), st.integers(1, 3)),
)
arrays = st.tuples(st.integers(1, 9), st.integers(1, 9), st.sampled_from(["os", "ws", "is"]))


@settings(max_examples=60, deadline=None)
@given(layers, arrays, st.integers(100, 1500), st.sampled_from([IFMAP, FILTER]))
def test_dram_replay_twins_agree(layer, array, sram_words, operand):
    rows, cols, dataflow = array
    plan = FoldPlan.of(SystolicConfig(rows, cols, dataflow, 10**6, 10**6, 10**6), layer)
    args = _kernel_args(operand_stream(plan, layer, operand), sram_words)
    assert np.array_equal(_replay(*args), _replay_py(*args))


@settings(max_examples=60, deadline=None)
@given(layers, arrays, st.integers(100, 700))
def test_ofmap_replay_twins_agree(layer, array, sram_words):
    rows, cols, dataflow = array
    plan = FoldPlan.of(SystolicConfig(rows, cols, dataflow, 10**6, 10**6, 10**6), layer)
    args = (*output_grid(plan), plan.cycles_per_fold, sram_words, ceil(sram_words * 0.5), cols)
    nb = ofmap_nb(*args)
    assert (int(nb[0]), int(nb[1])) == ofmap_py(*args)


def test_replay_counts_every_distinct_word_once_when_it_fits():
    layer = ConvLayer.gemm(12, 10, 7)
    plan = FoldPlan.of(SystolicConfig(4, 4, "os", 10**6, 10**6, 10**6), layer)
    fetched = _replay_py(*_kernel_args(operand_stream(plan, layer, IFMAP), 10**6))
    assert fetched.sum() == 12 * 7
    # the first column fold fetches everything, the later ones hit
    assert fetched[: plan.row_folds].sum() == 12 * 7


@settings(max_examples=40, deadline=None)
@given(st.builds(ConvLayer.gemm, st.integers(1, 40), st.integers(1, 40), st.integers(1, 40)),
       arrays, st.integers(100, 1500), st.sampled_from([IFMAP, FILTER]))
def test_block_replay_equals_word_replay_for_gemms(layer, array, sram_words, operand):
    rows, cols, dataflow = array
    plan = FoldPlan.of(SystolicConfig(rows, cols, dataflow, 10**6, 10**6, 10**6), layer)
    stream = operand_stream(plan, layer, operand)
    flip, steps, a0, b0, nt, nc, is_ifmap, geometry, count, capacity = _kernel_args(stream,
                                                                                    sram_words)
    block_of, block_count = _blocks(a0, b0, nt, nc)
    a_offset, b_offset = _offset_tables(is_ifmap, geometry, count, count)
    words = _replay_nb(flip, steps, a0, b0, nt, nc, a_offset, b_offset, count, capacity)
    assert np.array_equal(_replay_blocks_nb(block_of, nt * nc, block_count, capacity), words)
