"""Shared helpers for the streaming tests."""

from __future__ import annotations

import functools

import arch
import workloads
from sim.streaming.lowering import lower


@functools.cache
def hardware(overrides: tuple = ()):
    return arch.load_arch("streaming_sdpa", dict(overrides))


def workload(name: str, n: int, d: int = 1):
    return workloads.load_workload(name, {"N": n, "d": d})


def pipeline(name: str, n: int, d: int = 1):
    return lower(hardware(), workload(name, n, d))
