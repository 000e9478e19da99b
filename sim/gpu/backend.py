"""GPU backend: ``run(arch, workload, mapping=None) -> Result``.

Each kernel of the mapping is timed by :mod:`sim.gpu.kernel`; kernels run back to back.
"""

from __future__ import annotations

from arch import Architecture
from sim.errors import SimulationError
from sim.gpu import gemm_tiles
from sim.gpu.hardware import Gpu, gpu_from_arch
from sim.gpu.kernel import KernelEstimate, evaluate
from sim.gpu.library import default_mapping
from sim.gpu.mapping import GpuMapping, KernelSpec, parse_gpu_mapping
from sim.gpu.plan import KernelPlan, plan_from_spec
from sim.gpu.report import build_result
from sim.gpu.tiles import is_tensor_core
from sim.result import Result
from workloads import Workload

MODEL = "GPU CTA/wave model (per-step unit times per SM, occupancy, waves, HBM/L2 bounds)"


def parse_mapping(doc, arch: Architecture, workload: Workload) -> GpuMapping:
    return parse_gpu_mapping(doc, arch, workload)


def run(arch: Architecture, workload: Workload, mapping: GpuMapping | None = None) -> Result:
    gpu = gpu_from_arch(arch)
    mapping = mapping or default_mapping(arch, workload)
    estimates = tuple(estimate_kernels(gpu, workload, mapping))
    name = mapping.name if mapping else "auto (one kernel per Einsum)"
    return build_result(gpu, arch, workload, estimates, name, MODEL)


def estimate_kernels(gpu: Gpu, workload: Workload, mapping: GpuMapping | None) -> list[KernelEstimate]:
    specs = list(mapping.spec.kernels) if mapping else []
    plans = _assign(workload, specs)
    kernel_of = {n: i for i, (p, _) in enumerate(plans) for n in p.einsums}
    out = []
    for i, (plan, spec) in enumerate(plans):
        outputs = _outputs(workload, plan, kernel_of, i)
        if spec is not None and spec.gemm is not None:
            tc = [workload.einsum(n) for n in plan.einsums if not workload.einsum(n).is_copy]
            cands = gemm_tiles.candidates(tc[0], spec.gemm, plan)
            _, est = gemm_tiles.best(cands, lambda p, o=outputs: evaluate(gpu, workload, p, o))
        else:
            est = evaluate(gpu, workload, plan, outputs)
        out.append(est)
    return out


def _assign(workload: Workload, specs: list[KernelSpec]) -> list[tuple[KernelPlan, KernelSpec | None]]:
    taken: set[str] = set()
    plans = []
    for spec in specs:
        names = [e.name for e in workload.einsums if e.name not in taken] if spec.einsums == "rest" \
            else list(spec.einsums)
        clash = taken & set(names)
        if clash:
            raise SimulationError(f"Einsums {', '.join(sorted(clash))} are mapped to two kernels")
        if not names:
            continue
        taken |= set(names)
        plans.append((plan_from_spec(spec, tuple(names)), spec))
    for e in workload.einsums:
        if e.name not in taken:
            plans.append(_auto_plan(workload, e))
            taken.add(e.name)
    return plans


def _auto_plan(workload: Workload, einsum) -> tuple[KernelPlan, KernelSpec | None]:
    if is_tensor_core(workload, einsum, {"fp16", "bf16", "fp8", "int8", "tf32"}):
        spec = KernelSpec(name=f"{einsum.name}_gemm", einsums=[einsum.name], gemm={}, overlap="max",
                          threads_per_cta=256, registers_per_thread=128, pipeline_stages=4)
        return plan_from_spec(spec, (einsum.name,)), spec
    out_ranks = list(einsum.output.ranks)
    sizes = einsum.rank_sizes
    if einsum.reduced_ranks:
        inner = einsum.reduced_ranks[-1]
        grid = {r: 1 for r in out_ranks}
        loop = {inner: min(sizes[inner], 4096), **{r: 1 for r in einsum.reduced_ranks[:-1]}}
    else:
        grid = {r: 1 for r in out_ranks}
        if out_ranks:
            grid[out_ranks[-1]] = min(sizes[out_ranks[-1]], 1024)
        loop = {}
    spec = KernelSpec(name=f"{einsum.name}_rowwise", einsums=[einsum.name], grid=grid, loop=loop,
                      overlap="max", threads_per_cta=256, registers_per_thread=64, pipeline_stages=4)
    return plan_from_spec(spec, (einsum.name,)), None


def _outputs(workload: Workload, plan: KernelPlan, kernel_of: dict[str, int], index: int) -> set[str]:
    """Tensors this kernel produces that the workload returns or another kernel reads."""
    produced = {workload.einsum(n).output.tensor for n in plan.einsums}
    out = {t for t in produced if workload.tensor(t).role == "output"}
    for e in workload.einsums:
        if kernel_of.get(e.name) != index:
            out |= produced & set(e.input_tensors)
    return out

