"""The hls4ml datapath knobs: reuse factor, strategy, io type, precision."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sim.fpga.precision import FixedPoint


class Strategy(StrEnum):
    """hls4ml ``Strategy``: Latency (unrolled, II = RF) or Resource (RF loop, weights in BRAM)."""

    LATENCY = "latency"
    RESOURCE = "resource"


class IoType(StrEnum):
    """hls4ml ``IOType``: whole arrays between layers, or FIFOs carrying one pixel per beat."""

    PARALLEL = "io_parallel"
    STREAM = "io_stream"


@dataclass(frozen=True)
class DatapathConfig:
    """How every layer of the network is built.

    ``reuse_factor`` None means "pick the smallest RF that fits the device".
    ``layer_reuse_factors`` overrides the request for single layers (by Einsum name).
    ``parallelization_factor`` applies to conv layers only (must divide out_h*out_w).
    """

    strategy: Strategy = Strategy.RESOURCE
    io_type: IoType = IoType.PARALLEL
    precision: FixedPoint = field(default_factory=lambda: FixedPoint(16, 6))
    reuse_factor: int | None = None
    layer_reuse_factors: Any = field(default_factory=lambda: MappingProxyType({}))
    parallelization_factor: int = 1

    def __post_init__(self) -> None:
        if self.reuse_factor is not None and self.reuse_factor < 1:
            raise ValueError(f"reuse_factor must be >= 1, got {self.reuse_factor}")
        if self.parallelization_factor < 1:
            raise ValueError(f"parallelization_factor must be >= 1, got {self.parallelization_factor}")
        object.__setattr__(self, "layer_reuse_factors", MappingProxyType(dict(self.layer_reuse_factors)))

    def requested_reuse_factor(self, layer_name: str) -> int | None:
        return self.layer_reuse_factors.get(layer_name, self.reuse_factor)

    @property
    def exact_case(self) -> bool:
        """The configuration whose latency and DSP count the model reproduces exactly."""
        return self.strategy is Strategy.RESOURCE and self.io_type is IoType.PARALLEL
