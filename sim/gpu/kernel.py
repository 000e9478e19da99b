"""Time one kernel: per-step unit times in an SM, occupancy, waves, memory bounds.

Per CTA step, each unit's SM time is work / rate at the sustained clock: tensor cores,
MUFU (exp), FP32 lanes (ALU), shared-memory reads and the SM's L2 port. ``overlap: max``
(warp-specialized) takes max(TC, exp + ALU, SMEM, port); ``overlap: sum`` (FA2-like)
takes max(TC, SMEM) + exp + ALU, then the port. With c CTAs resident per SM, a CTA advances
one step per c x that time, and never faster than latency / pipeline stages (Little's law).
CTAs are list-scheduled on SMs x c slots (waves, tails, causal imbalance); the kernel takes
the larger of that makespan and the device-wide HBM and L2 transfer times, plus launch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from sim.errors import InfeasibleMapping
from sim.gpu.hardware import Gpu
from sim.gpu.plan import KernelPlan
from sim.gpu.schedule import (
    causal_steps,
    makespan_cycles,
    stream_k_partials,
    stream_k_steps,
    wave_count,
    wave_efficiency,
)
from sim.gpu.splitkv import num_splits_heuristic
from sim.gpu.tiles import EinsumWork, classify, extents, is_tensor_core, rank_sizes
from sim.gpu.traffic import CtaTraffic, analyse
from workloads import Einsum, Workload

PARTIAL_BYTES = 4  # fp32 partial outputs and log-sum-exp of split kernels


@dataclass(frozen=True)
class StepCycles:
    """SM cycles (rated clock) one CTA step occupies on each unit, with the whole SM to itself."""

    tc: float
    sfu: float
    alu: float
    smem: float
    port: float
    overhead: float
    issue: float = 0.0
    exp_emulated_fraction: float = 0.0

    def combined(self, overlap: str) -> float:
        if overlap == "sum":
            return max(max(self.tc, self.smem) + self.sfu + self.alu + self.overhead, self.port)
        if overlap == "pipes":
            return max(self.tc, self.sfu, self.alu, self.issue, self.smem, self.port) + self.overhead
        return max(self.tc, self.sfu + self.alu, self.smem, self.port) + self.overhead

    def binding(self, overlap: str) -> str:
        parts = {"TensorCore": self.tc, "SFU": self.sfu, "ALU": self.alu, "SMEM": self.smem, "SM port": self.port}
        if overlap == "pipes":
            parts["issue"] = self.issue
        if overlap == "max" and self.sfu + self.alu >= max(self.tc, self.smem, self.port):
            return "SFU" if self.sfu >= self.alu else "ALU"
        return max(parts, key=parts.get)


@dataclass(frozen=True)
class KernelEstimate:
    name: str
    einsums: tuple[str, ...]
    grid: Mapping[str, int]
    loop: Mapping[str, int]
    overlap: str
    ctas: int
    ctas_per_sm: int
    slots: int
    waves: float
    wave_efficiency: float
    splits: int
    steps_per_cta_max: int
    steps_total: float
    passes: int
    step: StepCycles
    slot_step_cycles: float
    cta_fixed_cycles: float
    makespan_cycles: float
    hbm_cycles: float
    l2_cycles: float
    launch_cycles: float
    latency_cycles: float
    bound: str
    hbm_read_bytes: float
    hbm_write_bytes: float
    l2_bytes: float
    smem_bytes: float
    smem_per_cta_bytes: float
    tc_flops: float
    sfu_ops: float
    alu_ops: float
    useful_tc_flops: float
    per_einsum: Mapping[str, dict] = field(default_factory=dict)
    tc_dtype: str | None = None
    extra: tuple[KernelEstimate, ...] = ()


def evaluate(gpu: Gpu, workload: Workload, plan: KernelPlan, outputs: set[str]) -> KernelEstimate:
    """Estimate ``plan``; ``outputs`` are tensors the kernel must write to memory."""
    einsums = tuple(workload.einsum(n) for n in plan.einsums)
    sizes = rank_sizes(workload)
    loop_ranks = set(plan.loop)
    ext = extents(workload, plan.grid, plan.loop)
    tc_dtypes = set(gpu.tc_flops_per_cycle_per_sm)
    works = {w.name: w for w in classify(workload, einsums, loop_ranks, tc_dtypes, ext)}
    loop_steps = {r: math.ceil(sizes[r] / s) for r, s in plan.loop.items()}
    grid_ctas = math.prod(math.ceil(sizes[r] / t) for r, t in plan.grid.items())
    splits = _splits(gpu, plan, grid_ctas, loop_steps)
    cta_loop_steps = dict(loop_steps)
    if plan.split_rank and plan.split_combine != "stream_k":
        cta_loop_steps[plan.split_rank] = math.ceil(loop_steps[plan.split_rank] / splits)
    cta_ext = {**ext, **{r: min(sizes[r], plan.loop[r] * n) for r, n in cta_loop_steps.items()}}
    steps_full = math.prod(cta_loop_steps.values()) if cta_loop_steps else 1
    skip = plan.skip
    skip_tensors = {t: skip.fraction for t in skip.tensors} if skip else {}
    budget = gpu.max_smem_per_cta_bytes
    traffic = analyse(workload, einsums, works, loop_ranks, ext, cta_ext, sizes, outputs,
                      budget * 0.5, plan.keep_resident,
                      (plan.smem_operand_reads, plan.invariant_operand_smem_reads), skip_tensors, loop_steps)
    step_counts = _cta_steps(gpu, plan, grid_ctas, splits, loop_steps, steps_full, sizes)
    ctas = len(step_counts)
    total_steps = float(np.sum(step_counts))
    per_step, once = _ops(gpu, works, einsums, plan, loop_steps)
    smem_per_cta = (plan.pipeline_stages * traffic.streamed_bytes_per_step + traffic.once_bytes
                    + traffic.resident_bytes)
    c = _occupancy(gpu, plan, smem_per_cta, ctas)
    slots = gpu.sms * c
    step = _step_cycles(gpu, plan, per_step, traffic, traffic.passes)
    latency_floor = gpu.memory_latency_cycles / plan.pipeline_stages if traffic.streamed_bytes_per_step else 0.0
    slot_step = max(c * step.combined(plan.overlap), latency_floor)
    fixed = _fixed_cycles(gpu, once, traffic, c)
    split_l2, split_hbm, extra = _split_costs(gpu, workload, plan, splits, grid_ctas, ctas, traffic, loop_steps)
    if plan.split_combine == "stream_k" and plan.split_rank:
        fixed += gpu.memory_latency_cycles + split_l2 / max(ctas, 1) / gpu.sm_port_bandwidth_bytes_per_cycle
    durations = fixed + np.asarray(step_counts, dtype=float) * slot_step
    makespan = makespan_cycles(durations, slots)
    reads_l2, hbm_reads = _read_bytes(gpu, workload, traffic, step_counts, ctas, slots, skip_tensors)
    spill_l2 = traffic.spill_bytes_per_step * total_steps
    spill_ws = traffic.spill_bytes_per_step * steps_full * min(slots, ctas)
    spill_hbm_reads = 0.0 if spill_ws <= gpu.l2_bytes * gpu.l2_reuse_fraction else spill_l2
    writes = traffic.output_bytes_per_step * total_steps + traffic.output_once_bytes * grid_ctas
    if splits > 1 and plan.split_combine == "reduce_kernel":
        writes = 0.0
    hbm_r = hbm_reads + spill_hbm_reads
    hbm_w = writes + spill_l2 + split_hbm
    l2_total = reads_l2 + spill_l2 * 2 + writes + split_l2
    hbm_cycles = (hbm_r + hbm_w) / gpu.hbm_bandwidth_bytes_per_cycle
    l2_cycles = l2_total / gpu.l2_bandwidth_bytes_per_cycle
    launch = gpu.launch_overhead_cycles
    latency = max(makespan, hbm_cycles, l2_cycles) + launch
    bound = _bound(step, plan.overlap, c, latency_floor, slot_step, fixed, step_counts, makespan, hbm_cycles,
                   l2_cycles, gpu)
    return KernelEstimate(
        name=plan.name, einsums=plan.einsums, grid=dict(plan.grid), loop=dict(plan.loop), overlap=plan.overlap,
        ctas=ctas, ctas_per_sm=c, slots=slots, waves=wave_count(ctas, slots),
        wave_efficiency=wave_efficiency(ctas, slots), splits=splits,
        steps_per_cta_max=int(np.max(step_counts)) if step_counts else 0,
        steps_total=total_steps, passes=traffic.passes, step=step, slot_step_cycles=slot_step,
        cta_fixed_cycles=fixed, makespan_cycles=makespan, hbm_cycles=hbm_cycles, l2_cycles=l2_cycles,
        launch_cycles=launch, latency_cycles=latency, bound=bound, hbm_read_bytes=hbm_r, hbm_write_bytes=hbm_w,
        l2_bytes=l2_total, smem_bytes=traffic.smem_read_bytes_per_step * total_steps,
        smem_per_cta_bytes=smem_per_cta,
        tc_flops=per_step["tc"] * total_steps + once["tc"] * ctas,
        sfu_ops=per_step["sfu"] * total_steps + once["sfu"] * ctas,
        alu_ops=per_step["alu"] * total_steps + once["alu"] * ctas,
        useful_tc_flops=_useful_flops(workload, einsums, tc_dtypes, plan, sizes),
        per_einsum=_per_einsum(works, einsums, plan, loop_steps, steps_full, total_steps, ctas, traffic,
                               step_counts, skip),
        extra=extra,
        tc_dtype=next((w.dtype for w in works.values() if w.unit == "tc"), None),
    )


def _splits(gpu: Gpu, plan: KernelPlan, grid_ctas: int, loop_steps: Mapping[str, int]) -> int:
    if not plan.split_rank:
        return 1
    blocks = loop_steps[plan.split_rank]
    if plan.split_combine == "stream_k":
        return 1
    if plan.split_count == "auto":
        count = num_splits_heuristic(grid_ctas, 2 * gpu.sms, blocks, plan.max_splits)
    else:
        count = int(plan.split_count)
    per = math.ceil(blocks / min(count, blocks))
    return math.ceil(blocks / per)


def _cta_steps(gpu, plan, grid_ctas, splits, loop_steps, steps_full, sizes) -> list[int]:
    if plan.split_rank and plan.split_combine == "stream_k":
        total = grid_ctas * math.prod(loop_steps.values())
        grid = min(2 * gpu.sms, total)
        return stream_k_steps(total, grid)
    if plan.causal:
        cz = plan.causal
        q_tile = plan.grid[cz.query_rank]
        q_blocks = math.ceil(sizes[cz.query_rank] / q_tile)
        key_steps = loop_steps[cz.key_rank]
        other = steps_full // max(key_steps, 1)
        per_block = [n * other for n in causal_steps(q_blocks, q_tile, cz.key_block_elements, key_steps)]
        return sorted(per_block, reverse=True) * (grid_ctas // q_blocks)
    if plan.split_rank:
        blocks = loop_steps[plan.split_rank]
        per = math.ceil(blocks / splits)
        other = steps_full // per
        lengths = [min(per, blocks - i * per) * other for i in range(splits)]
        return lengths * grid_ctas
    return [steps_full] * grid_ctas


def _ops(gpu: Gpu, works: Mapping[str, EinsumWork], einsums: tuple[Einsum, ...], plan: KernelPlan,
         loop_steps: Mapping[str, int]) -> tuple[dict, dict]:
    """Average ops per CTA step (in-loop Einsums) and per CTA (the rest); tc_cycles at full MMA rate."""
    per_step = {"tc": 0.0, "tc_cycles": 0.0, "sfu": 0.0, "alu": 0.0}
    once = dict(per_step)
    for e in einsums:
        w = works[e.name]
        if w.unit == "view":
            continue
        if w.in_loop:
            runs = math.prod(loop_steps[r] for r in e.ranks if r in loop_steps)
            full = math.prod(loop_steps.values())
            scale = runs / full * _skip_scale(plan, e.name)
            target = per_step
        else:
            scale, target = 1.0, once
        target["tc"] += w.tc_flops * scale
        if w.tc_flops:
            target["tc_cycles"] += w.tc_flops * scale / gpu.tc_rate(w.dtype)
        target["sfu"] += w.sfu_ops * scale
        target["alu"] += w.alu_ops * scale
    return per_step, once


def _skip_scale(plan: KernelPlan, name: str) -> float:
    return 1.0 - plan.skip.fraction if plan.skip and name in plan.skip.einsums else 1.0


def _occupancy(gpu: Gpu, plan: KernelPlan, smem_per_cta: float, ctas: int) -> int:
    limits = {
        "max CTAs per SM": gpu.max_ctas_per_sm,
        "threads": gpu.max_threads_per_sm // plan.threads_per_cta,
        "registers": gpu.registers_per_sm // (plan.threads_per_cta * plan.registers_per_thread),
        "shared memory": int(gpu.smem_bytes_per_sm // smem_per_cta) if smem_per_cta else gpu.max_ctas_per_sm,
    }
    fit = min(limits.values())
    if fit < 1 or smem_per_cta > gpu.max_smem_per_cta_bytes:
        why = min(limits, key=limits.get)
        raise InfeasibleMapping(f"kernel {plan.name!r}: a CTA does not fit on an SM ({why}: needs "
                                f"{smem_per_cta:,.0f} B shared memory, {plan.threads_per_cta} threads x "
                                f"{plan.registers_per_thread} registers)")
    c = fit if plan.ctas_per_sm is None else plan.ctas_per_sm
    if c > fit:
        raise InfeasibleMapping(f"kernel {plan.name!r}: ctas_per_sm {c} exceeds what fits ({fit}, limited by "
                                f"{min(limits, key=limits.get)})")
    return max(1, min(c, math.ceil(ctas / gpu.sms)))


def _step_cycles(gpu: Gpu, plan: KernelPlan, per_step: Mapping[str, float], traffic: CtaTraffic,
                 passes: int) -> StepCycles:
    fractions = _emulation_candidates(plan)
    steps = [_step_at(gpu, plan, per_step, traffic, passes, x) for x in fractions]
    return min(steps, key=lambda s: (s.combined(plan.overlap), max(s.sfu, s.alu, s.issue)))


def _emulation_candidates(plan: KernelPlan) -> list[float]:
    if plan.exp_emulation_fraction == "auto":
        return [i / 64 for i in range(65)]
    return [min(1.0, float(plan.exp_emulation_fraction))]


def _step_at(gpu: Gpu, plan: KernelPlan, per_step: Mapping[str, float], traffic: CtaTraffic, passes: int,
             emulated: float) -> StepCycles:
    f = gpu.clock_fraction
    sfu = per_step["sfu"] * (1.0 - emulated)
    alu = per_step["alu"] + per_step["sfu"] * emulated * plan.exp_emulation_alu_ops
    l2_bytes = traffic.streamed_bytes_per_step + traffic.spill_bytes_per_step * 2 + traffic.output_bytes_per_step
    return StepCycles(
        tc=per_step["tc_cycles"] / (gpu.mma_efficiency * f),
        sfu=sfu / (gpu.sfu_lanes_per_sm * f),
        alu=alu / (gpu.fp32_lanes_per_sm * f),
        smem=traffic.smem_read_bytes_per_step / (gpu.smem_bandwidth_bytes_per_cycle * f),
        port=l2_bytes / (gpu.sm_port_bandwidth_bytes_per_cycle * f),
        overhead=gpu.loop_iteration_overhead_cycles * passes / f,
        issue=(sfu + alu) / (gpu.issue_lanes_per_sm * f),
        exp_emulated_fraction=emulated,
    )


def _fixed_cycles(gpu: Gpu, once: Mapping[str, float], traffic: CtaTraffic, c: int) -> float:
    f = gpu.clock_fraction
    compute = (once["tc_cycles"] / gpu.mma_efficiency + once["sfu"] / gpu.sfu_lanes_per_sm
               + once["alu"] / gpu.fp32_lanes_per_sm) / f
    loads = (traffic.once_bytes + traffic.output_once_bytes) / (gpu.sm_port_bandwidth_bytes_per_cycle * f)
    return gpu.memory_latency_cycles + c * (compute + loads)


def _read_bytes(gpu: Gpu, workload: Workload, traffic: CtaTraffic, step_counts, ctas: int, slots: int,
                skip_tensors: Mapping[str, float]) -> tuple[float, float]:
    """Bytes SMs read from L2, and the part that misses to HBM (reuse across CTAs in L2)."""
    total_steps = float(np.sum(step_counts))
    loads: dict[str, float] = {}
    for t, r in traffic.reads.items():
        scale = 1.0 - skip_tensors.get(t, 0.0)
        per_step = sum(r.step_elements_by_pass.values()) * r.bytes_per_element * scale
        loads[t] = per_step * total_steps + r.once_elements * r.bytes_per_element * ctas
    unique = {t: workload.tensor(t).size_bytes for t in loads}
    concurrent = min(1.0, slots / max(ctas, 1))
    working_set = sum(unique[t] * concurrent for t in loads if loads[t] > unique[t])
    reuse = working_set <= gpu.l2_bytes * gpu.l2_reuse_fraction
    hbm = sum(min(loads[t], unique[t]) if reuse else loads[t] for t in loads)
    return sum(loads.values()), hbm


def _split_costs(gpu: Gpu, workload: Workload, plan: KernelPlan, splits: int, grid_ctas: int, ctas: int,
                 traffic: CtaTraffic, loop_steps) -> tuple[float, float, tuple[KernelEstimate, ...]]:
    """Extra L2 bytes, extra HBM write bytes and combine kernels of a split loop rank."""
    if not plan.split_rank:
        return 0.0, 0.0, ()
    out_elems = sum(workload.tensor(t).elements for t in traffic.writes)
    rows = sum(workload.tensor(t).elements / workload.tensor(t).shape[-1] for t in traffic.writes)
    partial = (out_elems + rows) * PARTIAL_BYTES
    if plan.split_combine == "stream_k":
        total = grid_ctas * math.prod(loop_steps.values())
        n_partial = stream_k_partials(total, ctas, math.prod(loop_steps.values()))
        extra = partial / grid_ctas * n_partial
        return 2 * extra, extra, ()
    if splits == 1:
        return 0.0, 0.0, ()
    if plan.split_combine == "atomic":
        return 2 * partial * splits, 0.0, ()
    return partial * splits, partial * splits, (_combine_kernel(gpu, plan, partial * splits, out_elems, workload,
                                                                traffic),)


def _combine_kernel(gpu: Gpu, plan: KernelPlan, partial_bytes: float, out_elems: float, workload: Workload,
                    traffic: CtaTraffic) -> KernelEstimate:
    write_bytes = sum(workload.tensor(t).size_bytes for t in traffic.writes)
    l2_cycles = (partial_bytes + write_bytes) / gpu.l2_bandwidth_bytes_per_cycle
    hbm_cycles = write_bytes / gpu.hbm_bandwidth_bytes_per_cycle
    ctas = max(1, math.ceil(out_elems / 1024))
    moved = (partial_bytes + write_bytes) / ctas
    per_cta = gpu.memory_latency_cycles * 2 + moved / gpu.sm_port_bandwidth_bytes_per_cycle
    slots = gpu.sms * min(gpu.max_ctas_per_sm, 8)
    makespan = makespan_cycles([per_cta] * ctas, slots)
    latency = max(makespan, l2_cycles, hbm_cycles) + gpu.launch_overhead_cycles
    zero = StepCycles(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    return KernelEstimate(
        name=f"{plan.name}_combine", einsums=(), grid={}, loop={}, overlap="max", ctas=ctas,
        ctas_per_sm=min(8, math.ceil(ctas / gpu.sms)), slots=slots, waves=wave_count(ctas, slots),
        wave_efficiency=wave_efficiency(ctas, slots), splits=1, steps_per_cta_max=1, steps_total=ctas, passes=1,
        step=zero, slot_step_cycles=0.0, cta_fixed_cycles=per_cta, makespan_cycles=makespan,
        hbm_cycles=hbm_cycles, l2_cycles=l2_cycles, launch_cycles=gpu.launch_overhead_cycles, latency_cycles=latency,
        bound="latency" if makespan >= max(l2_cycles, hbm_cycles) else "L2", hbm_read_bytes=0.0,
        hbm_write_bytes=write_bytes, l2_bytes=partial_bytes + write_bytes, smem_bytes=0.0, smem_per_cta_bytes=0.0,
        tc_flops=0.0, sfu_ops=0.0, alu_ops=out_elems * 4, useful_tc_flops=0.0,
    )


def _bound(step: StepCycles, overlap: str, c: int, latency_floor: float, slot_step: float, fixed: float,
           step_counts, makespan: float, hbm: float, l2: float, gpu: Gpu) -> str:
    if hbm >= makespan and hbm >= l2:
        return gpu.levels["hbm"]
    if l2 >= makespan:
        return gpu.levels["l2"]
    longest = float(np.max(step_counts)) if step_counts else 0.0
    if fixed >= longest * slot_step:
        return "latency"
    if latency_floor >= c * step.combined(overlap):
        return "latency"
    return step.binding(overlap)


def _useful_flops(workload: Workload, einsums, tc_dtypes, plan: KernelPlan, sizes) -> float:
    flops = sum(2.0 * e.op_counts.get("mac", 0) for e in einsums if is_tensor_core(workload, e, tc_dtypes))
    if plan.causal:
        n = sizes[plan.causal.query_rank]
        flops *= (n + 1) / (2 * n)
    return flops


def _per_einsum(works, einsums, plan, loop_steps, steps_full, total_steps, ctas, traffic, step_counts, skip):
    out = {}
    full = math.prod(loop_steps.values()) if loop_steps else 1
    for e in einsums:
        w = works[e.name]
        if w.in_loop:
            runs = math.prod(loop_steps[r] for r in e.ranks if r in loop_steps)
            n = total_steps * runs / full * _skip_scale(plan, e.name)
        else:
            n = ctas
        reads = sum((sum(r.step_elements_by_pass.values()) * total_steps + r.once_elements * ctas)
                    * r.bytes_per_element for r in traffic.reads.values() if r.first_reader == e.name)
        out[e.name] = {"unit": w.unit, "tc_flops": w.tc_flops * n, "sfu_ops": w.sfu_ops * n,
                       "alu_ops": w.alu_ops * n, "read_bytes": reads,
                       "write_bytes": traffic.writes.get(e.output.tensor, 0.0)
                       * (total_steps if traffic.write_in_loop.get(e.output.tensor) else ctas),
                       "pass": w.pass_index}
    return out
