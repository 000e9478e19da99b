"""Run one configuration on one model and sequence length through the engine.

Specs are parsed once per distinct (preset, overrides) and reused across points; the mapping
YAML is read once and its ``${...}`` slots are filled per point before the engine parses it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import arch as arch_pkg
import workloads as workload_pkg
from arch import Architecture
from sim import api
from sim.errors import SimulationError
from sim.reproduce import tiles
from sim.reproduce.configs import GEMM_MAPPING, Configuration
from sim.result import Result
from specbase import Document, load_document
from specbase.parameters import substitute_templates
from workloads import Workload
from workloads.models import TransformerModel

UNITS = ("PE2D", "PE1D")


@dataclass(frozen=True)
class Point:
    """Latency, energy and utilization of one configuration at one model and length."""

    config: str
    model: str
    tokens: int
    latency_s: float
    energy_pj: float
    utilization: Mapping[str, float]
    dram_bytes: float
    bound: str
    mapping: str
    energy_by_part_pj: Mapping[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    tiles: Mapping[str, Any] = field(default_factory=dict)


def _frozen(overrides: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((overrides or {}).items()))


@cache
def _hardware(preset: str, overrides: tuple[tuple[str, Any], ...]) -> Architecture:
    return arch_pkg.load_arch(preset, dict(overrides))


@cache
def _workload(preset: str, overrides: tuple[tuple[str, Any], ...]) -> Workload:
    return workload_pkg.load_workload(preset, dict(overrides))


@cache
def _mapping_document(path: Path) -> Document:
    return load_document(path)


def hardware(preset: str, overrides: Mapping[str, Any] | None = None) -> Architecture:
    return _hardware(preset, _frozen(overrides))


def workload(preset: str, overrides: Mapping[str, Any] | None = None) -> Workload:
    return _workload(preset, _frozen(overrides))


def mapping(path: Path, params: Mapping[str, Any], hw: Architecture, wl: Workload):
    """The engine's mapping object for ``path`` with its templates filled from ``params``."""
    from sim.backends import backend_module

    doc = _mapping_document(path)
    data = substitute_templates(doc.data, params, doc.file, skip=())
    return backend_module(hw.kind).parse_mapping(Document(doc.file, data, doc.lines), hw, wl)


def attention_shape(model: TransformerModel, tokens: int, batch: int) -> dict[str, int]:
    return model.attention_overrides(tokens, batch)


def first_feasible(candidates: Sequence[Mapping[str, Any]], path_of, hws: Sequence[Architecture],
                   wl: Workload) -> tuple[Mapping[str, Any], Path]:
    """The first candidate whose mapping the engine accepts (capacity, fan-out) on every arch in ``hws``."""
    from sim.engine.evaluate import feasibility_problems

    problems: list[str] = []
    for params in candidates:
        path = path_of(params)
        problems = [p for hw in hws for p in feasibility_problems(hw, wl, mapping(path, params, hw, wl))]
        if not problems:
            return params, path
    raise SimulationError(f"no candidate tiling of {path_of(candidates[-1]).name} fits: {'; '.join(problems)}")


def run_attention(config: Configuration, model: TransformerModel, tokens: int, batch: int,
                  arch_overrides: Mapping[str, Any] | None = None) -> Point:
    """Attention of ``model`` at ``tokens`` on ``config``."""
    hw = hardware(config.arch, arch_overrides)
    shape = attention_shape(model, tokens, batch)
    candidates = config.candidates(hw, shape)
    overrides = dict(shape)
    if config.one_pass:
        overrides["M0"] = candidates[0]["PE_ROWS"]
        if tokens % overrides["M0"]:
            raise SimulationError(f"{tokens} keys do not split into blocks of {overrides['M0']} (the 2D array height)")
    wl = workload(config.cascade, overrides)
    params, path = first_feasible(candidates, config.mapping_path, (hw,), wl)
    result = api.run(hw, wl, mapping(path, params, hw, wl))
    return _point(config.key, model.name, tokens, result, path.name, params)


def run_gemms(design_arch: str, others: tuple[str, ...], model: TransformerModel, tokens: int, batch: int,
              arch_overrides: Mapping[str, Any] | None = None) -> Point:
    """The layer's four GEMMs on ``design_arch``, with the mapping shared by every design in ``others``."""
    return _gemms(design_arch, others, model, tokens, batch, _frozen(arch_overrides))


@cache
def _gemms(design_arch: str, others: tuple[str, ...], model: TransformerModel, tokens: int, batch: int,
           arch_overrides: tuple[tuple[str, Any], ...]) -> Point:
    hw = _hardware(design_arch, arch_overrides)
    peers = tuple(_hardware(name, arch_overrides) for name in others)
    results = []
    for _, shape in model.gemms(tokens, batch):
        wl = workload("gemm", {**shape, "dtype": "fp16"})
        params, _ = first_feasible(tiles.gemm_candidates(hw, shape), lambda p: GEMM_MAPPING, peers, wl)
        results.append(api.run(hw, wl, mapping(GEMM_MAPPING, params, hw, wl)))
    return _combine(design_arch, model.name, tokens, results)


def _point(config: str, model: str, tokens: int, result: Result, mapping_name: str,
           params: Mapping[str, Any]) -> Point:
    return Point(
        config=config, model=model, tokens=tokens, latency_s=result.latency_s,
        energy_pj=result.total_energy_pj,
        utilization=MappingProxyType({u: float(result.utilization.get(u, 0.0)) for u in UNITS}),
        dram_bytes=_dram_bytes(result), bound=result.bound, mapping=mapping_name,
        energy_by_part_pj=MappingProxyType(dict(result.energy_pj)), notes=tuple(result.notes),
        tiles=MappingProxyType({k: v for k, v in params.items() if not k.startswith("PE_")}),
    )


def _dram_bytes(result: Result) -> float:
    for traffic in result.traffic:
        if traffic.level == "DRAM":
            return traffic.total_bytes
    return 0.0


def _combine(config: str, model: str, tokens: int, results: list[Result]) -> Point:
    latency = sum(r.latency_s for r in results)
    busy = {u: sum(r.utilization.get(u, 0.0) * r.latency_s for r in results) for u in UNITS}
    parts: dict[str, float] = {}
    for r in results:
        for part, pj in r.energy_pj.items():
            parts[part] = parts.get(part, 0.0) + pj
    return Point(
        config=config, model=model, tokens=tokens, latency_s=latency, energy_pj=sum(parts.values()),
        utilization=MappingProxyType({u: (busy[u] / latency if latency else 0.0) for u in UNITS}),
        dram_bytes=sum(_dram_bytes(r) for r in results), bound=results[0].bound if results else "none",
        mapping=GEMM_MAPPING.name, energy_by_part_pj=MappingProxyType(parts),
    )


def add(a: Point, b: Point, config: str) -> Point:
    """Two phases run back to back (e.g. GEMMs then attention): latencies and energies add."""
    latency = a.latency_s + b.latency_s
    util = {u: (a.utilization[u] * a.latency_s + b.utilization[u] * b.latency_s) / latency if latency else 0.0
            for u in UNITS}
    parts = dict(a.energy_by_part_pj)
    for part, pj in b.energy_by_part_pj.items():
        parts[part] = parts.get(part, 0.0) + pj
    return Point(config=config, model=a.model, tokens=a.tokens, latency_s=latency,
                 energy_pj=a.energy_pj + b.energy_pj, utilization=MappingProxyType(util),
                 dram_bytes=a.dram_bytes + b.dram_bytes, bound=b.bound, mapping=f"{a.mapping}+{b.mapping}",
                 energy_by_part_pj=MappingProxyType(parts))
