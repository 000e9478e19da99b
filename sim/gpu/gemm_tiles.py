"""cuBLAS-like tile choice for a contraction: try the allowed tiles, keep the fastest.

Rank roles come from the Einsum: output ranks only in the first operand are M, only in the
second are N, in both are batch; reduced ranks are K. The innermost M and N ranks get the
tile, other M/N/batch ranks a tile of 1. Split-K divides the K loop across CTAs and adds a
reduction kernel, as cuBLAS does for flat or deep GEMMs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.errors import SimulationError
from sim.gpu.mapping import GemmSpec
from sim.gpu.plan import KernelPlan
from workloads import Einsum


@dataclass(frozen=True)
class Roles:
    m: tuple[str, ...]
    n: tuple[str, ...]
    batch: tuple[str, ...]
    k: tuple[str, ...]


def roles(einsum: Einsum) -> Roles:
    if len(einsum.inputs) != 2 or not einsum.reduced_ranks:
        raise SimulationError(f"Einsum {einsum.name!r} is not a contraction of two tensors; "
                              "a 'gemm:' tile search needs one")
    a, b = (set(x.ranks) for x in einsum.inputs)
    out = einsum.output.ranks
    return Roles(tuple(r for r in out if r in a and r not in b), tuple(r for r in out if r in b and r not in a),
                 tuple(r for r in out if r in a and r in b), tuple(einsum.reduced_ranks))


def candidates(einsum: Einsum, spec: GemmSpec, base: KernelPlan) -> list[KernelPlan]:
    rl = roles(einsum)
    out = []
    k_inner = rl.k[-1]
    loop = {**{r: 1 for r in rl.k[:-1]}, k_inner: spec.k_step_elements}
    for bm in spec.m_tiles:
        for bn in spec.n_tiles:
            grid = {r: 1 for r in (*rl.batch, *rl.m[:-1], *rl.n[:-1])}
            if rl.m:
                grid[rl.m[-1]] = bm
            if rl.n:
                grid[rl.n[-1]] = bn
            for s in spec.split_k:
                split = k_inner if s > 1 else None
                out.append(base.with_tiles(grid, loop, split, s))
    return out


def best(plans: list[KernelPlan], evaluate: Callable[[KernelPlan], object]):
    """The plan with the smallest latency (combine kernels included) and its estimate."""
    scored = []
    for plan in plans:
        try:
            est = evaluate(plan)
        except SimulationError:
            continue
        total = est.latency_cycles + sum(x.latency_cycles for x in est.extra)
        scored.append((total, plan, est))
    if not scored:
        raise SimulationError("no GEMM tile fits the SM (shared memory, registers or threads)")
    _, plan, est = min(scored, key=lambda t: t[0])
    return plan, est
