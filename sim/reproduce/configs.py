"""The five configurations of the FuseMax evaluation, as (hardware, cascade, mapping) triples.

Each configuration names an architecture preset, a workload preset (the cascade) and a mapping
file under ``fusemax_mappings/``; a candidate list from :mod:`sim.reproduce.tiles` fills the
mapping's ``${...}`` slots for each model and sequence length (the runner keeps the first
candidate the engine accepts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arch import Architecture
from sim.reproduce import tiles

MAPPINGS_DIR = Path(__file__).parent / "fusemax_mappings"


@dataclass(frozen=True)
class Configuration:
    """One design point of the comparison."""

    key: str
    label: str
    arch: str
    cascade: str
    description: str
    mapping: Callable[[Mapping[str, Any]], str]
    candidates: Callable[[Architecture, Mapping[str, int]], list[dict[str, Any]]]
    one_pass: bool

    def mapping_path(self, params: Mapping[str, Any]) -> Path:
        return MAPPINGS_DIR / self.mapping(params)


def _fixed(name: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda params: name


def _flat_mapping(params: Mapping[str, Any]) -> str:
    return "flat_spill.yaml" if params["SPILL"] else "flat.yaml"


CONFIGURATIONS: dict[str, Configuration] = {c.key: c for c in (
    Configuration("unfused", "Unfused", "flat", "attention_3pass_deferred",
                  "QK, softmax, SNV and divide as separate phases through DRAM (32 MiB buffer)",
                  _fixed("unfused.yaml"), tiles.unfused_candidates, one_pass=False),
    Configuration("flat", "FLAT", "flat", "attention_3pass_deferred",
                  "3-pass softmax fused with QK and AV at head or row granularity",
                  _flat_mapping, tiles.flat_candidates, one_pass=False),
    Configuration("cascade", "+Cascade", "flat", "attention_1pass",
                  "1-pass cascade on FLAT hardware (only BQK, SLNV on the 2D array)",
                  _fixed("cascade.yaml"), tiles.one_pass_candidates, one_pass=True),
    Configuration("architecture", "+Architecture", "fusemax", "attention_1pass",
                  "FuseMax PEs and binding, one tile at a time (arrays wait for each other)",
                  _fixed("architecture.yaml"), tiles.one_pass_candidates, one_pass=True),
    Configuration("fusemax", "+Binding (FuseMax)", "fusemax", "attention_1pass",
                  "FuseMax PEs and binding, software-pipelined and interleaved across the arrays",
                  _fixed("fusemax.yaml"), tiles.one_pass_candidates, one_pass=True),
)}

GEMM_MAPPING = MAPPINGS_DIR / "gemm.yaml"
E2E_DESIGNS = ("unfused", "flat", "fusemax")


def configuration(key: str) -> Configuration:
    from specbase import SpecError

    try:
        return CONFIGURATIONS[key]
    except KeyError:
        raise SpecError.single("--configs", "", f"unknown configuration {key!r}",
                               allowed=", ".join(CONFIGURATIONS)) from None
