"""Numba bandwidth kernels agree exactly with their plain-Python twins."""

from __future__ import annotations

import numpy as np
import pytest

from validate import microbench as mb


@pytest.mark.parametrize(("size", "chunks", "passes"), [(12, 1, 1), (1000, 2, 3), (64, 4, 5)])
def test_read_kernel_matches_twin(size, chunks, passes):
    buf = (np.arange(size, dtype=np.int64) * 7919) % 1013
    assert np.array_equal(mb.read_parallel(buf, chunks, passes), mb._read_parallel_py(buf, chunks, passes))


def test_read_kernel_value_by_hand():
    buf = np.array([1, 2, 3, 4], dtype=np.int64)
    # pass 0: 1+2+3+4 = 10; pass 1: (1^1)+(2^1)+(3^1)+(4^1) = 0+3+2+5 = 10
    assert mb.read_parallel(buf, 1, 2).tolist() == [20]


@pytest.mark.parametrize(("size", "chunks", "passes"), [(12, 1, 1), (1000, 2, 3)])
def test_write_kernel_matches_twin(size, chunks, passes):
    a = np.zeros(size, dtype=np.int64)
    b = np.zeros(size, dtype=np.int64)
    mb.write_parallel(a, chunks, passes)
    mb._write_parallel_py(b, chunks, passes)
    assert np.array_equal(a, b)
    assert (a == passes - 1).all()


def test_bad_buffers_are_rejected():
    with pytest.raises(TypeError):
        mb.read_parallel(np.zeros(8, dtype=np.float64), 1, 1)
    with pytest.raises(ValueError, match="equal chunks"):
        mb.read_parallel(np.zeros(9, dtype=np.int64), 2, 1)
    with pytest.raises(ValueError, match="allowed: read, write"):
        mb.bandwidth(1 << 12, 1, "copy")


def test_bandwidth_counts_the_bytes_it_moves():
    rate = mb.bandwidth(1 << 16, 1, "read", min_bytes_moved=1 << 20, runs=2)
    assert rate.amount == (1 << 16) * ((1 << 20) // (1 << 16))
    assert rate.per_s > 0
