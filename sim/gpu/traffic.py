"""Bytes one CTA moves: streamed per step, loaded once, kept resident, spilled, written.

A tensor read through an access that varies with a loop rank is streamed (one tile per
step, once per pass that reads it); otherwise it is loaded once per CTA. A tensor that
several passes read is kept in shared memory when the CTA's whole share fits (else it is
re-read each pass). An intermediate produced in one pass and read in a later one stays in
shared memory when it fits, else it is written out and read back (the 3-pass "reload").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.gpu.tiles import EinsumWork, footprint_elements
from workloads import Einsum, TensorAccess, Workload


@dataclass
class TensorReads:
    """Reads of one source tensor by one kernel."""

    tensor: str
    bytes_per_element: float
    step_elements_by_pass: dict[int, float] = field(default_factory=dict)
    once_elements: float = 0.0
    cta_elements: float = 0.0
    staged_for_mma: bool = False
    mma_reread: bool = False
    first_reader: str = ""


@dataclass(frozen=True)
class CtaTraffic:
    streamed_bytes_per_step: float          # from L2/HBM, summed over passes, averaged per step
    once_bytes: float                       # loop-invariant loads per CTA
    resident_bytes: float                   # kept in SMEM across passes
    smem_read_bytes_per_step: float
    spill_bytes_per_step: float             # written and read back (each)
    output_bytes_per_step: float
    output_once_bytes: float
    reads: Mapping[str, TensorReads]
    writes: Mapping[str, float]             # tensor -> bytes per CTA (steps folded in by caller)
    write_in_loop: Mapping[str, bool]
    passes: int


def analyse(workload: Workload, einsums: tuple[Einsum, ...], works: Mapping[str, EinsumWork],
            loop_ranks: set[str], ext: Mapping[str, int], cta_ext: Mapping[str, int], sizes: Mapping[str, int],
            outputs: set[str], smem_budget_bytes: float, keep_resident: bool,
            smem_operand_reads: tuple[float, float], skip_tensors: Mapping[str, float],
            loop_steps: Mapping[str, int]) -> CtaTraffic:
    """Per-step quantities are averages: an Einsum that varies with only some loop ranks runs
    on that fraction of the steps."""
    rate = {e.name: _run_fraction(e, loop_steps) for e in einsums}
    produced = {e.output.tensor: e for e in einsums}
    views = {e.output.tensor: e.inputs[0] for e in einsums if works[e.name].unit == "view"
             and len(e.inputs) == 1 and e.inputs[0].tensor not in produced}
    reads: dict[str, TensorReads] = {}
    spills: dict[str, float] = {}
    for e in einsums:
        w = works[e.name]
        for access in e.inputs:
            t = access.tensor
            if t in produced and t not in views:
                _spill(workload, produced[t], e, works, access, loop_ranks, ext, sizes, spills, rate[e.name])
                continue
            source = views[t].tensor if t in views else t
            _record(workload, reads, source, t, access, w, loop_ranks, ext, cta_ext, sizes, rate[e.name])
    resident, spill_kept = _residency(workload, reads, spills, cta_ext, sizes, produced, smem_budget_bytes,
                                      keep_resident)
    streamed = smem = 0.0
    for r in reads.values():
        scale = 1.0 - skip_tensors.get(r.tensor, 0.0)
        passes = sorted(r.step_elements_by_pass)
        for i, p in enumerate(passes):
            b = r.step_elements_by_pass[p] * r.bytes_per_element * scale
            if i > 0 and r.tensor in resident:
                smem += b
            else:
                streamed += b
            if r.staged_for_mma:
                smem += b * smem_operand_reads[0]
        if r.mma_reread:
            smem += r.once_elements * r.bytes_per_element * smem_operand_reads[1]
    spill_step = sum(b for t, b in spills.items() if t not in spill_kept)
    smem += sum(b for t, b in spills.items() if t in spill_kept) * 2
    once = sum(r.once_elements * r.bytes_per_element for r in reads.values())
    writes, in_loop, out_step, out_once = _writes(workload, einsums, works, loop_ranks, ext, cta_ext, sizes, outputs,
                                                  rate)
    n_passes = 1 + max((w.pass_index for w in works.values() if w.in_loop), default=0)
    return CtaTraffic(
        streamed_bytes_per_step=streamed, once_bytes=once,
        resident_bytes=sum(_cta_bytes(workload, t, reads, spills, cta_ext, sizes) for t in resident | spill_kept),
        smem_read_bytes_per_step=smem, spill_bytes_per_step=spill_step,
        output_bytes_per_step=out_step, output_once_bytes=out_once,
        reads=reads, writes=writes, write_in_loop=in_loop, passes=n_passes,
    )


def _run_fraction(e: Einsum, loop_steps: Mapping[str, int]) -> float:
    full = math.prod(loop_steps.values()) if loop_steps else 1
    return math.prod(loop_steps[r] for r in e.ranks if r in loop_steps) / full


def _record(workload, reads, source, alias, access: TensorAccess, w: EinsumWork, loop_ranks, ext, cta_ext, sizes,
            fraction: float):
    tensor = workload.tensor(alias)
    r = reads.setdefault(source, TensorReads(source, workload.tensor(source).bits / 8, first_reader=w.name))
    step = footprint_elements(access, ext, sizes, tensor.shape) * fraction
    whole = footprint_elements(access, cta_ext, sizes, tensor.shape)
    r.cta_elements = max(r.cta_elements, whole)
    if w.in_loop and set(access.ranks) & loop_ranks:
        r.step_elements_by_pass[w.pass_index] = max(r.step_elements_by_pass.get(w.pass_index, 0.0), step)
    else:
        r.once_elements = max(r.once_elements, step)
        r.mma_reread = r.mma_reread or (w.unit == "tc" and w.in_loop)
    r.staged_for_mma = r.staged_for_mma or w.unit == "tc"


def _spill(workload, producer: Einsum, consumer: Einsum, works, access, loop_ranks, ext, sizes, spills, fraction):
    wp, wc = works[producer.name], works[consumer.name]
    if wc.pass_index <= wp.pass_index or not (wp.in_loop and wc.in_loop):
        return
    if not set(access.ranks) & loop_ranks:
        return
    tensor = workload.tensor(access.tensor)
    b = footprint_elements(access, ext, sizes, tensor.shape) * tensor.bits / 8 * fraction
    spills[access.tensor] = max(spills.get(access.tensor, 0.0), b)


def _cta_bytes(workload, t, reads, spills, cta_ext, sizes) -> float:
    if t in reads:
        return reads[t].cta_elements * reads[t].bytes_per_element
    tensor = workload.tensor(t)
    shape_ext = {r: min(cta_ext.get(r, s), s) for r, s in sizes.items()}
    return math.prod(shape_ext.get(r, 1) for r in tensor.ranks) * tensor.bits / 8


def _residency(workload, reads, spills, cta_ext, sizes, produced, budget, keep) -> tuple[set[str], set[str]]:
    if not keep:
        return set(), set()
    multi = [t for t, r in reads.items() if len(r.step_elements_by_pass) > 1]
    candidates = sorted([*multi, *spills], key=lambda t: _cta_bytes(workload, t, reads, spills, cta_ext, sizes))
    kept, used = [], 0.0
    for t in candidates:
        b = _cta_bytes(workload, t, reads, spills, cta_ext, sizes)
        if used + b <= budget:
            kept.append(t)
            used += b
    return {t for t in kept if t in reads}, {t for t in kept if t in spills}


def _writes(workload, einsums, works, loop_ranks, ext, cta_ext, sizes, outputs, rate):
    writes: dict[str, float] = {}
    in_loop: dict[str, bool] = {}
    step_bytes = once_bytes = 0.0
    for e in einsums:
        t = e.output.tensor
        if t not in outputs:
            continue
        tensor = workload.tensor(t)
        if works[e.name].in_loop and set(e.output.ranks) & loop_ranks:
            b = footprint_elements(e.output, ext, sizes, tensor.shape) * tensor.bits / 8 * rate[e.name]
            step_bytes += b
            in_loop[t] = True
        else:
            b = footprint_elements(e.output, cta_ext, sizes, tensor.shape) * tensor.bits / 8
            once_bytes += b
            in_loop[t] = False
        writes[t] = b
    return writes, in_loop, step_bytes, once_bytes
