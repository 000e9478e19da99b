"""The FPGA mapping file: datapath knobs and bindings that override the defaults.

```yaml
reuse_factor: 64                 # hls4ml: request for every layer (or "auto")
layer_reuse_factors: {Y1: 32}    # hls4ml: per-layer requests, by Einsum name
strategy: resource               # hls4ml: resource | latency
io_type: io_parallel             # hls4ml: io_parallel | io_stream
precision: ap_fixed<16,6>        # hls4ml: bits or ap_fixed<W,I>
parallelization_factor: 1        # hls4ml: conv only
max_utilization: 0.8             # hls4ml: what "fits" means when the RF is picked
weights: [W1, W2]                # inputs that are weights (default: names starting with W)
units: {L0_GT: linear}           # edge_moe: force an Einsum onto linear | attention | vector
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, Field

from specbase import Document, Problem, SpecError, validate_model
from specbase.types import FROZEN, Fraction, PosInt


class FpgaMappingSpec(BaseModel):
    model_config = FROZEN
    reuse_factor: PosInt | Literal["auto"] | None = Field(None, description="RF request for every layer.")
    layer_reuse_factors: dict[str, PosInt] = Field(default_factory=dict, description="Per-layer RF requests.")
    strategy: Literal["resource", "latency"] | None = Field(None, description="hls4ml Strategy.")
    io_type: Literal["io_parallel", "io_stream"] | None = Field(None, description="hls4ml IOType.")
    precision: str | PosInt | None = Field(None, description="Bits or ap_fixed<W,I>.")
    parallelization_factor: PosInt | None = Field(None, description="Conv ParallelizationFactor.")
    max_utilization: Fraction | None = Field(None, description="Largest resource fraction counted as fitting.")
    weights: list[str] | None = Field(None, description="Workload inputs that are weights.")
    units: dict[str, Literal["linear", "attention", "vector"]] = Field(
        default_factory=dict, description="Edge-MoE unit per Einsum, overriding the default binding.")


@dataclass(frozen=True)
class FpgaMapping:
    """Parsed mapping; None fields mean "use the workload parameter or the default"."""

    file: str = "(defaults)"
    reuse_factor: int | str | None = None
    layer_reuse_factors: Any = field(default_factory=lambda: MappingProxyType({}))
    strategy: str | None = None
    io_type: str | None = None
    precision: str | int | None = None
    parallelization_factor: int | None = None
    max_utilization: float | None = None
    weights: frozenset[str] | None = None
    units: Any = field(default_factory=lambda: MappingProxyType({}))


def parse_mapping_document(doc: Document, einsum_names: set[str], input_names: set[str]) -> FpgaMapping:
    spec = validate_model(FpgaMappingSpec, doc, doc.data, {})
    problems = []
    for key in ("layer_reuse_factors", "units"):
        for name in getattr(spec, key):
            if name not in einsum_names:
                problems.append(Problem(doc.file, f"{key}.{name}", "no such Einsum in the workload",
                                        doc.line_of(f"{key}.{name}"), ", ".join(sorted(einsum_names))))
    for i, name in enumerate(spec.weights or []):
        if name not in input_names:
            problems.append(Problem(doc.file, f"weights[{i}]", f"{name!r} is not a workload input",
                                    doc.line_of(f"weights[{i}]"), ", ".join(sorted(input_names))))
    if problems:
        raise SpecError(problems)
    return FpgaMapping(
        file=doc.file, reuse_factor=spec.reuse_factor,
        layer_reuse_factors=MappingProxyType(dict(spec.layer_reuse_factors)), strategy=spec.strategy,
        io_type=spec.io_type, precision=spec.precision, parallelization_factor=spec.parallelization_factor,
        max_utilization=spec.max_utilization,
        weights=frozenset(spec.weights) if spec.weights is not None else None,
        units=MappingProxyType(dict(spec.units)),
    )
