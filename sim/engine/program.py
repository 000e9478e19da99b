"""The task program the schedule walks: phases of repeated bodies of tasks.

The root of the fusion tree runs its children one after another; each child is a
**phase**. A phase repeats a **body** ``iterations`` times: for a fusion group, one body
per iteration of the group's loops (nested groups are unrolled inside the body); for an
unfused Einsum, one task per iteration of its outermost-level loops.

Inside a body, a task depends on the latest earlier task of each Einsum that produces
one of its inputs (the previous sub-iteration for values carried across an iterative
rank; the previous body when the carried rank is a phase loop). Overlap modes:

- ``sequential``: each task also waits for the task before it;
- ``stall``: every task of a tile waits for all tasks of the previous tile;
- ``pipelined``: Einsums are put in pipeline stages (a stage ends where the work moves
  to another unit) and stage ``k`` works on tile ``t - k`` while stage 0 works on tile
  ``t``; units interleave the stages' work.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from sim.engine.costs import EinsumCost
from sim.engine.mapping import FusionGroup
from workloads import Workload
from workloads.shapes import is_loop_carried


@dataclass(frozen=True)
class Task:
    einsum: str
    unit: str
    load_cycles: float
    exec_cycles: float
    store_cycles: float
    deps: tuple[tuple[int, int], ...]
    buffer_of: tuple[int, int] | None
    lag: int
    dep_on_chip: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Phase:
    name: str
    iterations: int
    tasks: tuple[Task, ...]
    barrier: bool
    overlap: str


@dataclass(frozen=True)
class PhaseArrays:
    """A phase as flat arrays for the kernels."""

    unit: np.ndarray
    load: np.ndarray
    exec: np.ndarray
    store: np.ndarray
    lag: np.ndarray
    dep_ptr: np.ndarray
    dep_task: np.ndarray
    dep_off: np.ndarray
    dep_chip: np.ndarray
    buf_task: np.ndarray
    buf_off: np.ndarray
    units: tuple[str, ...]


def producers(workload: Workload, mapped: set[str]) -> dict[str, dict[str, bool]]:
    """Einsum -> {producer: carried?} over mapped Einsums (views and initializations excluded)."""
    writers: dict[str, list] = {}
    for e in workload.einsums:
        if e.name in mapped:
            writers.setdefault(e.output.tensor, []).append(e)
    out: dict[str, dict[str, bool]] = {}
    for reader in workload.einsums:
        if reader.name not in mapped:
            continue
        deps: dict[str, bool] = {}
        for read in reader.inputs:
            for writer in writers.get(read.tensor, ()):
                carried = any(is_loop_carried(r, w, workload.iterative_ranks)
                              for r, w in zip(read.indices, writer.output.indices, strict=False))
                deps[writer.name] = deps.get(writer.name, True) and carried
        out[reader.name] = deps
    return out


def build_phases(root: FusionGroup, costs: MappingABC[str, EinsumCost], workload: Workload,
                 double_buffering: bool) -> tuple[Phase, ...]:
    with _collector_paused():
        return _build_phases(root, costs, workload, double_buffering)


@contextlib.contextmanager
def _collector_paused():
    """Bodies of nested groups hold hundreds of thousands of tasks (tuples only, no cycles): the
    cyclic garbage collector would rescan them over and over while they are made."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_phases(root: FusionGroup, costs: MappingABC[str, EinsumCost], workload: Workload,
                  double_buffering: bool) -> tuple[Phase, ...]:
    prods = producers(workload, set(costs))
    outputs = {e.name: e.output.tensor for e in workload.einsums}
    phases = []
    for child in root.children:
        if isinstance(child, FusionGroup):
            iterations = math.prod(loop.factor for loop in child.loops)
            body = _unroll(child, costs, prods, (), True, workload.iterative_ranks)
            stride = carry_stride(child, workload.iterative_ranks) or 1
            body = [it._replace(stride=stride) if it.scope is None else it for it in body]
            barrier = child.overlap in ("stall", "sequential")
            phase = _finish(child.name, iterations, body, prods, barrier, child.overlap, double_buffering, outputs)
            phases.append(_with_fill_drain(phase, child.fill_drain_cycles))
        else:
            body = [_Item(child, costs[child], None, 0, 0, None)]
            phases.append(_finish(child, costs[child].tasks, body, prods, False, "pipelined", double_buffering,
                              outputs))
    return tuple(phases)


def _reads_on_chip(cost: EinsumCost, tensor: str) -> bool:
    return all(c.level != cost.outer for c in cost.counts if c.tensor == tensor)


class _Item(NamedTuple):
    """One task of the unrolled body: its sub-iteration ``sub`` in subgroup ``scope`` (a named
    tuple: bodies of nested groups hold one per sub-iteration, so it must be cheap to make)."""

    einsum: str
    cost: EinsumCost
    scope: tuple | None
    sub: int
    lag: int
    barrier_key: tuple | None
    stride: int = 1
    epoch: int = -1
    span: int = 0
    order: int = 0


def stages(children: list[str], costs: MappingABC[str, EinsumCost], prods) -> dict[str, int]:
    """Pipeline stage of each Einsum: +1 where work moves to another unit; values carried
    across the iterative rank are produced no later than the stage that reads them."""
    stage = dict.fromkeys(children, 0)
    position = {name: i for i, name in enumerate(children)}
    for _ in range(4 * len(children) + 4):
        changed = False
        for name in children:
            for p, carried in prods[name].items():
                if p not in stage:
                    continue
                if carried:
                    need = stage[p] - (1 if position[p] < position[name] else 0)
                else:
                    need = stage[p] + (costs[p].unit != costs[name].unit)
                if need > stage[name]:
                    stage[name] = need
                    changed = True
        if not changed:
            break
    return stage


def _unroll(group: FusionGroup, costs, prods, scope: tuple, top: bool, iterative: tuple[str, ...]) -> list[_Item]:
    """One body of ``group`` in issue order; nested groups are unrolled (and skewed if pipelined)."""
    names = [c for c in group.children if isinstance(c, str)]
    stage = stages(names, costs, prods) if group.overlap == "pipelined" else {}
    body: list[_Item] = []
    for child in group.children:
        if isinstance(child, FusionGroup):
            body += _subgroup(child, costs, prods, (*scope, len(body)), iterative)
        else:
            body.append(_Item(child, costs[child], None, 0, stage.get(child, 0) if top else 0, None))
    if top and group.overlap == "pipelined":
        body = _fold(body)
    return body


def _fold(body: list[_Item]) -> list[_Item]:
    """Software-pipeline across iterations of a pipelined group: the drain epochs of its
    pipelined subgroup run during the next iteration's fill epochs (one iteration later),
    and so do the tasks after the subgroup, which need the drained results."""
    scopes = {it.scope for it in body if it.epoch >= 0}
    if len(scopes) != 1:
        return body
    (scope,) = scopes
    first = next(i for i, it in enumerate(body) if it.scope == scope)
    last = max(i for i, it in enumerate(body) if it.scope == scope)
    inside = body[first:last + 1]
    if any(it.scope != scope for it in inside) or not any(it.epoch >= it.span for it in inside):
        return body
    def position(it: _Item) -> tuple[int, int]:
        return (it.epoch - it.span if it.epoch >= it.span else it.epoch, it.order)

    moved = [it._replace(lag=1) if it.epoch >= it.span else it for it in inside]
    after = [it._replace(lag=max(it.lag, 1)) for it in body[last + 1:]]
    return [*body[:first], *sorted(moved, key=position), *after]


def carry_stride(group: FusionGroup, iterative: tuple[str, ...]) -> int | None:
    """Iterations of the group's loops between two steps of its iterative-rank loop."""
    for i, loop in enumerate(group.loops):
        if loop.rank in iterative and loop.factor > 1:
            return math.prod(inner.factor for inner in group.loops[i + 1:])
    return None


def _subgroup(group: FusionGroup, costs, prods, scope: tuple, iterative: tuple[str, ...]) -> list[_Item]:
    n = math.prod(loop.factor for loop in group.loops)
    stride = carry_stride(group, iterative) or 1
    inner = _unroll(group, costs, prods, scope, False, iterative)
    names = [c for c in group.children if isinstance(c, str)]
    stage = stages(names, costs, prods) if group.overlap == "pipelined" else {}
    depth = max(stage.values(), default=0)
    stall = group.overlap == "stall"
    pipelined = group.overlap == "pipelined"
    sequential_key = (*scope, "seq") if group.overlap == "sequential" else None
    plan = [(item, stage.get(item.einsum, 0), item.scope is None,
             names.index(item.einsum) if item.scope is None else 0) for item in inner]
    out: list[_Item] = []
    for epoch in range(n + depth):
        for item, skew, own, order in plan:
            sub = epoch - skew
            if not 0 <= sub < n:
                continue
            if own:
                key = (*scope, sub) if stall else sequential_key
                out.append(_Item(item.einsum, item.cost, scope, sub, 0, key, stride, epoch if pipelined else -1, n,
                                 order))
            else:
                out.append(item)
    return out


def _finish(name: str, iterations: int, body: list[_Item], prods, barrier: bool, overlap: str,
            double_buffering: bool, outputs: dict[str, str]) -> Phase:
    """Attach dependencies and buffer predecessors to the unrolled body. A dependency on data the
    consumer reads on chip waits for the producer's compute, not for its store to the outer level."""
    costs = {it.einsum: it.cost for it in body}
    fixed = {e: (c.unit, c.load_cycles_per_task, c.exec_cycles_per_task, c.store_cycles_per_task)
             for e, c in costs.items()}
    on_chip = {(e, p): _reads_on_chip(costs[e], outputs[p]) for e in costs for p in costs}
    names = [it.einsum for it in body]
    where = {(it.einsum, it.scope, it.sub): i for i, it in enumerate(body)}
    top_index = {it.einsum: i for i, it in enumerate(body) if it.scope is None}
    final = {e: i for i, e in enumerate(names)}
    seen: dict[str, int] = {}
    members: dict[tuple, list[int]] = {}
    by_einsum: dict[str, list[int]] = {}
    for i, e in enumerate(names):
        by_einsum.setdefault(e, []).append(i)
    placed = dict.fromkeys(by_einsum, 0)
    depth = 2 if double_buffering else 1
    tasks = []
    for i, it in enumerate(body):
        e = it.einsum
        data = _deps(i, it, where, top_index, final, seen, prods)
        order = _barrier_deps(i, it, body, members)
        if overlap == "sequential" and it.scope is None and i > 0:
            order.append((i - 1, 0))
        if order:
            deps = tuple(dict.fromkeys(data + order))
            chip = tuple(d not in order and on_chip[e, names[d[0]]] for d in deps)
        else:
            deps = tuple(dict.fromkeys(data))
            chip = tuple(on_chip[e, names[d[0]]] for d in deps)
        seen[e] = i
        if it.barrier_key is not None:
            members.setdefault(it.barrier_key, []).append(i)
        buffer_of = _buffer_of(placed[e], by_einsum[e], depth)
        placed[e] += 1
        unit, load, exe, store = fixed[e]
        tasks.append(Task(e, unit, load, exe, store, deps, buffer_of, it.lag, chip))
    return Phase(name, iterations, tuple(tasks), barrier, overlap)


def _deps(i: int, it: _Item, where, top_index, final, seen, prods) -> list[tuple[int, int]]:
    deps = []
    for p, carried in prods[it.einsum].items():
        if it.scope is not None and (p, it.scope, 0) in where:
            key = (p, it.scope, it.sub - it.stride if carried else it.sub)
            if key in where:
                deps.append((where[key], 0))
        elif it.scope is None and p in top_index:
            deps.append((top_index[p], it.stride if carried else 1 if top_index[p] > i else 0))
        elif p in seen:
            deps.append((seen[p], 0))
        elif p in final:
            deps.append((final[p], 1))
    return deps


def _barrier_deps(i: int, it: _Item, body: list[_Item], members) -> list[tuple[int, int]]:
    """Stall: wait for every task of the previous sub-iteration; sequential: for the task before."""
    if it.barrier_key is None:
        return []
    if it.barrier_key[-1] == "seq":
        return [(i - 1, 0)] if i > 0 and body[i - 1].barrier_key == it.barrier_key else []
    previous = (*it.barrier_key[:-1], it.barrier_key[-1] - 1)
    return [(j, 0) for j in members.get(previous, ())]


def _with_fill_drain(phase: Phase, cycles: float) -> Phase:
    """Charge a group's fill and drain once per iteration, to the first task of its body."""
    if not cycles:
        return phase
    first = replace(phase.tasks[0], exec_cycles=phase.tasks[0].exec_cycles + cycles)
    return replace(phase, tasks=(first, *phase.tasks[1:]))


def _buffer_of(pos: int, same: list[int], depth: int) -> tuple[int, int]:
    """The task that used a task's input buffer ``depth`` tasks of the same Einsum ago
    (``pos``: the task's position among the tasks of its Einsum, ``same``)."""
    back = pos - depth
    return (same[back], 0) if back >= 0 else (same[back % len(same)], -(back // len(same)))


def phase_arrays(phase: Phase) -> PhaseArrays:
    tasks = phase.tasks
    units = tuple(dict.fromkeys(t.unit for t in tasks))
    uid = {u: i for i, u in enumerate(units)}
    ptr = np.zeros(len(tasks) + 1, dtype=np.int64)
    np.cumsum([len(t.deps) for t in tasks], out=ptr[1:])
    deps = [d for t in tasks for d in t.deps]
    chips = [c for t in tasks for c in _chip_flags(t)]
    buf = [t.buffer_of or (-1, 0) for t in tasks]
    return PhaseArrays(
        unit=np.array([uid[t.unit] for t in tasks], dtype=np.int64),
        load=np.array([t.load_cycles for t in tasks], dtype=np.float64),
        exec=np.array([t.exec_cycles for t in tasks], dtype=np.float64),
        store=np.array([t.store_cycles for t in tasks], dtype=np.float64),
        lag=np.array([t.lag for t in tasks], dtype=np.int64),
        dep_ptr=ptr,
        dep_task=np.array([d[0] for d in deps], dtype=np.int64),
        dep_off=np.array([d[1] for d in deps], dtype=np.int64),
        dep_chip=np.array(chips, dtype=np.bool_),
        buf_task=np.array([b[0] for b in buf], dtype=np.int64),
        buf_off=np.array([b[1] for b in buf], dtype=np.int64),
        units=units,
    )


def _chip_flags(task: Task) -> tuple[bool, ...]:
    if not task.dep_on_chip:
        return (False,) * len(task.deps)
    if len(task.dep_on_chip) != len(task.deps):
        raise ValueError(f"task {task.einsum!r} has {len(task.deps)} dependencies but "
                         f"{len(task.dep_on_chip)} dep_on_chip flags")
    return task.dep_on_chip
