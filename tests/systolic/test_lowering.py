"""Einsum -> im2col layer lowering."""

import pytest

from sim.systolic.lowering import LoweringError, lower
from specbase import parse_document
from workloads import load_workload

BASE = """
name: w
dtype: int8
ranks: {{a: 6, b: 5, c: 4, r: 3, s: 2, h: 9, w: 7, p: 4, q: 6}}
inputs:
  X: [{x_ranks}]
  Y: [{y_ranks}]
einsums:
  - {einsum}
"""


def _workload(einsum, x_ranks, y_ranks):
    text = BASE.format(einsum=einsum, x_ranks=x_ranks, y_ranks=y_ranks)
    return load_workload(parse_document(text, "w.yaml"))


def test_gemm_ranks_flatten_into_m_n_k():
    w = _workload("Z[a,b,c] = sum_r X[a,b,r] * Y[r,c]", "a, b, r", "r, c")
    lowered = lower(w, w.einsums[0])
    layer = lowered.layer
    assert (layer.ofmap_px, layer.num_filters, layer.window) == (30, 4, 3)
    assert lowered.repeats == 1 and lowered.ifmap == "X"


def test_shared_output_rank_becomes_repeats():
    w = _workload("Z[a,b,c] = sum_r X[a,b,r] * Y[a,r,c]", "a, b, r", "a, r, c")
    lowered = lower(w, w.einsums[0])
    assert lowered.repeats == 6
    assert (lowered.layer.ofmap_px, lowered.layer.num_filters) == (5, 4)


def test_strided_window_becomes_convolution():
    w = _workload("Z[c,p,q] = sum_{r,s} X[2*p + r, q + s] * Y[c,r,s]", "h, w", "c, r, s")
    layer = lower(w, w.einsums[0]).layer
    assert (layer.ifmap_h, layer.ifmap_w, layer.filter_h, layer.filter_w) == (9, 7, 3, 2)
    assert (layer.stride_h, layer.stride_w, layer.channels, layer.num_filters) == (2, 1, 1, 4)


def test_swapped_operands():
    w = _workload("Z[a,c] = sum_r X[a,r] * Y[r,c]", "a, r", "r, c")
    lowered = lower(w, w.einsums[0], ifmap_tensor="Y")
    assert (lowered.layer.ofmap_px, lowered.layer.num_filters) == (4, 6)
    with pytest.raises(LoweringError, match="no input 'Q'"):
        lower(w, w.einsums[0], ifmap_tensor="Q")


def test_window_index_needs_unit_coefficient_on_the_reduced_rank():
    w = _workload("Z[c,p,q] = sum_r X[p + 2*r, q] * Y[c,r]", "h, q", "c, r")
    with pytest.raises(LoweringError, match="stride\\*p \\+ r"):
        lower(w, w.einsums[0])
