"""Results of a streaming simulation: per-unit time accounting, per-FIFO occupancy, deadlocks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class UnitStats:
    """Where one unit's time went, in cycles of its local clock."""

    name: str
    op: str
    firings: int
    busy_cycles: int
    stall_input_cycles: int
    stall_output_cycles: int
    end_cycle: int

    @property
    def utilization(self) -> float:
        return self.busy_cycles / self.end_cycle if self.end_cycle else 0.0


@dataclass(frozen=True)
class FifoStats:
    """Peak occupancy counts an element from its enqueue until its slot is released."""

    name: str
    role: str
    capacity_elements: int | None
    elements: int
    peak_occupancy: int


@dataclass(frozen=True)
class Wait:
    """One edge of a wait-for cycle: ``unit`` waits on ``fifo`` for ``what`` held by ``on``."""

    unit: str
    fifo: str
    what: str
    on: str

    def __str__(self) -> str:
        relation = "from" if self.what == "data" else "held by"
        return f"{self.unit} waits for {self.what} in FIFO {self.fifo!r} ({relation} {self.on})"


@dataclass(frozen=True)
class Deadlock:
    """A cycle of units that wait on each other through FIFOs."""

    cycle: tuple[Wait, ...]
    blocked_at_cycle: Mapping[str, int]

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(w.unit for w in self.cycle)

    @property
    def fifos(self) -> tuple[str, ...]:
        return tuple(w.fifo for w in self.cycle)

    def describe(self) -> str:
        steps = "; ".join(str(w) for w in self.cycle)
        return f"deadlock: units {' -> '.join(self.units)} wait on each other: {steps}"


class DeadlockError(RuntimeError):
    def __init__(self, deadlock: Deadlock):
        self.deadlock = deadlock
        super().__init__(deadlock.describe())


@dataclass(frozen=True)
class StreamRun:
    """Outcome of simulating one pipeline with one engine."""

    pipeline: str
    engine: str
    cycles: int | None
    units: tuple[UnitStats, ...]
    fifos: tuple[FifoStats, ...]
    deadlock: Deadlock | None = None
    outputs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    events: int = 0

    def check(self) -> StreamRun:
        """Raise :class:`DeadlockError` if the run deadlocked, else return self."""
        if self.deadlock is not None:
            raise DeadlockError(self.deadlock)
        return self

    def fifo(self, name: str) -> FifoStats:
        for f in self.fifos:
            if f.name == name:
                return f
        raise KeyError(f"no FIFO {name!r}; FIFOs: {', '.join(f.name for f in self.fifos)}")

    def unit(self, name: str) -> UnitStats:
        for u in self.units:
            if u.name == name:
                return u
        raise KeyError(f"no unit {name!r}; units: {', '.join(u.name for u in self.units)}")

    @property
    def peak_occupancy(self) -> dict[str, int]:
        return {f.name: f.peak_occupancy for f in self.fifos}

    def timing_key(self) -> tuple:
        """Everything two engines must agree on exactly."""
        return (self.cycles, self.units, self.fifos, self.deadlock.units if self.deadlock else None)


def find_wait_cycle(waits: Mapping[str, Wait], start: str) -> tuple[Wait, ...]:
    """Follow wait edges from ``start`` until a unit repeats; return that cycle."""
    seen: list[str] = []
    unit = start
    while unit not in seen:
        if unit not in waits:
            return tuple(waits[u] for u in seen)
        seen.append(unit)
        unit = waits[unit].on
    return tuple(waits[u] for u in seen[seen.index(unit):])
