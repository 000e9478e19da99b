"""First-order roofline model (the honest baseline every other model must beat).

Each Einsum runs alone: it reads its operands from the outermost storage level and
writes its result back there, and runs on the compute unit that finishes its ops
soonest. Its latency is the larger of its compute-bound and bandwidth-bound times;
the cascade's latency is their sum. Views (an Einsum that only re-indexes one tensor)
move no data. No tiling, reuse in inner levels, fusion or overlap between Einsums.
"""

from __future__ import annotations

from collections.abc import Mapping

from arch import Architecture, ComputeUnit
from sim.errors import SimulationError
from sim.result import EinsumResult, LevelTraffic, Result, frozen_map
from workloads import Einsum, Workload

MODEL = "first-order roofline (each Einsum alone, operands from/to the outermost level)"


def parse_mapping(doc, arch: Architecture, workload: Workload):
    raise SimulationError("the first-order model takes no mapping")


def run(arch: Architecture, workload: Workload, mapping=None) -> Result:
    if not arch.storage or not arch.compute:
        raise SimulationError(f"architecture {arch.name!r} needs storage levels and compute units "
                              "for the first-order model")
    rows = tuple(einsum_estimate(arch, workload, e) for e in workload.einsums)
    latency = sum(r.latency_cycles for r in rows)
    outer = arch.outermost
    traffic = LevelTraffic(outer.name, sum(r.traffic[0].read_bytes for r in rows),
                           sum(r.traffic[0].write_bytes for r in rows))
    energy: dict[str, float] = {}
    for row in rows:
        for part, pj in row.energy_pj.items():
            energy[part] = energy.get(part, 0.0) + pj
    return Result(
        arch=arch.name,
        workload=workload.name,
        model=MODEL,
        clock_hz=arch.clock_hz,
        latency_cycles=latency,
        bound=_overall_bound(rows),
        einsums=rows,
        traffic=(traffic,),
        energy_pj=frozen_map(energy),
        utilization=frozen_map(_utilization(arch, workload, latency)),
        area_um2=frozen_map(arch.area_breakdown_um2()),
        metrics=frozen_map(_metrics(arch, workload, rows)),
        notes=(MODEL + ".",),
    )


def einsum_estimate(arch: Architecture, workload: Workload, einsum: Einsum) -> EinsumResult:
    outer = arch.outermost
    reads, writes = _traffic_bytes(workload, einsum)
    bw_cycles = outer.transfer_cycles(reads, writes)
    counts = einsum.op_counts
    plan = {} if einsum.is_copy else assign_units(arch, counts, _dtype(workload, einsum))
    compute = sum(cycles for _, cycles in plan.values())
    energy = {outer.name: reads * outer.read_energy_pj_per_byte + writes * outer.write_energy_pj_per_byte}
    for name, (kinds, _) in plan.items():
        unit = arch.unit(name)
        energy[name] = sum(counts[k] * unit.energy_pj(k) for k in kinds)
    unit_label = "+".join(plan) or None
    return EinsumResult(
        name=einsum.name,
        unit=unit_label,
        op_counts=frozen_map(counts),
        latency_cycles=max(compute, bw_cycles),
        compute_cycles=compute,
        bandwidth_cycles=frozen_map({outer.name: bw_cycles}),
        traffic=(LevelTraffic(outer.name, reads, writes),),
        energy_pj=frozen_map(energy),
        bound=_bound(outer.name, bw_cycles, unit_label, compute),
    )


def _bound(level: str, bw_cycles: float, unit: str | None, compute: float) -> str:
    if bw_cycles == 0 and compute == 0:
        return "none"
    return level if bw_cycles >= compute or unit is None else unit


def assign_units(arch: Architecture, counts: Mapping[str, float], dtype: str | None
                 ) -> dict[str, tuple[tuple[str, ...], float]]:
    """Unit name -> (op kinds it runs, its busy cycles).

    One unit that executes every op kind is preferred (the fastest such); otherwise each
    kind goes to the fastest unit that executes it and the units run one after another.
    """
    able = [u for u in arch.compute if all(u.supports(k) for k in counts)]
    if able:
        unit, cycles = min(((u, _cycles(u, counts, dtype)) for u in able), key=lambda t: t[1])
        return {unit.name: (tuple(counts), cycles)}
    plan: dict[str, list[str]] = {}
    for kind in counts:
        options = [u for u in arch.compute if u.supports(kind)]
        if not options:
            raise SimulationError(f"no compute unit of {arch.name!r} executes {kind!r}; units: "
                                  + "; ".join(f"{u.name} ({', '.join(sorted(u.ops))})" for u in arch.compute))
        fastest = min(options, key=lambda u: _cycles(u, {kind: counts[kind]}, dtype))
        plan.setdefault(fastest.name, []).append(kind)
    return {name: (tuple(kinds), _cycles(arch.unit(name), {k: counts[k] for k in kinds}, dtype))
            for name, kinds in plan.items()}


def _cycles(unit: ComputeUnit, counts: Mapping[str, float], dtype: str | None) -> float:
    return unit.cycles_per_pe(counts, dtype) / unit.total_pes


def _dtype(workload: Workload, einsum: Einsum) -> str:
    name = einsum.inputs[0].tensor if einsum.inputs else einsum.output.tensor
    return workload.tensor(name).dtype


def _traffic_bytes(workload: Workload, einsum: Einsum) -> tuple[float, float]:
    if einsum.is_copy and len(einsum.inputs) == 1:
        return 0.0, 0.0
    reads = sum(workload.tensor(t).size_bytes for t in einsum.input_tensors)
    return reads, workload.tensor(einsum.output.tensor).size_bytes


def _utilization(arch: Architecture, workload: Workload, latency: float) -> dict[str, float]:
    busy = {u.name: 0.0 for u in arch.compute}
    for einsum in workload.einsums:
        if not einsum.is_copy:
            for name, (_, cycles) in assign_units(arch, einsum.op_counts, _dtype(workload, einsum)).items():
                busy[name] += cycles
    return {name: (b / latency if latency else 0.0) for name, b in busy.items()}


def _overall_bound(rows) -> str:
    shares: dict[str, float] = {}
    for row in rows:
        shares[row.bound] = shares.get(row.bound, 0.0) + row.latency_cycles
    return max(shares, key=shares.get) if shares else "none"


def _metrics(arch: Architecture, workload: Workload, rows) -> dict[str, float]:
    outer = arch.outermost
    compulsory = workload.compulsory_bytes
    return {
        "compulsory_bytes": compulsory,
        "compute_bound_cycles": sum(r.compute_cycles for r in rows),
        "bandwidth_bound_cycles": sum(r.bandwidth_cycles[outer.name] for r in rows),
        "fused_lower_bound_cycles": max(max((r.compute_cycles for r in rows), default=0.0),
                                        outer.transfer_cycles(compulsory, 0.0)),
    }
