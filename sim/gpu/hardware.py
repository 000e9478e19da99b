"""The SM-level view of a ``kind: gpu`` architecture, derived once from the arch file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from arch import Architecture
from sim.errors import SimulationError

TC_DTYPES = ("fp16", "bf16", "fp8", "int8", "tf32", "fp64")


@dataclass(frozen=True)
class Gpu:
    """Per-SM unit rates (at the rated clock) and device-wide memory rates."""

    name: str
    generation: str
    clock_hz: float
    sms: int
    tc_flops_per_cycle_per_sm: Mapping[str, float]
    fp32_lanes_per_sm: float
    sfu_lanes_per_sm: float
    issue_lanes_per_sm: float
    smem_bytes_per_sm: float
    smem_bandwidth_bytes_per_cycle: float
    max_smem_per_cta_bytes: float
    registers_per_sm: int
    max_threads_per_sm: int
    max_ctas_per_sm: int
    l2_bytes: float
    l2_bandwidth_bytes_per_cycle: float
    hbm_bandwidth_bytes_per_cycle: float
    hbm_nominal_bandwidth_bytes_per_s: float
    sm_port_bandwidth_bytes_per_cycle: float
    memory_latency_cycles: float
    launch_overhead_cycles: float
    loop_iteration_overhead_cycles: float
    clock_fraction: float
    mma_efficiency: float
    l2_reuse_fraction: float
    warpgroup_mma: bool
    levels: Mapping[str, str]
    energy_pj_per_byte: Mapping[str, float]
    energy_pj_per_op: Mapping[str, float]

    def tc_rate(self, dtype: str) -> float | None:
        """Tensor-core FLOP per rated cycle per SM for ``dtype`` (None: not on tensor cores)."""
        return self.tc_flops_per_cycle_per_sm.get(dtype)

    @property
    def hbm_bandwidth_bytes_per_s(self) -> float:
        return self.hbm_bandwidth_bytes_per_cycle * self.clock_hz


def gpu_from_arch(arch: Architecture) -> Gpu:
    try:
        sec = arch.section("gpu")
    except KeyError:
        raise SimulationError(f"{arch.file}: a kind: gpu architecture needs a 'gpu:' section "
                              "(see arch/gpu.py GpuSection)") from None
    tc, vec, sfu = _unit(arch, "tensor_core"), _unit(arch, "vector"), _unit(arch, "sfu")
    hbm, l2, smem = (_level(arch, n) for n in (sec.hbm_level, sec.l2_level, sec.smem_level))
    rf = _level(arch, sec.register_level)
    mac = tc.op("mac")
    rates = {d: 2.0 * mac.rate(d) * tc.pes_per_instance for d in TC_DTYPES if d in mac.ops_per_cycle_by_dtype}
    for d in ("fp16", "bf16"):
        rates.setdefault(d, 2.0 * mac.ops_per_cycle * tc.pes_per_instance)
    per_op = {"tc_mac": mac.energy_pj}
    for kind in ("mac", "add", "mul", "max"):
        if vec.supports(kind):
            per_op[f"alu_{kind}"] = vec.energy_pj(kind)
    for kind in ("exp", "div", "sqrt", "log"):
        if sfu.supports(kind):
            per_op[f"sfu_{kind}"] = sfu.energy_pj(kind)
    return Gpu(
        name=arch.name, generation=sec.generation, clock_hz=arch.clock_hz, sms=sec.sm_count,
        tc_flops_per_cycle_per_sm=MappingProxyType(rates),
        fp32_lanes_per_sm=vec.pes_per_instance * vec.op("add").ops_per_cycle,
        sfu_lanes_per_sm=sfu.pes_per_instance * sfu.op("exp").ops_per_cycle,
        issue_lanes_per_sm=sec.warp_schedulers_per_sm_count * sec.warp_size_threads,
        smem_bytes_per_sm=smem.size_bytes or 0.0,
        smem_bandwidth_bytes_per_cycle=smem.read_bandwidth_bytes_per_cycle,
        max_smem_per_cta_bytes=sec.max_smem_per_cta_bytes,
        registers_per_sm=sec.registers_per_sm_count,
        max_threads_per_sm=sec.max_threads_per_sm_count,
        max_ctas_per_sm=sec.max_ctas_per_sm_count,
        l2_bytes=l2.size_bytes or 0.0,
        l2_bandwidth_bytes_per_cycle=l2.read_bandwidth_bytes_per_cycle,
        hbm_bandwidth_bytes_per_cycle=hbm.read_bandwidth_bytes_per_cycle,
        hbm_nominal_bandwidth_bytes_per_s=_nominal(arch, hbm),
        sm_port_bandwidth_bytes_per_cycle=sec.sm_port_bandwidth_bytes_per_cycle,
        memory_latency_cycles=sec.memory_latency_cycles,
        launch_overhead_cycles=sec.kernel_launch_overhead_s * arch.clock_hz,
        loop_iteration_overhead_cycles=sec.loop_iteration_overhead_cycles,
        clock_fraction=sec.sustained_clock_fraction,
        mma_efficiency=sec.mma_issue_efficiency,
        l2_reuse_fraction=sec.l2_reuse_fraction,
        warpgroup_mma=sec.warpgroup_mma,
        levels=MappingProxyType({"hbm": hbm.name, "l2": l2.name, "smem": smem.name, "rf": rf.name}),
        energy_pj_per_byte=MappingProxyType({lv.name: lv.read_energy_pj_per_byte for lv in (hbm, l2, smem, rf)}),
        energy_pj_per_op=MappingProxyType(per_op),
    )


def _nominal(arch: Architecture, level) -> float:
    spec_fraction = level.read_bandwidth_bytes_per_cycle
    for name in ("hbm_bandwidth_bytes_per_s",):
        if name in arch.parameters:
            return float(arch.parameters[name])
    return spec_fraction * arch.clock_hz


def _unit(arch: Architecture, kind: str):
    for unit in arch.compute:
        if unit.kind == kind:
            return unit
    kinds = ", ".join(f"{u.name} ({u.kind})" for u in arch.compute) or "none"
    raise SimulationError(f"{arch.file}: the GPU model needs a compute unit of kind {kind!r} (one instance "
                          f"per SM); units: {kinds}")


def _level(arch: Architecture, name: str):
    try:
        return arch.level(name)
    except KeyError as exc:
        raise SimulationError(f"{arch.file}: gpu section names storage level {name!r}: {exc}") from None
