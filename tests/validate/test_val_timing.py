"""The timing protocol, checked with scripted timers (no claim about real hardware)."""

from __future__ import annotations

import pytest

from validate.timing import CpuTimer, CudaEventTimer, Timing, TimingPolicy, measure


class ScriptedTimer:
    """Returns the scripted durations in order and logs every call."""

    name = "scripted"

    def __init__(self, durations, log):
        self._durations = iter(durations)
        self._log = log

    def time_call(self, fn):
        fn()
        self._log.append("timed")
        return next(self._durations)


def test_warmup_is_discarded_and_flush_precedes_every_timed_call():
    log = []
    policy = TimingPolicy(warmup_runs=2, warmup_budget_s=0.0, min_repeats=5, max_repeats=5, budget_s=1.0)
    durations = [9.0, 9.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    timing = measure(lambda: log.append("kernel"), ScriptedTimer(durations, log), lambda: log.append("flush"),
                     policy)
    assert timing.samples_s == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert timing.warmup_runs == 2
    assert log == ["flush", "kernel", "timed"] * 7
    assert timing.median_s == 3.0


def test_repeats_follow_the_budget_within_bounds():
    policy = TimingPolicy(min_repeats=10, max_repeats=200, budget_s=1.0)
    assert policy.repeats_for(0.01) == 100
    assert policy.repeats_for(1.0) == 10
    assert policy.repeats_for(1e-6) == 200


def test_quantiles_and_noise_verdict():
    steady = Timing((1.0, 1.0, 1.01, 0.99, 1.0), 1, "t")
    assert not steady.noisy
    assert steady.quantile_s(0.0) == 0.99 and steady.quantile_s(1.0) == 1.01
    spread = Timing((1.0, 2.0, 3.0, 4.0, 5.0), 1, "t")
    # p25 = 2, p75 = 4, median 3: IQR / median = 2/3
    assert spread.iqr_fraction == pytest.approx(2 / 3)
    assert spread.noisy
    assert Timing((1.0, 1.0), 1, "t").noisy, "fewer than 3 runs cannot show the spread"


def test_summary_has_the_stored_statistics():
    summary = Timing((1.0, 3.0, 2.0), 4, "t").summary()
    assert summary["median_s"] == 2.0 and summary["min_s"] == 1.0 and summary["max_s"] == 3.0
    assert summary["mean_s"] == 2.0 and summary["repeats"] == 3 and summary["warmup_runs"] == 4


def test_cpu_timer_reads_the_monotonic_clock_around_the_call():
    ticks = iter([1_000, 4_000_001_000])
    timer = CpuTimer(clock_ns=lambda: next(ticks))
    assert timer.time_call(lambda: None) == pytest.approx(4.0)


class FakeEvent:
    def __init__(self, log, enable_timing):
        assert enable_timing
        self.log = log
        self.t_ms = None

    def record(self):
        self.t_ms = len(self.log) * 10.0
        self.log.append("record")

    def synchronize(self):
        self.log.append("sync")

    def elapsed_time(self, end):
        return end.t_ms - self.t_ms


class FakeCuda:
    def __init__(self):
        self.log = []

    def Event(self, enable_timing=False):
        return FakeEvent(self.log, enable_timing)


def test_cuda_event_timer_records_around_the_call_and_syncs_before_reading():
    cuda = FakeCuda()
    seconds = CudaEventTimer(cuda).time_call(lambda: cuda.log.append("kernel"))
    assert cuda.log == ["record", "kernel", "record", "sync"]
    # events at log positions 0 and 2 -> 20 ms apart
    assert seconds == pytest.approx(0.020)
