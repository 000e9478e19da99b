"""Lower an attention Einsum cascade onto streaming units joined by FIFOs.

The Einsums decide the pipeline (see :mod:`sim.streaming.patterns`): each becomes a
unit, except that an elementwise unary Einsum is fused into its single producer and
the outputs of a running max (rescale factor, shifted score) are extra output
ports of the running-max unit. Inputs are streamed from memory by source units (a
per-key tensor is re-read for every row); outputs drain into sink units. FIFO
capacities come from the architecture's ``streaming.fifos`` rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from arch import Architecture
from arch.streaming import FIFO_VARIABLES, FifoRule, StreamingSection
from sim.streaming.graph import FifoSpec, InputPort, Mode, OutputPort, Pipeline, UnitSpec
from sim.streaming.patterns import PatternError, Ranks, StreamOp, classify, find_ranks
from specbase import SpecError
from specbase.expressions import ExpressionError, evaluate
from workloads import Workload

OP_OF_KIND = {"dot": "dot", "map": "map", "row_reduce": "row_reduce", "row_matvec": "row_reduce",
              "row_binary": "row_binary", "running_max": "running_max", "running_sum": "running_scale_add",
              "running_matvec": "running_scale_add", "binary": "binary"}
ROW_OUTPUT_KINDS = ("row_reduce", "row_matvec", "running_sum", "running_matvec")
DEFAULT_CAPACITY = 2


@dataclass
class _Draft:
    """A unit being assembled."""

    name: str
    kind: str
    per_element: bool
    inputs: list[tuple[str, str]]
    outputs: dict[str, str]
    params: dict[str, Any]
    post: tuple[str, ...] = ()
    einsums: list[str] = field(default_factory=list)


def lower(hardware: Architecture, w: Workload) -> Pipeline:
    """The streaming pipeline for ``w`` on ``hardware`` (kind: streaming)."""
    section: StreamingSection = hardware.section("streaming")
    try:
        ranks, score = find_ranks(w)
        drafts = _drafts(w, ranks, score)
    except PatternError as exc:
        path = _einsum_path(w, exc.einsum)
        raise SpecError.single(w.file, path, f"cannot lower to a streaming pipeline: {exc}",
                               allowed="dot products, row reductions, elementwise ops with per-row "
                                       "scalars, running max/sum updates, per-row elementwise ops") from None
    rows = w.batch_size * w.ranks[ranks.row]
    cols = w.ranks[ranks.stream]
    return _assemble(hardware, section, w, ranks, drafts, rows, cols)


def _einsum_path(w: Workload, name: str) -> str:
    for i, e in enumerate(w.einsums):
        if e.name == name:
            return f"einsums[{i}]"
    return "einsums"


def _drafts(w: Workload, ranks: Ranks, score) -> list[_Draft]:
    running_max: set[str] = set()
    ops: list[StreamOp] = []
    for e in w.einsums:
        if not e.inputs:
            continue
        op = classify(e, w, ranks, score, running_max)
        if op.kind == "running_max":
            running_max.add(op.output)
        ops.append(op)
    drafts: list[_Draft] = []
    by_tensor: dict[str, _Draft] = {}
    for op in ops:
        if op.kind == "running_max_output":
            _attach_running_output(op, by_tensor)
            continue
        if op.kind == "map" and _fusable(op, ops, by_tensor):
            producer = by_tensor[op.inputs[0][1]]
            producer.post += op.post
            producer.outputs = {port: (op.output if t == op.inputs[0][1] else t)
                                for port, t in producer.outputs.items()}
            producer.einsums.append(op.einsum)
            by_tensor[op.output] = producer
            continue
        draft = _Draft(op.einsum, op.kind, op.kind not in ("binary",), list(op.inputs),
                       {} if op.kind == "running_max" else {"out": op.output}, dict(op.params), op.post,
                       [op.einsum])
        drafts.append(draft)
        by_tensor[op.output] = draft
    for d in drafts:
        d.name = "+".join(d.einsums)
    return drafts


def _attach_running_output(op: StreamOp, by_tensor: dict[str, _Draft]) -> None:
    state = dict(op.inputs)["state"]
    unit = by_tensor[state]
    port = dict(op.params)["port"]
    if port in unit.outputs:
        raise PatternError(op.einsum, f"the running max {state} already has a {port} output")
    if port == "value" and dict(op.inputs)["a"] != unit.inputs[0][1]:
        raise PatternError(op.einsum, f"the shifted score must use the running max's own input "
                                      f"{unit.inputs[0][1]}")
    unit.outputs[port] = op.output
    unit.einsums.append(op.einsum)
    by_tensor[op.output] = unit


def _fusable(op: StreamOp, ops: list[StreamOp], by_tensor: dict[str, _Draft]) -> bool:
    source = op.inputs[0][1]
    if source not in by_tensor:
        return False
    readers = [o for o in ops if any(t == source for _, t in o.inputs)]
    return len(readers) == 1


@dataclass(frozen=True)
class _Wire:
    fifo: str
    tensor: str
    writer: str
    writer_port: str
    reader: str
    reader_port: str


def _wires(w: Workload, drafts: list[_Draft]) -> list[_Wire]:
    producer_of = {t: (d.name, port) for d in drafts for port, t in d.outputs.items()}
    wires = []
    for d in drafts:
        for port, tensor in d.inputs:
            writer, wport = producer_of.get(tensor, (f"read {tensor} for {d.name}", "out"))
            wires.append(_Wire(f"{tensor}:{writer}->{d.name}", tensor, writer, wport, d.name, port))
    for t in w.outputs:
        writer, wport = producer_of[t.name]
        wires.append(_Wire(f"{t.name}:{writer}->write {t.name}", t.name, writer, wport, f"write {t.name}", "a"))
    return wires


def _assemble(hardware: Architecture, section: StreamingSection, w: Workload, ranks: Ranks,
              drafts: list[_Draft], rows: int, cols: int) -> Pipeline:
    wires = _wires(w, drafts)
    drafted = {d.name for d in drafts}
    tensor_kind = {t: ranks.kind(w.tensor(t).ranks) for t in w.tensors}
    element_bytes = {t: _element_bytes(w, ranks, t) for t in w.tensors}
    sources = [_source(hardware, section, wire, tensor_kind[wire.tensor], rows, cols, element_bytes[wire.tensor])
               for wire in wires if wire.writer not in drafted]
    sinks = [_sink(hardware, section, wire, rows, element_bytes[wire.tensor])
             for wire in wires if wire.reader.startswith("write ")]
    units = [*sources,
             *(_unit(d, _timing(hardware, section, d.kind, d.post), rows, cols, wires, tensor_kind)
               for d in drafts),
             *sinks]
    by_name = {u.name: u for u in units}
    fifos = tuple(_fifo(hardware, section, w, wire, wires, by_name, rows) for wire in wires)
    return Pipeline(f"{w.name}@{hardware.name}", tuple(units), fifos)


def _timing(hardware: Architecture, section: StreamingSection, kind: str, post: tuple[str, ...]):
    if kind not in section.units:
        raise SpecError.single(hardware.file, f"streaming.units.{kind}",
                               f"the workload needs a {kind!r} unit but the architecture has none",
                               allowed=", ".join(section.units))
    base = section.units[kind]
    extra = 0
    for op in post:
        if op not in section.fused_op_latency_cycles:
            raise SpecError.single(hardware.file, f"streaming.fused_op_latency_cycles.{op}",
                                   f"a fused {op!r} needs its extra latency",
                                   allowed=", ".join(section.fused_op_latency_cycles) or "(none declared)")
        extra += section.fused_op_latency_cycles[op]
    return base.model_copy(update={"latency_cycles": base.latency_cycles + extra})


def _unit(d: _Draft, timing, rows: int, cols: int, wires: list[_Wire],
          tensor_kind: Mapping[str, str]) -> UnitSpec:
    unit_cols = cols if d.per_element else 1
    ins = []
    for port, tensor in d.inputs:
        fifo = next(x.fifo for x in wires if x.reader == d.name and x.reader_port == port)
        first = d.per_element and tensor_kind[tensor] == "row"
        ins.append(InputPort(fifo, Mode.FIRST if first else Mode.EVERY, port))
    out_mode = Mode.LAST if d.kind in ROW_OUTPUT_KINDS else Mode.EVERY
    outs = tuple(OutputPort(port, tuple(x.fifo for x in wires if x.writer == d.name and x.writer_port == port),
                            out_mode) for port in d.outputs)
    params = {"kind": d.kind, "post": d.post, **d.params}
    return UnitSpec(d.name, OP_OF_KIND[d.kind], rows, unit_cols, timing.initiation_interval_cycles,
                    timing.latency_cycles, tuple(ins), outs, timing.startup_cycles, timing.per_row_cycles,
                    MappingProxyType(params), tuple(d.einsums))


def _element_bytes(w: Workload, ranks: Ranks, tensor: str) -> float:
    """Bytes of one stream element: the tensor's vector ranks (not row, key or batch ranks)."""
    t = w.tensor(tensor)
    skip = {ranks.row, ranks.stream, *ranks.batch}
    return t.bits / 8 * math.prod(size for r, size in zip(t.ranks, t.shape, strict=True) if r not in skip)


def _source(hardware, section, wire: _Wire, kind: str, rows: int, cols: int, element_bytes: float) -> UnitSpec:
    timing = _timing(hardware, section, "source", ())
    count = rows * cols if kind == "key" else rows
    params = {"kind": "source", "tensor": wire.tensor, "per": kind, "element_bytes": element_bytes}
    return UnitSpec(wire.writer, "source", 1, count, timing.initiation_interval_cycles, timing.latency_cycles,
                    (), (OutputPort("out", (wire.fifo,)),), timing.startup_cycles, 0, MappingProxyType(params))


def _sink(hardware, section, wire: _Wire, rows: int, element_bytes: float) -> UnitSpec:
    timing = _timing(hardware, section, "sink", ())
    return UnitSpec(wire.reader, "sink", rows, 1, timing.initiation_interval_cycles, timing.latency_cycles,
                    (InputPort(wire.fifo, Mode.EVERY, "a"),), (), timing.startup_cycles, 0,
                    MappingProxyType({"kind": "sink", "tensor": wire.tensor, "element_bytes": element_bytes}))


def _role(wire: _Wire, wires: list[_Wire], units: Mapping[str, UnitSpec]) -> tuple[str, int]:
    """The FIFO's role, and for a bypass FIFO the latency of the reduction it waits for."""
    writer, reader = units[wire.writer], units[wire.reader]
    if writer.op == "source":
        return "source", 0
    if reader.op == "sink":
        return "sink", 0
    port = next(p for p in writer.outputs if wire.fifo in p.fifos)
    if port.mode is Mode.LAST or writer.cols == 1:
        return "row", 0
    if reader.params.get("kind") == "row_binary" and wire.reader_port == "a":
        scalar = next(x for x in wires if x.reader == reader.name and x.reader_port == "s")
        reducer = units[scalar.writer]
        feeds = [x for x in wires if x.reader == reducer.name and x.writer == wire.writer]
        if reducer.params.get("kind") in ROW_OUTPUT_KINDS and feeds:
            return "bypass", reducer.latency_cycles
    return "stream", 0


def _rule(section: StreamingSection, name: str, role: str) -> tuple[FifoRule, str]:
    """The most specific rule that sets the capacity, with its field path."""
    candidates = [(section.fifo_overrides.get(name), f"streaming.fifo_overrides.{name}"),
                  (section.fifos.get(role), f"streaming.fifos.{role}"),
                  (section.fifos.get("default"), "streaming.fifos.default")]
    for rule, path in candidates:
        if rule is not None and (rule.unbounded or rule.capacity_elements is not None):
            return rule, path
    return FifoRule(capacity_elements=DEFAULT_CAPACITY), "streaming.fifos.default"


def _latency(section: StreamingSection, name: str, role: str, field_name: str) -> int:
    for rule in (section.fifo_overrides.get(name), section.fifos.get(role), section.fifos.get("default")):
        if rule is not None and getattr(rule, field_name) is not None:
            return getattr(rule, field_name)
    return 1


def _fifo(hardware: Architecture, section: StreamingSection, w: Workload, wire: _Wire, wires: list[_Wire],
          units: Mapping[str, UnitSpec], rows: int) -> FifoSpec:
    role, reducer_latency = _role(wire, wires, units)
    rule, path = _rule(section, wire.fifo, role)
    writer, reader = units[wire.writer], units[wire.reader]
    port = next(p for p in writer.outputs if wire.fifo in p.fifos)
    elements = writer.produced(port)
    local = {"row_elements": max(1, elements // rows), "elements": elements,
             "producer_latency_cycles": writer.latency_cycles, "producer_ii_cycles": writer.ii_cycles,
             "consumer_latency_cycles": reader.latency_cycles, "consumer_ii_cycles": reader.ii_cycles,
             "reducer_latency_cycles": reducer_latency}
    capacity = None if rule.unbounded else _capacity(hardware, w, rule.capacity_elements, local, path, wire.fifo)
    return FifoSpec(wire.fifo, capacity, _latency(section, wire.fifo, role, "latency_cycles"),
                    _latency(section, wire.fifo, role, "response_latency_cycles"), role)


def _capacity(hardware: Architecture, w: Workload, value: int | str, local: Mapping[str, int], path: str,
              fifo: str) -> int:
    if isinstance(value, int):
        return value
    names = {k: v for k, v in {**hardware.parameters, **w.parameters, **local}.items()
             if isinstance(v, int | float)}
    try:
        result = evaluate(value, names)
    except ExpressionError as exc:
        raise SpecError.single(hardware.file, f"{path}.capacity_elements", f"FIFO {fifo!r}: {exc}",
                               allowed=", ".join([*FIFO_VARIABLES, *sorted(set(names) - set(local))])) from None
    if not isinstance(result, int | float) or result < 1 or int(result) != result:
        raise SpecError.single(hardware.file, f"{path}.capacity_elements",
                               f"FIFO {fifo!r}: capacity {value!r} evaluates to {result!r}",
                               allowed="a whole number >= 1, or null/unbounded")
    return int(result)
