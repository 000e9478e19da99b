"""Reference event-driven model on SimPy: each unit a process, each FIFO a bounded channel.

Carries values as well as time, so its outputs can be checked against numpy. It is
the reference for the fast kernel (:mod:`sim.streaming.timing`), which must agree
with it on every cycle count, stall count and peak occupancy.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import simpy

from sim.streaming.fifos import Channel
from sim.streaming.graph import Pipeline
from sim.streaming.ops import Sink, make_op
from sim.streaming.stats import Deadlock, FifoStats, StreamRun, UnitStats, Wait, find_wait_cycle
from sim.streaming.units import UnitCounters, unit_process


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts the events it processes."""

    def __init__(self) -> None:
        super().__init__()
        self.events_processed = 0

    def step(self) -> None:
        self.events_processed += 1
        super().step()


def simulate_events(p: Pipeline, streams: Mapping[str, np.ndarray] | None = None) -> StreamRun:
    """Run ``p`` element by element. ``streams`` gives each source unit's elements, in order."""
    streams = streams or {}
    env = CountingEnvironment()
    channels = {f.name: Channel(env, f, p.elements(f.name)) for f in p.fifos}
    counters = {u.name: UnitCounters() for u in p.units}
    ops = {}
    for u in p.units:
        params: dict[str, Any] = dict(u.params)
        if u.op == "source":
            params["stream"] = streams.get(u.name, np.zeros(u.firings))
        ops[u.name] = make_op(u.op, params)
        env.process(unit_process(env, u, ops[u.name], channels, counters[u.name]))
    env.run()
    deadlock = _deadlock(p, counters, env.now)
    units = tuple(UnitStats(u.name, u.op, c.firings, c.firings * u.ii_cycles, c.stall_input_cycles,
                            c.stall_output_cycles, c.end_cycle if c.finished else env.now)
                  for u, c in ((u, counters[u.name]) for u in p.units))
    fifos = tuple(FifoStats(f.name, f.role, f.capacity_elements, p.elements(f.name), channels[f.name].peak)
                  for f in p.fifos)
    outputs = {name: np.array(op.received) for name, op in ops.items() if isinstance(op, Sink)}
    cycles = None if deadlock else max(u.end_cycle for u in units)
    return StreamRun(p.name, "simpy", cycles, units, fifos, deadlock, MappingProxyType(outputs),
                     env.events_processed)


def _deadlock(p: Pipeline, counters: Mapping[str, UnitCounters], now: int) -> Deadlock | None:
    waits: dict[str, Wait] = {}
    for name, c in counters.items():
        if c.finished or c.waiting is None:
            continue
        fifo, what = c.waiting
        other = p.producer(fifo)[0] if what == "data" else p.consumer(fifo)[0]
        waits[name] = Wait(name, fifo, what, other.name)
    if not waits:
        return None
    cycle = find_wait_cycle(waits, next(iter(waits)))
    return Deadlock(cycle, {name: now for name in waits})
