"""Kernel mapping presets and the default choice for a workload.

A workload may name its kernel with a ``kernel`` parameter (a file in ``sim/gpu/kernels``);
``auto`` or no parameter picks by workload name and GPU generation (FlashAttention-3 style
on Hopper, FlashAttention-4 style on Blackwell, FlashAttention-2 style on Ampere). Einsums no kernel takes get
a kernel each: contractions a cuBLAS-like tile search, the rest a row-wise kernel.
"""

from __future__ import annotations

from pathlib import Path

from arch import Architecture
from sim.errors import SimulationError
from sim.gpu.mapping import GpuMapping, parse_gpu_mapping
from specbase import load_document
from workloads import Workload

KERNELS_DIR = Path(__file__).parent / "kernels"

_GENERATIONS = ("blackwell", "hopper", "ampere")
_BY_WORKLOAD = {
    "flash_attention": ("fa4", "fa3", "fa2"),
    "attention_1pass": ("fa4", "fa3", "fa2"),
    "blasst": ("blasst_fa4", "blasst", "blasst"),
    "gemm": ("gemm",),
    "flat_gemm": ("flat_gemm",),
    "decode_attention": ("decode_split_kv",),
    "flash_decoding": ("flash_decoding",),
    "flashdecoding_pp": ("flashdecoding_pp",),
    "lean_attention": ("lean_attention",),
    "layernorm": ("rowwise",),
    "softmax_3pass": ("rowwise",),
    "softmax_3pass_reload": ("rowwise",),
    "softmax_2pass": ("rowwise",),
    "softmax_online": ("rowwise_blocked",),
}


def kernel_presets() -> list[str]:
    return sorted(p.stem for p in KERNELS_DIR.glob("*.yaml"))


def default_kernel_name(arch: Architecture, workload: Workload) -> str | None:
    asked = str(workload.parameters.get("kernel", "auto"))
    if asked != "auto":
        if asked not in kernel_presets():
            raise SimulationError(f"{workload.file}: parameters.kernel {asked!r} is not a GPU kernel preset; "
                                  f"allowed: auto, {', '.join(kernel_presets())}")
        return asked
    choice = _BY_WORKLOAD.get(workload.name)
    if choice is None:
        return None
    if len(choice) == 1:
        return choice[0]
    return choice[_GENERATIONS.index(arch.section("gpu").generation)]


def default_mapping(arch: Architecture, workload: Workload) -> GpuMapping | None:
    name = default_kernel_name(arch, workload)
    if name is None:
        return None
    return load_kernel_preset(name, arch, workload)


def load_kernel_preset(name: str, arch: Architecture, workload: Workload) -> GpuMapping:
    return parse_gpu_mapping(load_document(KERNELS_DIR / f"{name}.yaml"), arch, workload)
