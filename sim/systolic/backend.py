"""The systolic backend: ``run(arch, workload, mapping) -> Result`` for ``kind: systolic``.

Each multiply-accumulate Einsum is lowered to an im2col layer (``lowering``) and evaluated by
the SCALE-Sim-compatible fold model (``model``); Einsums run one after another.  Energy is
accesses x per-access energy of the storage levels named in the ``systolic:`` section plus
MACs x the array's MAC energy.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

from arch import Architecture
from arch.systolic import SystolicSection
from sim.errors import SimulationError
from sim.result import EinsumResult, LevelTraffic, Result, frozen_map
from sim.systolic.config import SystolicConfig
from sim.systolic.lowering import LoweredEinsum, LoweringError, lower
from sim.systolic.mapping import SystolicMapping, parse_mapping
from sim.systolic.model import SystolicReport, evaluate
from specbase import SpecError
from workloads import Workload

MODEL = ("systolic fold model (SCALE-Sim v3 stall-free cycles and access counts; "
         "double-buffered fold pipeline when DRAM bandwidth is limited)")

__all__ = ["MODEL", "parse_mapping", "run"]


def run(arch: Architecture, workload: Workload, mapping: SystolicMapping | None = None) -> Result:
    section: SystolicSection = arch.section("systolic")
    mapping = mapping or SystolicMapping()
    rows = [_einsum(arch, section, workload, i, mapping) for i in range(len(workload.einsums))]
    results = tuple(r[0] for r in rows)
    latency = sum(r.latency_cycles for r in results)
    pes = section.rows * section.cols
    macs = sum(lowered.repeats * report.layer.macs for _, lowered, report in rows)
    elapsed = sum(lowered.repeats * report.duration_cycles for _, lowered, report in rows)
    return Result(
        arch=arch.name, workload=workload.name, model=MODEL, clock_hz=arch.clock_hz,
        latency_cycles=latency, bound=_overall_bound(results),
        einsums=results, traffic=_sum_traffic(results), energy_pj=frozen_map(_sum_energy(results)),
        utilization=frozen_map({section.array_unit: macs / (elapsed * pes)}),
        area_um2=frozen_map(arch.area_breakdown_um2()),
        metrics=frozen_map(_metrics([r[1:] for r in rows], section)),
        tables=frozen_map({"systolic_layers": tuple(_layer_row(*r[1:]) for r in rows)}),
        notes=(MODEL + ".", *_notes(section)),
    )


def _einsum(arch, section, workload, index, mapping):
    einsum = workload.einsums[index]
    choice = mapping.choice(einsum.name, section.dataflow)
    try:
        lowered = lower(workload, einsum, choice.ifmap)
    except LoweringError as exc:
        raise SpecError.single(workload.file, f"einsums[{index}]", str(exc),
                               allowed="Einsums of the form Z[..] = sum_k A[..] * B[..]") from None
    config = _config(section, choice.dataflow)
    report = evaluate(config, lowered.layer)
    return _einsum_result(arch, section, workload, einsum, lowered, report), lowered, report


def _config(section: SystolicSection, dataflow: str) -> SystolicConfig:
    try:
        return SystolicConfig(
            rows=section.rows, cols=section.cols, dataflow=dataflow,
            ifmap_sram_words=section.sram_words("ifmap"),
            filter_sram_words=section.sram_words("filter"),
            ofmap_sram_words=section.sram_words("ofmap"), word_bytes=section.word_bytes,
            dram_bandwidth_words_per_cycle=section.dram_bandwidth_words_per_cycle)
    except ValueError as exc:
        raise SimulationError(str(exc)) from None


def _einsum_result(arch, section, workload, einsum, lowered: LoweredEinsum,
                   report: SystolicReport) -> EinsumResult:
    n, word = lowered.repeats, section.word_bytes
    traffic = (
        LevelTraffic(section.dram_level, n * word * (report.dram.ifmap_reads + report.dram.filter_reads),
                     n * word * report.dram.ofmap_writes),
        LevelTraffic(section.ifmap_sram_level, n * word * report.sram.ifmap_reads,
                     n * word * report.dram.ifmap_reads),
        LevelTraffic(section.filter_sram_level, n * word * report.sram.filter_reads,
                     n * word * report.dram.filter_reads),
        LevelTraffic(section.ofmap_sram_level, n * word * report.dram.ofmap_writes,
                     n * word * report.sram.ofmap_writes),
    )
    latency = n * report.total_cycles
    limited = section.dram_bandwidth_mode == "limited"
    bandwidth = {section.dram_level: traffic[0].total_bytes / section.dram_bandwidth_bytes_per_cycle} \
        if limited else {}
    return EinsumResult(
        name=einsum.name, unit=section.array_unit, op_counts=frozen_map(einsum.op_counts),
        latency_cycles=latency, compute_cycles=n * report.compute_cycles,
        bandwidth_cycles=frozen_map(bandwidth),
        traffic=traffic, energy_pj=frozen_map(_energy(arch, section, traffic, n * report.layer.macs)),
        bound=_bound(report))


def _energy(arch: Architecture, section: SystolicSection, traffic, macs: int) -> dict[str, float]:
    energy = {}
    for item in traffic:
        try:
            level = arch.level(item.level)
        except KeyError:
            continue
        energy[item.level] = (item.read_bytes * level.read_energy_pj_per_byte
                              + item.write_bytes * level.write_energy_pj_per_byte)
    with contextlib.suppress(KeyError):
        energy[section.array_unit] = macs * arch.unit(section.array_unit).energy_pj("mac")
    return energy


def _bound(report: SystolicReport) -> str:
    if report.stalls.exposed_cycles > report.compute_cycles * 0.01:
        return "DRAM bandwidth"
    return "compute (incl. fill/drain)"


def _overall_bound(results) -> str:
    by_bound: dict[str, float] = {}
    for r in results:
        by_bound[r.bound] = by_bound.get(r.bound, 0.0) + r.latency_cycles
    return max(by_bound, key=by_bound.get) if by_bound else "none"


def _sum_traffic(results) -> tuple[LevelTraffic, ...]:
    totals: dict[str, LevelTraffic] = {}
    for r in results:
        for t in r.traffic:
            old = totals.get(t.level, LevelTraffic(t.level, 0.0, 0.0))
            totals[t.level] = replace(old, read_bytes=old.read_bytes + t.read_bytes,
                                      write_bytes=old.write_bytes + t.write_bytes)
    return tuple(totals.values())


def _sum_energy(results) -> dict[str, float]:
    energy: dict[str, float] = {}
    for r in results:
        for part, pj in r.energy_pj.items():
            energy[part] = energy.get(part, 0.0) + pj
    return energy


METRIC_FIELDS = ("compute_cycles", "ideal_cycles", "stationary_load_cycles", "fill_drain_cycles",
                 "stall_cycles", "prefetch_cycles", "writeback_cycles", "folds",
                 "ifmap_sram_reads", "filter_sram_reads", "ofmap_sram_writes",
                 "ifmap_dram_reads", "filter_dram_reads", "ofmap_dram_writes",
                 "ofmap_dram_writes_scalesim", "ofmap_sram_writes_scalesim")


def _layer_row(lowered: LoweredEinsum, report: SystolicReport) -> dict[str, Any]:
    """One compact table row per Einsum (all counts are in ``metrics`` too)."""
    full = _layer_counts(lowered, report)
    keys = ("einsum", "dataflow", "repeats", "gemm_mnk", "folds", "ideal_cycles",
            "stationary_load_cycles", "fill_drain_cycles", "stall_cycles", "overall_utilization")
    return {k: full[k] for k in keys}


def _layer_counts(lowered: LoweredEinsum, report: SystolicReport) -> dict[str, Any]:
    n, c = lowered.repeats, report.cycles
    layer = report.layer
    counts = {
        "compute_cycles": report.compute_cycles, "ideal_cycles": c.ideal_cycles,
        "stationary_load_cycles": c.stationary_load_cycles, "fill_drain_cycles": c.fill_drain_cycles,
        "stall_cycles": report.stalls.stall_cycles, "prefetch_cycles": report.stalls.prefetch_cycles,
        "writeback_cycles": report.stalls.writeback_cycles, "folds": report.plan.folds,
        "ifmap_sram_reads": report.sram.ifmap_reads, "filter_sram_reads": report.sram.filter_reads,
        "ofmap_sram_writes": report.sram.ofmap_writes,
        "ofmap_sram_writes_scalesim": report.sram.ofmap_writes_scalesim,
        "ifmap_dram_reads": report.dram.ifmap_reads, "filter_dram_reads": report.dram.filter_reads,
        "ofmap_dram_writes": report.dram.ofmap_writes,
        "ofmap_dram_writes_scalesim": report.dram.ofmap_writes_scalesim,
    }
    row = {"einsum": lowered.einsum, "dataflow": report.config.dataflow, "repeats": n,
           "ifmap": lowered.ifmap, "filter": lowered.filter,
           "layer": f"{layer.ifmap_h}x{layer.ifmap_w}x{layer.channels} * "
                    f"{layer.filter_h}x{layer.filter_w} x{layer.num_filters} "
                    f"stride {layer.stride_h},{layer.stride_w}",
           "gemm_mnk": f"{layer.ofmap_px}x{layer.num_filters}x{layer.window}",
           "total_cycles_per_repeat": report.total_cycles,
           "overall_utilization": report.pe_utilization,
           "mapping_efficiency": report.mapping_efficiency,
           "compute_utilization_scalesim": report.compute_utilization_scalesim,
           "dram_bandwidth_needed_words_per_cycle": report.stalls.peak_bandwidth_words_per_cycle}
    row.update({k: v * n for k, v in counts.items()})
    return row


def _metrics(reports_and_lowered, section) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    for lowered, report in reports_and_lowered:
        row = _layer_counts(lowered, report)
        for key in METRIC_FIELDS:
            totals[key] = totals.get(key, 0) + row[key]
    if len(reports_and_lowered) == 1:
        lowered, report = reports_and_lowered[0]
        row = _layer_counts(lowered, report)
        for key in ("mapping_efficiency", "compute_utilization_scalesim",
                    "dram_bandwidth_needed_words_per_cycle", "gemm_mnk", "layer"):
            totals[key] = row[key]
    totals["array"] = f"{section.rows}x{section.cols}"
    totals["dram_bandwidth_mode"] = section.dram_bandwidth_mode
    return totals


def _notes(section: SystolicSection) -> tuple[str, ...]:
    if section.dram_bandwidth_mode == "stall_free":
        return ("stall-free DRAM (SCALE-Sim CALC mode): latency counts compute, fill/drain and "
                "stationary loads; metrics.dram_bandwidth_needed reports what DRAM must sustain.",)
    return (f"DRAM limited to {section.dram_bandwidth_bytes_per_cycle} B/cycle: folds stall while "
            "the next fold's operands and the previous fold's outputs move (double buffering).",)
