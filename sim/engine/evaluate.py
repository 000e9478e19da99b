"""Evaluate one mapping: counts -> feasibility -> task program -> schedule -> energy -> Result.

:func:`plan` does the analytic part (counts, costs, program) and :func:`evaluate` adds
the schedule and the result; the mapper can call :func:`latency_cycles` on many
candidate mappings (it skips building the result tables).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from arch import Architecture
from sim.engine.costs import EinsumCost, einsum_cost
from sim.engine.energy import einsum_energy_pj, leakage_energy_pj, total_energy_pj
from sim.engine.feasibility import check_feasible
from sim.engine.mapping import FusionGroup, Mapping
from sim.engine.program import Phase, build_phases
from sim.engine.schedule import Schedule, schedule
from sim.result import EinsumResult, LevelTraffic, Result, frozen_map
from workloads import Workload

MODEL = "tile-level engine (Timeloop-style access counts, Numba list schedule of fused tiles)"


@dataclass(frozen=True)
class Plan:
    """Everything known before the schedule runs."""

    mapping: Mapping
    costs: dict[str, EinsumCost]
    homes: dict[str, str]
    phases: tuple[Phase, ...]


def plan(arch: Architecture, workload: Workload, mapping: Mapping, *, check: bool = True,
         cost_fn=einsum_cost) -> Plan:
    """Homes, per-Einsum costs (``cost_fn``, same signature as :func:`einsum_cost`, e.g. a cached
    wrapper), feasibility (raises InfeasibleMapping when ``check``) and the task program."""
    from sim.engine.counts import tensor_homes

    homes = tensor_homes(mapping, arch, workload)
    root_einsums = {c for c in mapping.root.children if isinstance(c, str)}
    costs = {name: cost_fn(mapping, arch, workload, name, homes, name in root_einsums)
             for name in mapping.root.einsums()}
    if check:
        check_feasible(mapping, arch, costs, homes)
    phases = build_phases(mapping.root, costs, workload, mapping.double_buffering)
    return Plan(mapping, costs, homes, phases)


def feasibility_problems(arch: Architecture, workload: Workload, mapping: Mapping) -> list[str]:
    """Why ``mapping`` cannot run (spatial fan-out, capacity), empty when it can; never raises
    InfeasibleMapping (counts only: no task program, no schedule)."""
    from sim.engine.counts import tensor_homes
    from sim.engine.feasibility import problems_of

    homes = tensor_homes(mapping, arch, workload)
    root_einsums = {c for c in mapping.root.children if isinstance(c, str)}
    costs = {name: einsum_cost(mapping, arch, workload, name, homes, name in root_einsums)
             for name in mapping.root.einsums()}
    return problems_of(mapping, arch, costs, homes)


def is_feasible(arch: Architecture, workload: Workload, mapping: Mapping) -> bool:
    return not feasibility_problems(arch, workload, mapping)


def latency_cycles(arch: Architecture, workload: Workload, mapping: Mapping) -> float:
    """Latency only (raises InfeasibleMapping like :func:`evaluate`): the mapper's fast path."""
    p = plan(arch, workload, mapping)
    return schedule(p.phases, shared=arch.storage[0].shared_bandwidth, timeline_rows=0).latency_cycles


def evaluate_many(arch: Architecture, workload: Workload, mappings: Iterable[Mapping]) -> list[float | None]:
    """Latency of each mapping, None where it is infeasible."""
    from sim.errors import InfeasibleMapping

    out: list[float | None] = []
    for m in mappings:
        try:
            out.append(latency_cycles(arch, workload, m))
        except InfeasibleMapping:
            out.append(None)
    return out


def evaluate(arch: Architecture, workload: Workload, mapping: Mapping, *, timeline_rows: int = 2000,
             shortcut: bool = True) -> Result:
    p = plan(arch, workload, mapping)
    sched = schedule(p.phases, shared=arch.storage[0].shared_bandwidth, shortcut=shortcut,
                     timeline_rows=timeline_rows)
    return build_result(arch, workload, p, sched)


def build_result(arch: Architecture, workload: Workload, p: Plan, sched: Schedule) -> Result:
    latency = sched.latency_cycles
    rows = tuple(_einsum_result(arch, workload, cost) for cost in p.costs.values())
    energy = total_energy_pj([*(dict(r.energy_pj) for r in rows), leakage_energy_pj(arch, latency)])
    busy = resource_busy(arch, p.costs)
    bound = max(busy, key=busy.get) if busy and max(busy.values()) > 0 else "none"
    return Result(
        arch=arch.name,
        workload=workload.name,
        model=MODEL,
        clock_hz=arch.clock_hz,
        latency_cycles=latency,
        bound=bound,
        einsums=rows,
        traffic=_traffic(arch, p.costs),
        energy_pj=frozen_map(energy),
        utilization=frozen_map(_utilization(arch, p.costs, latency)),
        area_um2=frozen_map(arch.area_breakdown_um2()),
        metrics=frozen_map(_metrics(arch, workload, p, sched, busy, bound)),
        tables=frozen_map({"timeline": tuple(r for ph in sched.phases for r in ph.timeline),
                           "phases": tuple(_phase_row(ph) for ph in sched.phases),
                           "accesses": _access_rows(p.costs)}),
        notes=(MODEL + ".", *p.mapping.notes),
    )


def _einsum_result(arch: Architecture, workload: Workload, cost: EinsumCost) -> EinsumResult:
    einsum = workload.einsum(cost.einsum)
    counts = einsum.op_counts
    traffic = tuple(LevelTraffic(lv, cost.read_bytes[lv], cost.write_bytes[lv]) for lv in cost.read_bytes)
    outer = cost.outer
    bandwidth = dict(cost.level_cycles)
    bandwidth[outer] = cost.load_cycles_per_task * cost.tasks + cost.store_cycles_per_task * cost.tasks
    latency = max(cost.compute_cycles, *bandwidth.values())
    bound = max(bandwidth, key=bandwidth.get) if max(bandwidth.values()) > cost.compute_cycles else cost.unit
    return EinsumResult(
        name=cost.einsum,
        unit=cost.unit,
        op_counts=frozen_map(counts),
        latency_cycles=latency,
        compute_cycles=cost.compute_cycles,
        bandwidth_cycles=frozen_map(bandwidth),
        traffic=traffic,
        energy_pj=frozen_map(einsum_energy_pj(arch, cost, counts)),
        bound=bound,
    )


def _traffic(arch: Architecture, costs: dict[str, EinsumCost]) -> tuple[LevelTraffic, ...]:
    out = []
    for level in arch.storage:
        reads = sum(c.read_bytes.get(level.name, 0.0) for c in costs.values())
        writes = sum(c.write_bytes.get(level.name, 0.0) for c in costs.values())
        out.append(LevelTraffic(level.name, reads, writes))
    return tuple(out)


def resource_busy(arch: Architecture, costs: dict[str, EinsumCost]) -> dict[str, float]:
    """Cycles each resource is busy: units computing, levels transferring."""
    busy = {u.name: 0.0 for u in arch.compute}
    outer = arch.storage[0]
    reads = writes = 0.0
    for cost in costs.values():
        busy[cost.unit] += cost.compute_cycles
        for level, cycles in cost.level_cycles.items():
            if level != outer.name:
                busy[level] = busy.get(level, 0.0) + cycles
        reads += cost.load_cycles_per_task * cost.tasks
        writes += cost.store_cycles_per_task * cost.tasks
    busy[outer.name] = reads + writes if outer.shared_bandwidth else max(reads, writes)
    return busy


def _utilization(arch: Architecture, costs: dict[str, EinsumCost], latency: float) -> dict[str, float]:
    out = {u.name: 0.0 for u in arch.compute}
    for cost in costs.values():
        out[cost.unit] += cost.ideal_compute_cycles
    return {u: (c / latency if latency else 0.0) for u, c in out.items()}


def _metrics(arch: Architecture, workload: Workload, p: Plan, sched: Schedule, busy: dict[str, float],
             bound: str) -> dict[str, float | str]:
    outer = arch.storage[0]
    latency = sched.latency_cycles
    ideal: dict[str, float] = {}
    for cost in p.costs.values():
        ideal[cost.unit] = ideal.get(cost.unit, 0.0) + cost.ideal_compute_cycles
    out: dict[str, float | str] = {
        "compulsory_bytes": workload.compulsory_bytes,
        "compute_bound_cycles": max(ideal.values(), default=0.0),
        "bandwidth_bound_cycles": busy.get(outer.name, 0.0),
        "compulsory_bandwidth_cycles": outer.transfer_cycles(_compulsory(workload, "read"),
                                                             _compulsory(workload, "write")),
        "critical_resource": bound,
        "tasks_total": sched.tasks_total,
        "tasks_walked": sched.tasks_walked,
        "phases": len(sched.phases),
    }
    for name, cycles in busy.items():
        out[f"busy_cycles:{name}"] = cycles
        out[f"busy_fraction:{name}"] = cycles / latency if latency else 0.0
    return out


def _compulsory(workload: Workload, kind: str) -> float:
    role = "input" if kind == "read" else "output"
    return sum(t.size_bytes for t in workload.tensors.values() if t.role == role)


def _phase_row(ph) -> dict:
    return {"phase": ph.name, "iterations": ph.iterations, "start_cycle": ph.start_cycle, "end_cycle": ph.end_cycle,
            "walked_iterations": ph.walked_iterations, "period": ph.period or 0}


def _access_rows(costs: dict[str, EinsumCost]) -> tuple[dict, ...]:
    return tuple({"einsum": c.einsum, "tensor": c.tensor, "level": c.level, "reads": c.reads, "fills": c.fills,
                  "updates": c.updates, "tile_elements": c.tile_elements, "instances": c.instances,
                  "multicast": c.multicast}
                 for cost in costs.values() for c in cost.counts if not c.is_unit)


def group_of(mapping: Mapping, einsum: str) -> FusionGroup:
    return mapping.ancestors(einsum)[-1]
