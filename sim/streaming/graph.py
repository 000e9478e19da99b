"""Frozen description of a streaming pipeline: units joined by bounded FIFOs.

A unit is a pipelined context that runs a two-level loop (``rows`` x ``cols``
firings). Every firing dequeues one element from each input whose mode matches the
position in the row, issues the op, and enqueues one element into every output
FIFO whose mode matches; then the unit's clock advances by its initiation interval.
An output produced at local time ``t`` is ready ``latency_cycles`` later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import Any


class Mode(IntEnum):
    """When in a row a port fires."""

    EVERY = 0
    FIRST = 1
    LAST = 2

    def fires(self, col: int, cols: int) -> bool:
        if self is Mode.EVERY:
            return True
        if self is Mode.FIRST:
            return col == 0
        return col == cols - 1

    def per_row(self, cols: int) -> int:
        return cols if self is Mode.EVERY else 1


@dataclass(frozen=True)
class FifoSpec:
    """A bounded channel. ``capacity_elements`` None means unbounded."""

    name: str
    capacity_elements: int | None
    latency_cycles: int = 1
    response_latency_cycles: int = 1
    role: str = "stream"

    def __post_init__(self) -> None:
        if self.capacity_elements is not None and self.capacity_elements < 1:
            raise ValueError(f"FIFO {self.name!r}: capacity_elements must be >= 1 or None (unbounded)")
        if self.latency_cycles < 1 or self.response_latency_cycles < 1:
            raise ValueError(f"FIFO {self.name!r}: latencies must be >= 1 cycle")


@dataclass(frozen=True)
class InputPort:
    fifo: str
    mode: Mode = Mode.EVERY
    name: str = ""


@dataclass(frozen=True)
class OutputPort:
    """One value stream of a unit, copied into every FIFO in ``fifos``."""

    name: str
    fifos: tuple[str, ...]
    mode: Mode = Mode.EVERY


@dataclass(frozen=True)
class UnitSpec:
    """A pipelined unit. ``op`` names its function (see :mod:`sim.streaming.ops`)."""

    name: str
    op: str
    rows: int
    cols: int
    ii_cycles: int
    latency_cycles: int
    inputs: tuple[InputPort, ...] = ()
    outputs: tuple[OutputPort, ...] = ()
    startup_cycles: int = 0
    per_row_cycles: int = 0
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    einsums: tuple[str, ...] = ()

    @property
    def firings(self) -> int:
        return self.rows * self.cols

    def produced(self, port: OutputPort) -> int:
        return self.rows * port.mode.per_row(self.cols)

    def consumed(self, port: InputPort) -> int:
        return self.rows * port.mode.per_row(self.cols)


@dataclass(frozen=True)
class Pipeline:
    """Units and FIFOs; every FIFO has exactly one producer and one consumer."""

    name: str
    units: tuple[UnitSpec, ...]
    fifos: tuple[FifoSpec, ...]

    def __post_init__(self) -> None:
        _check(self)

    def fifo(self, name: str) -> FifoSpec:
        for f in self.fifos:
            if f.name == name:
                return f
        raise KeyError(f"no FIFO {name!r}; FIFOs: {', '.join(f.name for f in self.fifos)}")

    def unit(self, name: str) -> UnitSpec:
        for u in self.units:
            if u.name == name:
                return u
        raise KeyError(f"no unit {name!r}; units: {', '.join(u.name for u in self.units)}")

    def producer(self, fifo: str) -> tuple[UnitSpec, OutputPort]:
        for u in self.units:
            for port in u.outputs:
                if fifo in port.fifos:
                    return u, port
        raise KeyError(fifo)

    def consumer(self, fifo: str) -> tuple[UnitSpec, InputPort]:
        for u in self.units:
            for port in u.inputs:
                if port.fifo == fifo:
                    return u, port
        raise KeyError(fifo)

    def elements(self, fifo: str) -> int:
        unit, port = self.producer(fifo)
        return unit.produced(port)

    def with_fifos(self, **capacities: int | None) -> Pipeline:
        """A copy with some FIFO capacities replaced (by FIFO name)."""
        unknown = set(capacities) - {f.name for f in self.fifos}
        if unknown:
            raise KeyError(f"no FIFO {sorted(unknown)}; FIFOs: {', '.join(f.name for f in self.fifos)}")
        fifos = tuple(FifoSpec(f.name, capacities.get(f.name, f.capacity_elements), f.latency_cycles,
                               f.response_latency_cycles, f.role) if f.name in capacities else f
                      for f in self.fifos)
        return Pipeline(self.name, self.units, fifos)


def _check(p: Pipeline) -> None:
    names = [f.name for f in p.fifos]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate FIFO names in pipeline {p.name!r}")
    unit_names = [u.name for u in p.units]
    if len(set(unit_names)) != len(unit_names):
        raise ValueError(f"duplicate unit names in pipeline {p.name!r}")
    produced: dict[str, int] = {}
    consumed: dict[str, int] = {}
    for u in p.units:
        if u.rows < 1 or u.cols < 1 or u.ii_cycles < 0 or u.latency_cycles < 0:
            raise ValueError(f"unit {u.name!r}: rows/cols must be >= 1 and II/latency >= 0")
        for port in u.outputs:
            for f in port.fifos:
                if f in produced:
                    raise ValueError(f"FIFO {f!r} has two producers")
                produced[f] = u.produced(port)
        for port in u.inputs:
            if port.fifo in consumed:
                raise ValueError(f"FIFO {port.fifo!r} has two consumers")
            consumed[port.fifo] = u.consumed(port)
    for f in names:
        if f not in produced or f not in consumed:
            raise ValueError(f"FIFO {f!r} needs one producer and one consumer")
        if produced[f] != consumed[f]:
            raise ValueError(f"FIFO {f!r}: producer writes {produced[f]} elements but consumer reads "
                             f"{consumed[f]}")
    extra = (set(produced) | set(consumed)) - set(names)
    if extra:
        raise ValueError(f"ports refer to undeclared FIFOs: {sorted(extra)}")
