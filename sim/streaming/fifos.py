"""Bounded FIFO channel for the SimPy model: latency, back-pressure, peak occupancy.

An element enqueued at time ``e`` by a unit that issued it at ``t`` is ready at
``max(t + unit latency, e + latency_cycles)``. Its slot is held from ``e`` until the
consumer's dequeue time plus ``response_latency_cycles`` (what the producer sees).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import simpy

from sim.streaming.graph import FifoSpec


class Channel:
    def __init__(self, env: simpy.Environment, spec: FifoSpec, elements: int):
        self.env = env
        self.spec = spec
        bounded = spec.capacity_elements is not None and spec.capacity_elements < elements
        self.capacity = spec.capacity_elements if bounded else None
        self.items: deque[tuple[int, Any]] = deque()
        self.enqueued = 0
        self.dequeued = 0
        self.release_at: list[int] = []
        self.released = 0
        self.peak = 0
        self._data: simpy.Event | None = None
        self._space: simpy.Event | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    def has_data(self) -> bool:
        return bool(self.items)

    def head_ready(self) -> int:
        return self.items[0][0]

    def space_time(self) -> int | None:
        """Earliest time the next element fits; None if that depends on a future dequeue."""
        if self.capacity is None or self.enqueued < self.capacity:
            return self.env.now
        j = self.enqueued - self.capacity
        return self.release_at[j] if j < self.dequeued else None

    def data_event(self) -> simpy.Event:
        if self._data is None:
            self._data = self.env.event()
        return self._data

    def space_event(self) -> simpy.Event:
        if self._space is None:
            self._space = self.env.event()
        return self._space

    def enqueue(self, ready: int, value: Any) -> None:
        self.items.append((ready, value))
        self.enqueued += 1
        now = self.env.now
        while self.released < self.dequeued and self.release_at[self.released] <= now:
            self.released += 1
        self.peak = max(self.peak, self.enqueued - self.released)
        if self._data is not None:
            self._data.succeed()
            self._data = None

    def dequeue(self) -> Any:
        _, value = self.items.popleft()
        self.release_at.append(self.env.now + self.spec.response_latency_cycles)
        self.dequeued += 1
        if self._space is not None:
            self._space.succeed()
            self._space = None
        return value
