"""Timing real kernels: warm-up, cache flush, many runs, medians and a noise verdict.

A ``Timer`` times one call of a function and returns seconds. ``CpuTimer`` uses the
monotonic ``perf_counter_ns`` clock (CPU torch ops are synchronous); ``CudaEventTimer``
records CUDA events around the call and synchronizes before reading them. Tests inject
a scripted timer, so the statistics and the protocol are checked without hardware.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

NOISY_IQR_FRACTION = 0.10


class Timer(Protocol):
    name: str

    def time_call(self, fn: Callable[[], Any]) -> float:
        """Seconds one call of ``fn`` took."""


class CpuTimer:
    """Monotonic host clock around a synchronous call."""

    name = "perf_counter"

    def __init__(self, clock_ns: Callable[[], int] = time.perf_counter_ns):
        self._clock_ns = clock_ns

    def time_call(self, fn: Callable[[], Any]) -> float:
        start = self._clock_ns()
        fn()
        return (self._clock_ns() - start) * 1e-9


class CudaEventTimer:
    """CUDA events recorded on the current stream around the call; ``cuda`` is ``torch.cuda``."""

    name = "cuda_event"

    def __init__(self, cuda: Any):
        self._cuda = cuda

    def time_call(self, fn: Callable[[], Any]) -> float:
        start = self._cuda.Event(enable_timing=True)
        end = self._cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) * 1e-3


@dataclass(frozen=True)
class TimingPolicy:
    """How hard to try: warm-up and measurement budgets (seconds) and run-count bounds."""

    warmup_runs: int = 3
    warmup_budget_s: float = 0.05
    min_repeats: int = 10
    max_repeats: int = 200
    budget_s: float = 0.5
    noisy_iqr_fraction: float = NOISY_IQR_FRACTION

    def repeats_for(self, estimate_s: float) -> int:
        if estimate_s <= 0:
            return self.max_repeats
        wanted = int(self.budget_s / estimate_s)
        return max(self.min_repeats, min(self.max_repeats, wanted))


QUICK_POLICY = TimingPolicy(warmup_runs=2, warmup_budget_s=0.02, min_repeats=5, max_repeats=50, budget_s=0.15)
DEFAULT_POLICY = TimingPolicy()
FULL_POLICY = TimingPolicy(warmup_runs=5, warmup_budget_s=0.1, min_repeats=20, max_repeats=1000, budget_s=2.0)


@dataclass(frozen=True)
class Timing:
    """Statistics of the timed runs of one kernel (seconds)."""

    samples_s: tuple[float, ...]
    warmup_runs: int
    timer: str
    noisy_iqr_fraction: float = NOISY_IQR_FRACTION

    @property
    def repeats(self) -> int:
        return len(self.samples_s)

    @property
    def median_s(self) -> float:
        return statistics.median(self.samples_s)

    def quantile_s(self, q: float) -> float:
        ordered = sorted(self.samples_s)
        pos = q * (len(ordered) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(ordered) - 1)
        return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)

    @property
    def iqr_fraction(self) -> float:
        """Inter-quartile range over the median: the spread that decides ``noisy``."""
        median = self.median_s
        if median <= 0:
            return float("inf")
        return (self.quantile_s(0.75) - self.quantile_s(0.25)) / median

    @property
    def noisy(self) -> bool:
        return self.repeats < 3 or self.iqr_fraction > self.noisy_iqr_fraction

    def summary(self) -> dict[str, float | int | bool | str]:
        return {
            "median_s": self.median_s, "p25_s": self.quantile_s(0.25), "p75_s": self.quantile_s(0.75),
            "min_s": min(self.samples_s), "max_s": max(self.samples_s),
            "mean_s": statistics.fmean(self.samples_s), "iqr_fraction": self.iqr_fraction,
            "repeats": self.repeats, "warmup_runs": self.warmup_runs, "noisy": self.noisy, "timer": self.timer,
        }


def measure(fn: Callable[[], Any], timer: Timer, flush: Callable[[], None] | None = None,
            policy: TimingPolicy = DEFAULT_POLICY) -> Timing:
    """Warm up, then time ``fn`` repeatedly with ``flush`` run (untimed) before each call."""
    warmup = _warm_up(fn, timer, flush, policy)
    estimate_s = statistics.median(warmup)
    samples = [_timed(fn, timer, flush) for _ in range(policy.repeats_for(estimate_s))]
    return Timing(tuple(samples), len(warmup), timer.name, policy.noisy_iqr_fraction)


def _timed(fn: Callable[[], Any], timer: Timer, flush: Callable[[], None] | None) -> float:
    if flush is not None:
        flush()
    return timer.time_call(fn)


def _warm_up(fn: Callable[[], Any], timer: Timer, flush: Callable[[], None] | None,
             policy: TimingPolicy) -> Sequence[float]:
    runs: list[float] = []
    spent = 0.0
    while len(runs) < policy.warmup_runs or (spent < policy.warmup_budget_s and len(runs) < 100):
        runs.append(_timed(fn, timer, flush))
        spent += runs[-1]
    return runs[max(0, len(runs) - policy.warmup_runs):] if len(runs) > 1 else runs
