"""Turn kernel estimates into the shared :class:`~sim.result.Result`."""

from __future__ import annotations

from arch import Architecture
from sim.gpu.hardware import Gpu
from sim.gpu.kernel import KernelEstimate
from sim.result import EinsumResult, LevelTraffic, Result, frozen_map
from workloads import Workload

_UNIT_KIND = {"tc": "tensor_core", "sfu": "sfu", "alu": "vector"}


def build_result(gpu: Gpu, arch: Architecture, workload: Workload, estimates: tuple[KernelEstimate, ...],
                 mapping_name: str, model: str) -> Result:
    kernels = [k for est in estimates for k in (est, *est.extra)]
    latency = sum(k.latency_cycles for k in kernels)
    unit_names = {key: _unit_name(arch, kind) for key, kind in _UNIT_KIND.items()}
    rows = tuple(r for est in estimates for r in _einsum_rows(gpu, est, unit_names))
    hbm, l2, smem = gpu.levels["hbm"], gpu.levels["l2"], gpu.levels["smem"]
    hbm_r = sum(k.hbm_read_bytes for k in kernels)
    hbm_w = sum(k.hbm_write_bytes for k in kernels)
    traffic = (LevelTraffic(hbm, hbm_r, hbm_w), LevelTraffic(l2, sum(k.l2_bytes for k in kernels), 0.0),
               LevelTraffic(smem, sum(k.smem_bytes for k in kernels), 0.0))
    return Result(
        arch=arch.name, workload=workload.name, model=f"{model}; mapping: {mapping_name}", clock_hz=gpu.clock_hz,
        latency_cycles=latency, bound=_overall_bound(kernels), einsums=rows, traffic=traffic,
        energy_pj=frozen_map(_energy(gpu, kernels, unit_names)),
        utilization=frozen_map(_utilization(gpu, kernels, latency, unit_names)),
        area_um2=frozen_map(arch.area_breakdown_um2()),
        metrics=frozen_map(_metrics(gpu, estimates, kernels, latency)),
        tables=frozen_map({"kernels": tuple(_kernel_row(gpu, k) for k in kernels),
                           "SM cycles per CTA step": tuple(_step_row(k) for k in kernels if k.einsums)}),
        notes=(f"Cycles are at the rated clock {gpu.clock_hz / 1e9:.3g} GHz; SM-side rates are scaled by the "
               f"sustained clock fraction {gpu.clock_fraction:g}.",),
    )


def _unit_name(arch: Architecture, kind: str) -> str:
    return next((u.name for u in arch.compute if u.kind == kind), kind)


def _einsum_rows(gpu: Gpu, est: KernelEstimate, unit_names) -> list[EinsumResult]:
    f = gpu.clock_fraction
    tc_rate = (gpu.tc_rate(est.tc_dtype or "fp16") or gpu.tc_rate("fp16")) * gpu.mma_efficiency
    cycles = {}
    for name, d in est.per_einsum.items():
        cycles[name] = (d["tc_flops"] / tc_rate + d["sfu_ops"] / gpu.sfu_lanes_per_sm
                        + d["alu_ops"] / gpu.fp32_lanes_per_sm) / (gpu.sms * f)
    total = sum(cycles.values())
    rows = []
    for name, d in est.per_einsum.items():
        share = cycles[name] / total if total else 1.0 / len(est.per_einsum)
        unit = unit_names.get(d["unit"])
        ops = {k: v for k, v in (("tc_flop", d["tc_flops"]), ("sfu_op", d["sfu_ops"]), ("alu_op", d["alu_ops"]))
               if v}
        bw = (d["read_bytes"] + d["write_bytes"]) / gpu.hbm_bandwidth_bytes_per_cycle
        rows.append(EinsumResult(
            name=name, unit=unit, op_counts=frozen_map(ops), latency_cycles=est.latency_cycles * share,
            compute_cycles=cycles[name], bandwidth_cycles=frozen_map({gpu.levels["hbm"]: bw}),
            traffic=(LevelTraffic(gpu.levels["l2"], d["read_bytes"], d["write_bytes"]),),
            energy_pj=frozen_map({}), bound=f"{est.name}: {est.bound}",
        ))
    return rows


def _energy(gpu: Gpu, kernels, unit_names) -> dict[str, float]:
    e = gpu.energy_pj_per_op
    per_byte = gpu.energy_pj_per_byte
    out = {
        unit_names["tc"]: sum(k.tc_flops for k in kernels) / 2 * e.get("tc_mac", 0.0),
        unit_names["sfu"]: sum(k.sfu_ops for k in kernels) * e.get("sfu_exp", 0.0),
        unit_names["alu"]: sum(k.alu_ops for k in kernels) * e.get("alu_add", 0.0),
        gpu.levels["hbm"]: sum(k.hbm_read_bytes + k.hbm_write_bytes for k in kernels) * per_byte[gpu.levels["hbm"]],
        gpu.levels["l2"]: sum(k.l2_bytes for k in kernels) * per_byte[gpu.levels["l2"]],
        gpu.levels["smem"]: sum(k.smem_bytes for k in kernels) * per_byte[gpu.levels["smem"]],
    }
    return out


def _utilization(gpu: Gpu, kernels, latency: float, unit_names) -> dict[str, float]:
    if not latency:
        return {}
    f = gpu.clock_fraction
    peak_tc = _peak_rate(gpu, kernels) * gpu.sms
    return {
        unit_names["tc"]: sum(k.tc_flops for k in kernels) / (peak_tc * f * latency),
        unit_names["sfu"]: sum(k.sfu_ops for k in kernels) / (gpu.sfu_lanes_per_sm * gpu.sms * f * latency),
        unit_names["alu"]: sum(k.alu_ops for k in kernels) / (gpu.fp32_lanes_per_sm * gpu.sms * f * latency),
        gpu.levels["hbm"]: sum(k.hbm_read_bytes + k.hbm_write_bytes for k in kernels)
        / (gpu.hbm_bandwidth_bytes_per_cycle * latency),
    }


def _peak_rate(gpu: Gpu, kernels) -> float:
    """Tensor-core FLOP/clk/SM for the dtype the kernels multiply in (fp16 if none)."""
    dtype = next((k.tc_dtype for k in kernels if k.tc_dtype), "fp16")
    return gpu.tc_rate(dtype) or gpu.tc_rate("fp16")


def _overall_bound(kernels) -> str:
    if not kernels:
        return "none"
    main = max(kernels, key=lambda k: k.latency_cycles)
    return f"{main.bound} ({main.name})"


def _metrics(gpu: Gpu, estimates, kernels, latency: float) -> dict:
    seconds = latency / gpu.clock_hz if latency else 0.0
    useful = sum(k.useful_tc_flops for k in kernels)
    executed = sum(k.tc_flops for k in kernels)
    hbm_bytes = sum(k.hbm_read_bytes + k.hbm_write_bytes for k in kernels)
    main = max(estimates, key=lambda k: k.latency_cycles)
    peak = _peak_rate(gpu, kernels) * gpu.sms * gpu.clock_hz
    return {
        "latency_s": seconds,
        "tflops": useful / seconds / 1e12 if seconds else 0.0,
        "tensor_peak_fraction": useful / seconds / peak if seconds else 0.0,
        "tc_flops_executed": executed,
        "tc_padding_factor": executed / useful if useful else 1.0,
        "hbm_bytes": hbm_bytes,
        "achieved_hbm_bytes_per_s": hbm_bytes / seconds if seconds else 0.0,
        "hbm_fraction_of_nominal": hbm_bytes / seconds / gpu.hbm_nominal_bandwidth_bytes_per_s if seconds else 0.0,
        "kernels": len(kernels),
        "main_kernel": main.name,
        "ctas": main.ctas,
        "ctas_per_sm": main.ctas_per_sm,
        "waves": main.waves,
        "wave_efficiency": main.wave_efficiency,
        "splits": main.splits,
        "passes": main.passes,
        "exp_to_mma_time_ratio": _exp_ratio(gpu, main),
        "exp_emulated_fraction": main.step.exp_emulated_fraction,
    }


def _exp_ratio(gpu: Gpu, k: KernelEstimate) -> float:
    """MUFU time for all exps over MMA time, both at peak rates (FA3 §3's comparison)."""
    if not k.step.tc:
        return 0.0
    mufu = k.step.sfu / (1.0 - k.step.exp_emulated_fraction) if k.step.exp_emulated_fraction < 1 else 0.0
    return mufu / (k.step.tc * gpu.mma_efficiency)


def _kernel_row(gpu: Gpu, k: KernelEstimate) -> dict:
    seconds = k.latency_cycles / gpu.clock_hz
    tiles = ", ".join(f"{r}:{t}" for r, t in {**k.grid, **k.loop}.items())
    return {
        "kernel": k.name, "tiles": tiles or "-", "ctas": k.ctas, "ctas/SM": k.ctas_per_sm, "waves": k.waves,
        "splits": k.splits, "steps/CTA": k.steps_per_cta_max, "latency us": seconds * 1e6,
        "TFLOP/s": k.useful_tc_flops / seconds / 1e12 if seconds else 0.0,
        "HBM bytes": k.hbm_read_bytes + k.hbm_write_bytes,
        "HBM B/s": (k.hbm_read_bytes + k.hbm_write_bytes) / seconds if seconds else 0.0,
        "bound": k.bound,
    }


def _step_row(k: KernelEstimate) -> dict:
    s = k.step
    return {"kernel": k.name, "overlap": k.overlap, "tensor": s.tc, "exp (SFU)": s.sfu, "ALU": s.alu,
            "SMEM": s.smem, "SM port": s.port, "issue": s.issue, "loop overhead": s.overhead,
            "slot step": k.slot_step_cycles,
            "binds": s.binding(k.overlap)}
