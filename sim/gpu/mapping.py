"""GPU kernel mappings: which Einsums a kernel fuses, CTA tiles, loop, occupancy, overlap.

A mapping file lists kernels. Each kernel takes a set of Einsums of the workload and
describes one CTA: ``grid`` ranks are split across CTAs (tile per CTA), ``loop`` ranks are
walked inside the CTA (elements per main-loop step); every other rank is whole in the
CTA. Strings may use ``${expr}`` over the arch and workload parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from specbase import Document, SpecError, validate_model
from specbase.errors import Problem
from specbase.parameters import substitute_templates
from specbase.types import NonNegNum, PosInt, PosNum

FROZEN = ConfigDict(frozen=True, extra="forbid")
Overlap = Literal["sum", "max", "pipes"]
Combine = Literal["reduce_kernel", "atomic", "stream_k"]


class CausalSpec(BaseModel):
    """Causal mask between a query rank (grid) and a key rank (loop): skip fully masked steps."""

    model_config = FROZEN
    enabled: bool = Field(True, description="Apply the mask.")
    query_rank: str = Field(description="Grid rank holding query positions (e.g. p).")
    key_rank: str = Field(description="Loop rank holding key blocks or key positions (e.g. m1 or m).")
    key_block_elements: PosInt = Field(description="Key positions covered by one step of key_rank.")


class SkipSpec(BaseModel):
    """BLASST-style block skipping: a fraction of loop steps skips some Einsums and loads."""

    model_config = FROZEN
    fraction: NonNegNum = Field(description="Fraction of (row block, key block) steps skipped, 0..1.")
    einsums: list[str] = Field(default_factory=list, description="Einsums not executed in a skipped step.")
    tensors: list[str] = Field(default_factory=list, description="Input tensors not loaded in a skipped step.")


class SplitSpec(BaseModel):
    """Split a loop rank across CTAs (split-KV / split-K) and how the partial results meet."""

    model_config = FROZEN
    rank: str = Field(description="Loop rank whose steps are divided among splits.")
    count: PosInt | Literal["auto"] = Field(description="Number of splits; 'auto' runs the flash-attention "
                                            "num_splits_heuristic (gpu.md §5).")
    combine: Combine = Field("reduce_kernel", description="reduce_kernel: partial O + LSE, separate rescale "
                             "kernel (FlashDecoding); atomic: partial sums added in L2, no max exchange "
                             "(FlashDecoding++ unified max); stream_k: balanced persistent tiles, host "
                             "CTA merges partials (LeanAttention).")
    max_splits: PosInt = Field(128, description="Upper limit for 'auto'.")


class GemmSpec(BaseModel):
    """Let the model choose the tile like a cuBLAS heuristic (smallest modelled time)."""

    model_config = FROZEN
    m_tiles: list[PosInt] = Field(default_factory=lambda: [64, 128, 256],
                                  description="Allowed CTA tile sizes along M (8 or 16: flat-GEMM padding).")
    n_tiles: list[PosInt] = Field(default_factory=lambda: [64, 128, 256], description="Allowed tiles along N.")
    k_step_elements: PosInt = Field(64, description="K elements per main-loop step.")
    split_k: list[PosInt] = Field(default_factory=lambda: [1, 2, 4, 8, 16], description="Split-K factors tried.")


class KernelSpec(BaseModel):
    """One kernel launch."""

    model_config = FROZEN
    name: str = Field(description="Kernel name shown in the per-kernel table.")
    einsums: list[str] | Literal["rest"] = Field("rest", description="Einsums fused in this kernel, or 'rest' "
                                                 "for every Einsum no earlier kernel took.")
    grid: dict[str, PosInt] = Field(default_factory=dict, description="Rank -> elements per CTA (split "
                                    "across CTAs); tiles are padded (tile quantization).")
    loop: dict[str, PosInt] = Field(default_factory=dict, description="Rank -> elements per main-loop step.")
    gemm: GemmSpec | None = Field(None, description="Choose grid/loop for a contraction automatically.")
    overlap: Overlap = Field("max", description="How units overlap inside an SM: sum (FA2-like, phases "
                             "serialize: max(TC, SMEM) + exp + ALU), max (warp-specialized, FA3-like: "
                             "max(TC, exp + ALU, SMEM)) or pipes (FA4-like: MUFU and FP32 pipes also overlap, "
                             "limited by warp-instruction issue).")
    exp_emulation_fraction: NonNegNum | Literal["auto"] = Field(
        0.0, description="Fraction of exps computed in software on the FP32 lanes (FA4: Cody-Waite range "
        "reduction + polynomial) instead of MUFU; 'auto' picks the fraction that minimizes the step time.")
    exp_emulation_alu_ops: PosNum = Field(7.0, description="FP32-lane ops per emulated exp (range reduction 2, "
                                          "degree-3 polynomial 3, exponent insert 2).")
    ctas_per_sm: PosInt | None = Field(None, description="Resident CTAs per SM (default: from resources).")
    threads_per_cta: PosInt = Field(128, description="Threads per CTA.")
    registers_per_thread: PosInt = Field(128, description="Registers per thread (occupancy limit).")
    pipeline_stages: PosInt = Field(2, description="Loads in flight per CTA (multi-buffering depth).")
    smem_operand_reads: PosNum = Field(1.0, description="Times each SMEM-staged tensor-core operand tile is "
                                       "read from SMEM per step (e.g. 2 when two consumer warpgroups share it).")
    invariant_operand_smem_reads: NonNegNum = Field(1.0, description="Times per step a loop-invariant "
                                                    "tensor-core operand (Q) is read from SMEM (0: held in registers).")
    keep_resident: bool = Field(True, description="Keep tensors re-read by later passes in SMEM when they fit.")
    causal: CausalSpec | None = Field(None, description="Causal mask (prefill attention).")
    skip: SkipSpec | None = Field(None, description="Block skipping (BLASST).")
    split: SplitSpec | None = Field(None, description="Split a loop rank across CTAs.")


class MappingSpec(BaseModel):
    model_config = FROZEN
    name: str = Field(description="Name of the mapping.")
    description: str = Field("", description="Free text.")
    sources: list[str] = Field(default_factory=list, description="Where the kernel structure comes from.")
    kernels: list[KernelSpec] = Field(min_length=1, description="Kernel launches, in order.")


@dataclass(frozen=True)
class GpuMapping:
    """A validated mapping; ``file`` is kept for error messages."""

    spec: MappingSpec
    file: str

    @property
    def name(self) -> str:
        return self.spec.name


def template_params(arch, workload) -> dict[str, Any]:
    params = {**dict(arch.parameters), **dict(workload.parameters)}
    params.setdefault("sms", arch.section("gpu").sm_count)
    params.setdefault("causal", 0)
    params.setdefault("sparsity", 0)
    if "block_n" not in params and "M0" in params:
        params["block_n"] = params["M0"]
    return params


def parse_gpu_mapping(doc: Document, arch, workload) -> GpuMapping:
    params = template_params(arch, workload)
    data = substitute_templates(doc.data, params, doc.file, skip=())
    spec = validate_model(MappingSpec, doc, data, params)
    _check_names(doc, spec, workload)
    return GpuMapping(spec, doc.file)


def _check_names(doc: Document, spec: MappingSpec, workload) -> None:
    names = [e.name for e in workload.einsums]
    ranks = set(workload.ranks) | set(workload.batch_ranks)
    problems = []
    for i, k in enumerate(spec.kernels):
        where = f"kernels[{i}]"
        if k.einsums != "rest":
            problems += [_p(doc, f"{where}.einsums", f"unknown Einsum {n!r}", ", ".join(names))
                         for n in k.einsums if n not in names]
        for field in ("grid", "loop"):
            problems += [_p(doc, f"{where}.{field}.{r}", f"unknown rank {r!r}", ", ".join(sorted(ranks)))
                         for r in getattr(k, field) if r not in ranks]
        if k.split and k.split.rank not in k.loop:
            problems.append(_p(doc, f"{where}.split.rank", f"{k.split.rank!r} is not a loop rank",
                               ", ".join(k.loop) or "(no loop ranks)"))
        if k.causal and k.causal.enabled:
            if k.causal.query_rank not in k.grid:
                problems.append(_p(doc, f"{where}.causal.query_rank", "must be a grid rank", ", ".join(k.grid)))
            if k.causal.key_rank not in k.loop:
                problems.append(_p(doc, f"{where}.causal.key_rank", "must be a loop rank", ", ".join(k.loop)))
        if k.split and k.causal and k.causal.enabled:
            problems.append(_p(doc, f"{where}.split", "split and causal together are not modelled",
                               "either split (decode) or causal (prefill)"))
        if k.skip:
            if not 0 <= k.skip.fraction < 1:
                problems.append(_p(doc, f"{where}.skip.fraction", f"{k.skip.fraction} is outside [0, 1)",
                                   "0 <= fraction < 1"))
            problems += [_p(doc, f"{where}.skip.einsums", f"unknown Einsum {n!r}", ", ".join(names))
                         for n in k.skip.einsums if n not in names]
            problems += [_p(doc, f"{where}.skip.tensors", f"unknown tensor {n!r}", ", ".join(workload.tensors))
                         for n in k.skip.tensors if n not in workload.tensors]
    if problems:
        raise SpecError(problems)


def _p(doc: Document, path: str, message: str, allowed: str | None = None) -> Problem:
    return Problem(doc.file, path, message, doc.line_of(path), allowed)

