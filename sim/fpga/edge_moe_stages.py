"""Turn an Einsum cascade into Edge-MoE stages: bind units, fuse epilogues, count DDR bytes.

Binding: a weight product runs on the linear unit, an activation-by-activation product on
the attention unit, everything else on the vector unit; copies are views (no pass of their
own; readers fetch the viewed bytes). The mapping's ``units:`` overrides the binding.

Fusion: a vector Einsum joins the stage just before it when its largest activation input is
produced in that stage and every other activation input is produced there too or is at
least 8x smaller (a per-row statistic or a gate score). Otherwise it starts a pass of the
vector unit. Tensors produced and consumed inside one stage stay on chip; every other
activation crosses DDR once per stage that reads it; weights are read once per stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.fpga.edge_moe import (
    EdgeMoeDatapath,
    Stage,
    Unit,
    attention_cycles,
    linear_cycles,
    vector_cycles,
)
from sim.fpga.roles import MacShape, mac_shape
from workloads import Einsum, Workload

SIDE_INPUT_RATIO = 8
OUTSIDE_LAYERS = "other"
"""Layer label of Einsums not named L<k>_... (patch embedding, non-ViT workloads)."""


@dataclass
class _Open:
    leader: Einsum
    unit: Unit
    shape: MacShape | None
    members: list[Einsum] = field(default_factory=list)
    produced: set[str] = field(default_factory=set)


def build_stages(workload: Workload, dp: EdgeMoeDatapath, weights: frozenset[str],
                 units: Mapping[str, str]) -> tuple[Stage, ...]:
    groups: list[_Open] = []
    for einsum in workload.einsums:
        if einsum.is_copy and einsum.name not in units:
            continue
        shape = mac_shape(einsum, weights)
        unit = _unit(einsum, shape, units)
        current = groups[-1] if groups else None
        if unit is Unit.VECTOR and current is not None and _fuses(einsum, current, workload, weights):
            current.members.append(einsum)
            current.produced.add(einsum.output.tensor)
            continue
        groups.append(_Open(einsum, unit, shape, [einsum], {einsum.output.tensor}))
    readers = _readers(workload)
    return tuple(_stage(g, workload, dp, weights, readers) for g in groups)


def _readers(workload: Workload) -> dict[str, set[str]]:
    """Tensor -> names of the Einsums that read it."""
    out: dict[str, set[str]] = {}
    for einsum in workload.einsums:
        for tensor in einsum.input_tensors:
            out.setdefault(tensor, set()).add(einsum.name)
    return out


def _unit(einsum: Einsum, shape: MacShape | None, units: Mapping[str, str]) -> Unit:
    if einsum.name in units:
        return Unit(units[einsum.name])
    if shape is None:
        return Unit.VECTOR
    return Unit.LINEAR if shape.has_weight else Unit.ATTENTION


def _activation_inputs(einsum: Einsum, weights: frozenset[str]) -> list[str]:
    return [t for t in einsum.input_tensors if t not in weights]


def _fuses(einsum: Einsum, group: _Open, workload: Workload, weights: frozenset[str]) -> bool:
    inputs = _activation_inputs(einsum, weights)
    if not inputs:
        return False
    sizes = {t: workload.tensor(t).size_bytes for t in inputs}
    primary = max(inputs, key=lambda t: sizes[t])
    if primary not in group.produced:
        return False
    return all(t in group.produced or sizes[t] * SIDE_INPUT_RATIO <= sizes[primary] for t in inputs)


def _compute_cycles(group: _Open, dp: EdgeMoeDatapath) -> tuple[int, int]:
    """(cycles, MACs) of one pass: the leader's unit formula, never faster than the vector work."""
    leader, shape = group.leader, group.shape
    macs = shape.macs if shape is not None and group.unit is not Unit.VECTOR else 0
    if group.unit is Unit.LINEAR and shape is not None:
        cycles = linear_cycles(shape.groups, shape.tokens, shape.in_features, shape.out_features, dp)
    elif group.unit is Unit.ATTENTION and shape is not None:
        cycles = attention_cycles(shape.tokens, leader.points // max(1, shape.tokens), dp)
    else:
        cycles = vector_cycles(leader.points, dp)
    vector = max((vector_cycles(e.points, dp) for e in group.members[1:]), default=0)
    return max(cycles, vector), macs


def _stage(group: _Open, workload: Workload, dp: EdgeMoeDatapath, weights: frozenset[str],
           readers: Mapping[str, set[str]]) -> Stage:
    weight_tensors, reads = set(), set()
    for einsum in group.members:
        for tensor in einsum.input_tensors:
            if tensor in weights:
                weight_tensors.add(tensor)
            elif tensor not in group.produced:
                reads.add(tensor)
    writes = {t for t in group.produced if _leaves_group(t, group, workload, readers)}
    size = {t: workload.tensor(t).size_bytes for t in weight_tensors | reads | writes}
    cycles, macs = _compute_cycles(group, dp)
    streams = [size[t] for t in reads | writes]
    return Stage(
        name=group.leader.name, unit=group.unit, einsums=tuple(e.name for e in group.members),
        layer=_layer_label(group.leader.name), compute_cycles=cycles, macs=macs,
        weight_bytes=sum(size[t] for t in weight_tensors), read_bytes=sum(size[t] for t in reads),
        write_bytes=sum(size[t] for t in writes), largest_stream_bytes=max(streams, default=0.0),
        chunks=_chunks(group, workload),
    )


def _chunks(group: _Open, workload: Workload) -> int:
    """Expert-by-expert: a linear whose weight carries the group ranks runs one group at a time."""
    shape = group.shape
    if group.unit is not Unit.LINEAR or shape is None or not shape.has_weight or shape.groups <= 1:
        return 1
    return shape.groups


def _leaves_group(tensor: str, group: _Open, workload: Workload, readers: Mapping[str, set[str]]) -> bool:
    if workload.tensor(tensor).role == "output":
        return True
    inside = {e.name for e in group.members}
    return bool(readers.get(tensor, set()) - inside)


def _layer_label(name: str) -> str:
    head, sep, _ = name.partition("_")
    return head if sep and head[:1] == "L" and head[1:].isdigit() else OUTSIDE_LAYERS
