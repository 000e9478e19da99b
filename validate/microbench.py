"""Microbenchmarks of the host CPU: read/write bandwidth per cache level, FLOP/s, exp rate.

Bandwidth kernels are small Numba functions over int64 arrays (integer sums are exact,
so each has a plain-Python twin that agrees bit for bit); each thread works on its own
slice, so per-core levels are measured with every core busy, as kernels run.
FLOP/s and the exp rate come from torch, the library the validation suite times.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

WORD_BYTES = 8


@numba.njit(cache=False, nogil=True)
def _read_passes(chunk: np.ndarray, passes: int) -> np.int64:
    total = np.int64(0)
    for p in range(passes):
        acc = np.int64(0)
        for i in range(chunk.size):
            acc += chunk[i] ^ p
        total += acc
    return total


def _read_passes_py(chunk: np.ndarray, passes: int) -> int:
    total = 0
    for p in range(passes):
        total += sum(int(x) ^ p for x in chunk.tolist())
    return np.int64(total)


@numba.njit(parallel=True, cache=False)
def _read_parallel(buf: np.ndarray, chunks: int, passes: int) -> np.ndarray:
    size = buf.size // chunks
    partial = np.zeros(chunks, dtype=np.int64)
    for c in numba.prange(chunks):
        partial[c] = _read_passes(buf[c * size:(c + 1) * size], passes)
    return partial


def _read_parallel_py(buf: np.ndarray, chunks: int, passes: int) -> np.ndarray:
    size = buf.size // chunks
    return np.array([_read_passes_py(buf[c * size:(c + 1) * size], passes) for c in range(chunks)],
                    dtype=np.int64)


@numba.njit(parallel=True, cache=False)
def _write_parallel(buf: np.ndarray, chunks: int, passes: int) -> None:
    size = buf.size // chunks
    for c in numba.prange(chunks):
        for p in range(passes):
            buf[c * size:(c + 1) * size] = p


def _write_parallel_py(buf: np.ndarray, chunks: int, passes: int) -> None:
    size = buf.size // chunks
    for c in range(chunks):
        for p in range(passes):
            for i in range(c * size, (c + 1) * size):
                buf[i] = p


def read_parallel(buf: np.ndarray, chunks: int, passes: int) -> np.ndarray:
    """Per-chunk sums of ``buf[i] ^ pass`` over ``passes`` passes (int64 array, one per chunk)."""
    _check_buffer(buf, chunks)
    return _read_parallel(buf, chunks, passes)


def write_parallel(buf: np.ndarray, chunks: int, passes: int) -> None:
    """Overwrite ``buf`` ``passes`` times with the pass number, one chunk per thread."""
    _check_buffer(buf, chunks)
    _write_parallel(buf, chunks, passes)


def _check_buffer(buf: np.ndarray, chunks: int) -> None:
    if buf.dtype != np.int64 or buf.ndim != 1:
        raise TypeError("bandwidth kernels take a 1-D int64 array")
    if chunks < 1 or buf.size % chunks:
        raise ValueError(f"buffer of {buf.size} words does not split into {chunks} equal chunks")


@dataclass(frozen=True)
class Rate:
    """A measured rate: ``amount`` units (bytes, FLOPs, exps) per ``seconds``, the best of several runs."""

    amount: float
    seconds: float

    @property
    def per_s(self) -> float:
        return self.amount / self.seconds


def best_seconds(fn: Callable[[], Any], runs: int, warmup: int = 1) -> float:
    """Fastest of ``runs`` timed calls: a capability, as STREAM reports its best rate (robust to other load)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) * 1e-9)
    return min(samples)


def bandwidth(total_bytes: int, threads: int, mode: str, min_bytes_moved: float = 256e6, runs: int = 5) -> Rate:
    """Bytes/s reading or writing a working set of ``total_bytes`` split over ``threads`` threads."""
    words = max(threads, (total_bytes // WORD_BYTES) // threads * threads)
    buf = np.arange(words, dtype=np.int64)
    passes = max(1, int(min_bytes_moved // (words * WORD_BYTES)))
    numba.set_num_threads(threads)
    if mode not in ("read", "write"):
        raise ValueError(f"unknown mode {mode!r}; allowed: read, write")
    kernel = read_parallel if mode == "read" else write_parallel
    seconds = best_seconds(lambda: kernel(buf, threads, passes), runs)
    return Rate(float(words * WORD_BYTES * passes), seconds)


def matmul_flops(torch: Any, n: int, dtype: str, runs: int = 5) -> Rate:
    """FLOP/s of an n x n x n torch matmul in ``dtype`` (fp32, fp16, bf16)."""
    torch_dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[dtype]
    a = torch.randn(n, n).to(torch_dtype)
    b = torch.randn(n, n).to(torch_dtype)
    out = torch.empty(n, n, dtype=torch_dtype)
    seconds = best_seconds(lambda: torch.mm(a, b, out=out), runs)
    return Rate(2.0 * n ** 3, seconds)


def elementwise_rate(torch: Any, op: str, elements: int, repeats: int = 200, runs: int = 5) -> Rate:
    """Elements/s of an in-cache fp32 elementwise op (exp, log, sqrt, div), ``repeats`` calls per run."""
    x = torch.rand(elements) + 0.5
    out = torch.empty_like(x)
    fn = {"exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "div": torch.reciprocal}[op]

    def batch() -> None:
        for _ in range(repeats):
            fn(x, out=out)

    return Rate(float(elements * repeats), best_seconds(batch, runs))
