"""A kernel with every choice made: concrete tiles, split count, occupancy request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from sim.gpu.mapping import CausalSpec, KernelSpec, SkipSpec


@dataclass(frozen=True)
class KernelPlan:
    name: str
    einsums: tuple[str, ...]
    grid: Mapping[str, int]
    loop: Mapping[str, int]
    overlap: str
    ctas_per_sm: int | None
    threads_per_cta: int
    registers_per_thread: int
    pipeline_stages: int
    smem_operand_reads: float
    invariant_operand_smem_reads: float
    keep_resident: bool
    causal: CausalSpec | None
    skip: SkipSpec | None
    split_rank: str | None = None
    split_count: int | str = 1
    split_combine: str = "reduce_kernel"
    max_splits: int = 128
    exp_emulation_fraction: float | str = 0.0
    exp_emulation_alu_ops: float = 7.0

    def with_tiles(self, grid: Mapping[str, int], loop: Mapping[str, int], split_rank: str | None,
                   split_count: int) -> KernelPlan:
        return replace(self, grid=dict(grid), loop=dict(loop), split_rank=split_rank, split_count=split_count)


def plan_from_spec(spec: KernelSpec, einsums: tuple[str, ...]) -> KernelPlan:
    split = spec.split
    causal = spec.causal if spec.causal and spec.causal.enabled else None
    return KernelPlan(
        name=spec.name, einsums=einsums, grid=dict(spec.grid), loop=dict(spec.loop), overlap=spec.overlap,
        ctas_per_sm=spec.ctas_per_sm, threads_per_cta=spec.threads_per_cta,
        registers_per_thread=spec.registers_per_thread, pipeline_stages=spec.pipeline_stages,
        smem_operand_reads=spec.smem_operand_reads,
        invariant_operand_smem_reads=spec.invariant_operand_smem_reads, keep_resident=spec.keep_resident, causal=causal,
        skip=spec.skip if spec.skip and spec.skip.fraction > 0 else None,
        split_rank=split.rank if split else None, split_count=split.count if split else 1,
        split_combine=split.combine if split else "reduce_kernel", max_splits=split.max_splits if split else 128,
        exp_emulation_fraction=spec.exp_emulation_fraction, exp_emulation_alu_ops=spec.exp_emulation_alu_ops,
    )
