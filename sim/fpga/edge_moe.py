"""Edge-MoE-style ViT datapath: one shared linear unit, an attention unit, a vector unit, AXI to DDR.

The model follows the structure of Edge-MoE (ICCAD'23, arXiv 2305.18691; code sharc-lab/Edge-MoE):
units run one after another (one pass per stage); inside a pass the unit is pipelined at
II = 1 and streams its activations from and to DDR over its own AXI ports; the weights of
the next linear stage load into the other half of a ping-pong buffer while the current
stage computes. A stage therefore takes

    max(compute, activation streaming, next stage's weight load, DDR share) + AXI latency

cycles. Compute cycles per pass:

* linear (LI x LO MACs/cycle):  groups * tokens * ceil(in / LI) * ceil(out / LO)
* attention (Q queries x F features/cycle): ceil(queries / Q) * ceil(rest / F)
* vector (V elements/cycle):  ceil(points / V)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    LINEAR = "linear"
    ATTENTION = "attention"
    VECTOR = "vector"


@dataclass(frozen=True)
class EdgeMoeDatapath:
    """Unit sizes, data widths and memory interface of the accelerator."""

    clock_hz: float = 300e6
    linear_in_lanes: int = 16
    linear_out_lanes: int = 16
    attention_query_lanes: int = 4
    attention_feature_lanes: int = 8
    vector_lanes: int = 8
    activation_bits: int = 32
    weight_bits: int = 16
    axi_port_bits: int = 256
    axi_ports: int = 6
    axi_latency_cycles: int = 64
    offchip_bandwidth_bytes_per_s: float = 19.2e9
    overlap_weight_load: bool = True

    def __post_init__(self) -> None:
        for name in ("linear_in_lanes", "linear_out_lanes", "attention_query_lanes",
                     "attention_feature_lanes", "vector_lanes", "axi_port_bits", "axi_ports"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.clock_hz <= 0 or self.offchip_bandwidth_bytes_per_s <= 0:
            raise ValueError("clock_hz and offchip_bandwidth_bytes_per_s must be > 0")

    @property
    def port_bytes_per_cycle(self) -> float:
        return self.axi_port_bits / 8

    @property
    def offchip_bytes_per_cycle(self) -> float:
        return self.offchip_bandwidth_bytes_per_s / self.clock_hz

    @property
    def linear_macs_per_cycle(self) -> int:
        return self.linear_in_lanes * self.linear_out_lanes

    @property
    def attention_macs_per_cycle(self) -> int:
        return self.attention_query_lanes * self.attention_feature_lanes


def linear_cycles(groups: int, tokens: int, in_features: int, out_features: int,
                  dp: EdgeMoeDatapath) -> int:
    """One pass of the shared linear unit: every token meets every LI x LO weight tile once."""
    return (groups * tokens * math.ceil(in_features / dp.linear_in_lanes)
            * math.ceil(out_features / dp.linear_out_lanes))


def attention_cycles(queries: int, rest: int, dp: EdgeMoeDatapath) -> int:
    """Q queries at a time, F of the remaining (heads x keys x features) points per cycle."""
    return math.ceil(queries / dp.attention_query_lanes) * math.ceil(rest / dp.attention_feature_lanes)


def vector_cycles(points: int, dp: EdgeMoeDatapath) -> int:
    return math.ceil(points / dp.vector_lanes)


@dataclass(frozen=True)
class Stage:
    """One pass of one unit: a leading Einsum plus the Einsums fused into its pipeline."""

    name: str
    unit: Unit
    einsums: tuple[str, ...]
    layer: str
    compute_cycles: int
    macs: int
    weight_bytes: float
    read_bytes: float
    write_bytes: float
    largest_stream_bytes: float
    chunks: int = 1
    """Independent weight groups (experts) run one after another, each with its own weights."""


@dataclass(frozen=True)
class StageTiming:
    stage: Stage
    start_cycle: float
    latency_cycles: float
    stream_cycles: float
    weight_load_cycles: float
    bound: str

    def row(self) -> dict[str, object]:
        s = self.stage
        return {
            "stage": s.name, "layer": s.layer, "unit": str(s.unit), "chunks": s.chunks,
            "einsums": " ".join(s.einsums),
            "start_cycle": self.start_cycle, "latency_cycles": self.latency_cycles,
            "compute_cycles": s.compute_cycles, "stream_cycles": self.stream_cycles,
            "weight_load_cycles": self.weight_load_cycles, "macs": s.macs,
            "weight_bytes": s.weight_bytes, "read_bytes": s.read_bytes, "write_bytes": s.write_bytes,
            "bound": self.bound,
        }


def stream_cycles(stage: Stage, dp: EdgeMoeDatapath) -> float:
    """Activation streaming: each tensor on its own AXI port, all of them sharing DDR."""
    total = stage.read_bytes + stage.write_bytes
    return max(stage.largest_stream_bytes / dp.port_bytes_per_cycle, total / dp.offchip_bytes_per_cycle)


def weight_load_cycles(weight_bytes: float, dp: EdgeMoeDatapath) -> float:
    """Weights come over one AXI port."""
    return weight_bytes / min(dp.port_bytes_per_cycle, dp.offchip_bytes_per_cycle)


def schedule(stages: tuple[Stage, ...], dp: EdgeMoeDatapath) -> tuple[StageTiming, ...]:
    """Run the stages back to back; with ping-pong weights, each pass hides the next one's load."""
    out: list[StageTiming] = []
    clock = 0.0
    if dp.overlap_weight_load and stages and stages[0].weight_bytes:
        first = weight_load_cycles(stages[0].weight_bytes / stages[0].chunks, dp) + dp.axi_latency_cycles
        out.append(_initial_load(stages[0], first))
        clock = first
    for i, stage in enumerate(stages):
        timing = _stage_timing(stage, stages[i + 1] if i + 1 < len(stages) else None, clock, dp)
        out.append(timing)
        clock += timing.latency_cycles
    return tuple(out)


def _initial_load(stage: Stage, cycles: float) -> StageTiming:
    load = Stage(f"load:{stage.name}", stage.unit, (), stage.layer, 0, 0, stage.weight_bytes / stage.chunks,
                 0.0, 0.0, 0.0)
    return StageTiming(load, 0.0, cycles, 0.0, cycles, "offchip (weights)")


def _stage_timing(stage: Stage, following: Stage | None, start: float, dp: EdgeMoeDatapath) -> StageTiming:
    """A stage of k chunks: k-1 chunks hide their sibling's load, the last hides the next stage's."""
    k = stage.chunks
    chunk_stream = stream_cycles(stage, dp) / k
    chunk_compute = stage.compute_cycles / k
    own_bytes = stage.weight_bytes / k
    next_bytes = following.weight_bytes / following.chunks if following else 0.0
    if dp.overlap_weight_load:
        inner = _overlapped(stage, chunk_compute, chunk_stream, own_bytes, dp) if k > 1 else (0.0, "")
        last = _overlapped(stage, chunk_compute, chunk_stream, next_bytes, dp)
        latency = (k - 1) * inner[0] + last[0]
        bound = inner[1] if k > 1 and (k - 1) * inner[0] >= last[0] else last[1]
        load = weight_load_cycles(next_bytes, dp)
    else:
        load = weight_load_cycles(own_bytes, dp)
        busy = max(chunk_compute, chunk_stream)
        latency = k * (load + busy + dp.axi_latency_cycles)
        bound = "offchip (weights)" if load > busy else (
            "compute" if chunk_compute >= chunk_stream else "offchip (activations)")
    return StageTiming(stage, start, latency, chunk_stream * k, load, bound)


def _overlapped(stage: Stage, compute: float, streaming: float, hidden_bytes: float,
                dp: EdgeMoeDatapath) -> tuple[float, str]:
    """One chunk while ``hidden_bytes`` of weights load in the background: (cycles, bound)."""
    chunk_bytes = (stage.read_bytes + stage.write_bytes) / stage.chunks
    terms = {"compute": compute, "offchip (activations)": streaming,
             "offchip (next weights)": weight_load_cycles(hidden_bytes, dp),
             "offchip (shared DDR)": (chunk_bytes + hidden_bytes) / dp.offchip_bytes_per_cycle}
    bound = max(terms, key=terms.get)
    return terms[bound] + dp.axi_latency_cycles, bound
