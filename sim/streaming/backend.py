"""Backend for ``kind: streaming``: lower the cascade, simulate the pipeline, report.

``run`` uses the fast local-clock kernel; a mapping file can pick the SimPy reference
engine instead (``engine: simpy``) or resize individual FIFOs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, Field

from arch import Architecture
from sim.result import EinsumResult, LevelTraffic, Result
from sim.streaming.engine import simulate_events
from sim.streaming.graph import Pipeline
from sim.streaming.lowering import lower
from sim.streaming.stats import StreamRun
from sim.streaming.timing import simulate_timing
from specbase import Document, SpecError, validate_model
from specbase.types import FROZEN
from workloads import Workload

ENGINES = ("numba", "python", "simpy")
SIMPY_ELEMENT_LIMIT = 1 << 22


class MappingSpec(BaseModel):
    """A streaming mapping file."""

    model_config = FROZEN
    engine: Literal["numba", "python", "simpy"] = Field(
        "numba", description="numba: fast kernel; python: its plain-Python twin; simpy: event-driven reference.")
    fifo_capacity_elements: dict[str, int | None] = Field(
        default_factory=dict, description="Capacity per FIFO name (null = unbounded), overriding the arch.")


@dataclass(frozen=True)
class StreamingMapping:
    engine: str = "numba"
    fifo_capacity_elements: Mapping[str, int | None] = field(default_factory=lambda: MappingProxyType({}))


def parse_mapping(doc: Document, arch: Architecture, workload: Workload) -> StreamingMapping:
    spec = validate_model(MappingSpec, doc, doc.data, {})
    names = [f.name for f in lower(arch, workload).fifos]
    unknown = [n for n in spec.fifo_capacity_elements if n not in names]
    if unknown:
        raise SpecError.single(doc.file, f"fifo_capacity_elements.{unknown[0]}", "unknown FIFO",
                               allowed=", ".join(names))
    bad = [n for n, c in spec.fifo_capacity_elements.items() if c is not None and c < 1]
    if bad:
        raise SpecError.single(doc.file, f"fifo_capacity_elements.{bad[0]}", "capacity must be >= 1",
                               allowed="a whole number >= 1, or null for unbounded")
    return StreamingMapping(spec.engine, MappingProxyType(dict(spec.fifo_capacity_elements)))


def simulate_pipeline(pipeline: Pipeline, engine: str = "numba") -> StreamRun:
    if engine == "simpy":
        return simulate_events(pipeline)
    return simulate_timing(pipeline, python=engine == "python")


def run(arch: Architecture, workload: Workload, mapping: StreamingMapping | None = None) -> Result:
    mapping = mapping or StreamingMapping()
    pipeline = lower(arch, workload)
    if mapping.fifo_capacity_elements:
        pipeline = pipeline.with_fifos(**mapping.fifo_capacity_elements)
    elements = max(u.firings for u in pipeline.units)
    limit = arch.section("streaming").max_elements
    if elements > limit:
        raise SpecError.single(arch.file, "streaming.max_elements",
                               f"the pipeline streams {elements} elements, over the limit {limit}",
                               allowed="raise max_elements or lower N")
    if mapping.engine == "simpy" and elements > SIMPY_ELEMENT_LIMIT:
        raise SpecError.single("mapping", "engine", f"simpy is too slow for {elements} elements",
                               allowed="numba (the fast kernel; exact same cycles)")
    result = simulate_pipeline(pipeline, mapping.engine)
    return to_result(arch, workload, pipeline, result)


def to_result(arch: Architecture, workload: Workload, pipeline: Pipeline, run_: StreamRun) -> Result:
    """A :class:`Result`: the bound is the slowest unit's II x firings, or the deadlock."""
    compute = [u for u in pipeline.units if u.op not in ("source", "sink")]
    slowest = max(compute, key=lambda u: u.firings * u.ii_cycles)
    if run_.deadlock is not None:
        latency, bound, notes = float("inf"), "deadlock", (run_.deadlock.describe(),)
    else:
        latency = float(run_.cycles)
        bound = f"throughput of {slowest.name} (II {slowest.ii_cycles} x {slowest.firings} firings)"
        notes = ()
    span = run_.cycles or max(s.end_cycle for s in run_.units) or 1
    utilization = {u.name: run_.unit(u.name).busy_cycles / span for u in compute}
    return Result(
        arch=arch.name, workload=workload.name, model="streaming (DAM-style local-clock dataflow)",
        clock_hz=arch.clock_hz, latency_cycles=latency, bound=bound,
        einsums=_einsum_results(workload, pipeline, run_), traffic=(_memory_traffic(pipeline),),
        utilization=MappingProxyType(utilization),
        metrics=MappingProxyType(_metrics(pipeline, run_, compute, slowest.firings * slowest.ii_cycles)),
        tables=MappingProxyType(_tables(pipeline, run_)),
        notes=(*notes, "abstract streaming hardware: memory traffic counts source and sink elements "
                       "(per-key tensors are re-read for every row); no energies are modelled"))


def _metrics(pipeline: Pipeline, run_: StreamRun, compute, ideal: int) -> dict:
    scores = max(u.firings for u in compute)
    done = run_.cycles is not None
    return {
        "cycles": run_.cycles if done else "deadlock",
        "cycles_per_score": run_.cycles / scores if done else float("inf"),
        "ideal_cycles": ideal,
        "fill_cycles": run_.cycles - ideal if done else float("inf"),
        "scores": scores,
        "peak_fifo_occupancy_total": sum(f.peak_occupancy for f in run_.fifos),
        "peak_fifo_occupancy_max": max(f.peak_occupancy for f in run_.fifos),
        "fifo_capacity_total": sum(f.capacity_elements or 0 for f in pipeline.fifos),
        "engine": run_.engine,
        "unit_firings": run_.events,
    }


def _tables(pipeline: Pipeline, run_: StreamRun) -> dict:
    fifos = tuple(MappingProxyType({
        "fifo": f.name, "role": f.role,
        "capacity_elements": "unbounded" if f.capacity_elements is None else f.capacity_elements,
        "elements": f.elements, "peak_occupancy": f.peak_occupancy}) for f in run_.fifos)
    units = []
    for u in pipeline.units:
        s = run_.unit(u.name)
        units.append(MappingProxyType({
            "unit": u.name, "kind": u.params.get("kind", u.op), "einsums": ", ".join(u.einsums),
            "ii_cycles": u.ii_cycles, "latency_cycles": u.latency_cycles, "firings": s.firings,
            "busy_cycles": s.busy_cycles, "stall_input_cycles": s.stall_input_cycles,
            "stall_output_cycles": s.stall_output_cycles, "end_cycle": s.end_cycle}))
    tables = {"fifos": fifos, "units": tuple(units)}
    if run_.deadlock is not None:
        tables["deadlock"] = tuple(MappingProxyType({"unit": w.unit, "waits_for": w.what, "fifo": w.fifo,
                                                     "on": w.on}) for w in run_.deadlock.cycle)
    return tables


def _memory_traffic(pipeline: Pipeline) -> LevelTraffic:
    """Bytes the source units read and the sink units write (one element = one vector)."""
    read = sum(u.firings * u.params["element_bytes"] for u in pipeline.units if u.op == "source")
    write = sum(u.firings * u.params["element_bytes"] for u in pipeline.units if u.op == "sink")
    return LevelTraffic("memory", float(read), float(write))


def _einsum_results(workload: Workload, pipeline: Pipeline, run_: StreamRun) -> tuple[EinsumResult, ...]:
    out = []
    for e in workload.einsums:
        unit = next((u for u in pipeline.units if e.name in u.einsums), None)
        if unit is None:
            continue
        stats = run_.unit(unit.name)
        stalled = stats.stall_input_cycles + stats.stall_output_cycles
        bound = "input" if stats.stall_input_cycles > stats.stall_output_cycles else "output"
        out.append(EinsumResult(
            name=e.name, unit=unit.name, op_counts=MappingProxyType(dict(e.op_counts)),
            latency_cycles=float(stats.end_cycle), compute_cycles=float(stats.busy_cycles),
            bandwidth_cycles=MappingProxyType({}), traffic=(), energy_pj=MappingProxyType({}),
            bound=f"II-bound ({unit.ii_cycles})" if stalled == 0 else f"{bound} stalls ({stalled} cycles)"))
    return tuple(out)

