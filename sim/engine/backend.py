"""Backend for kinds ``spatial`` and ``cpu``: the tile-level engine."""

from __future__ import annotations

from arch import Architecture
from sim.engine.default import default_mapping
from sim.engine.evaluate import evaluate
from sim.engine.mapping import Mapping
from sim.engine.mapping import parse_mapping as _parse
from sim.errors import SimulationError
from sim.result import Result
from specbase import Document
from workloads import Workload


def parse_mapping(doc: Document, arch: Architecture, workload: Workload) -> Mapping:
    return _parse(doc, arch, workload)


def run(arch: Architecture, workload: Workload, mapping: Mapping | None = None) -> Result:
    if len(arch.storage) < 1 or not arch.compute:
        raise SimulationError(f"architecture {arch.name!r} needs at least one storage level and one compute unit")
    if mapping is None:
        mapping = default_mapping(arch, workload)
    return evaluate(arch, workload, mapping)
