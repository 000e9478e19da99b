"""One SimPy process per streaming unit: gather inputs, issue, wait for space, enqueue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import simpy

from sim.streaming.fifos import Channel
from sim.streaming.graph import UnitSpec
from sim.streaming.ops import Op


@dataclass
class UnitCounters:
    firings: int = 0
    stall_input_cycles: int = 0
    stall_output_cycles: int = 0
    end_cycle: int = 0
    finished: bool = False
    waiting: tuple[str, str] | None = field(default=None)


def unit_process(env: simpy.Environment, unit: UnitSpec, op: Op, channels: Mapping[str, Channel],
                 counters: UnitCounters):
    """The unit's loop nest; ``counters.waiting`` names the FIFO it is blocked on."""
    yield env.timeout(unit.startup_cycles + unit.per_row_cycles)
    for row in range(unit.rows):
        if row and unit.per_row_cycles:
            yield env.timeout(unit.per_row_cycles)
        for col in range(unit.cols):
            values = yield from _gather(env, unit, col, channels, counters)
            issued = env.now
            results = op.fire(col, unit.cols, values)
            yield from _emit(env, unit, col, channels, counters, issued, results)
            counters.firings += 1
            if unit.ii_cycles:
                yield env.timeout(unit.ii_cycles)
    counters.end_cycle = env.now
    counters.finished = True


def _gather(env, unit, col, channels, counters):
    start = env.now
    ports = [p for p in unit.inputs if p.mode.fires(col, unit.cols)]
    for port in ports:
        channel = channels[port.fifo]
        while not channel.has_data():
            counters.waiting = (port.fifo, "data")
            yield channel.data_event()
    counters.waiting = None
    ready = max([start, *(channels[p.fifo].head_ready() for p in ports)])
    if ready > env.now:
        yield env.timeout(ready - env.now)
    counters.stall_input_cycles += env.now - start
    return {p.name: channels[p.fifo].dequeue() for p in ports}


def _emit(env, unit, col, channels, counters, issued, results):
    start = env.now
    ports = [p for p in unit.outputs if p.mode.fires(col, unit.cols)]
    for port in ports:
        for name in port.fifos:
            channel = channels[name]
            while (when := channel.space_time()) is None:
                counters.waiting = (name, "space")
                yield channel.space_event()
            counters.waiting = None
            if when > env.now:
                yield env.timeout(when - env.now)
    counters.stall_output_cycles += env.now - start
    for port in ports:
        for name in port.fifos:
            channel = channels[name]
            ready = max(issued + unit.latency_cycles, env.now + channel.spec.latency_cycles)
            channel.enqueue(ready, results[port.name])
