"""Render a :class:`~sim.result.Result` as a rich table, JSON or long-format CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sim.result import Result

FORMATS = ("table", "json", "csv")
TEXT_TABLE_ROWS = 25


def emit_text(text: str, output: str | None) -> None:
    """Write ``text`` to ``output`` (and say so), or print it when no file is given."""
    if output:
        Path(output).write_text(text)
        print(f"wrote {output}")
    else:
        print(text)


def render(result: Result, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result.to_dict(), indent=2)
    if fmt == "csv":
        return to_csv(result)
    return to_text(result)


def to_csv(result: Result) -> str:
    """One row per number: section, item, quantity, value."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "quantity", "value"])
    writer.writerows(csv_rows(result))
    return out.getvalue()


def csv_rows(result: Result) -> Iterator[tuple]:
    yield ("summary", result.workload, "latency_cycles", result.latency_cycles)
    yield ("summary", result.workload, "latency_s", result.latency_s)
    yield ("summary", result.workload, "energy_pj", result.total_energy_pj)
    yield ("summary", result.workload, "bound", result.bound)
    for e in result.einsums:
        yield ("einsum", e.name, "unit", e.unit or "")
        yield ("einsum", e.name, "latency_cycles", e.latency_cycles)
        yield ("einsum", e.name, "compute_cycles", e.compute_cycles)
        yield ("einsum", e.name, "bound", e.bound)
        for kind, n in e.op_counts.items():
            yield ("einsum", e.name, f"ops_{kind}", n)
        for level, cycles in e.bandwidth_cycles.items():
            yield ("einsum", e.name, f"bandwidth_cycles_{level}", cycles)
        for t in e.traffic:
            yield ("einsum", e.name, f"read_bytes_{t.level}", t.read_bytes)
            yield ("einsum", e.name, f"write_bytes_{t.level}", t.write_bytes)
    for t in result.traffic:
        yield ("traffic", t.level, "read_bytes", t.read_bytes)
        yield ("traffic", t.level, "write_bytes", t.write_bytes)
    for part, pj in result.energy_pj.items():
        yield ("energy", part, "energy_pj", pj)
    for unit, u in result.utilization.items():
        yield ("utilization", unit, "utilization", u)
    for key, value in result.metrics.items():
        yield ("metric", result.workload, key, value)
    for name, rows in result.tables.items():
        for i, row in enumerate(rows):
            for key, value in row.items():
                yield (f"table:{name}", str(i), key, value)


def _num(value: float) -> str:
    if isinstance(value, str):
        return value
    if value == 0:
        return "0"
    if abs(value) >= 1e6 or abs(value) < 1e-3:
        return f"{value:.4g}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def _table(title: str, columns: list[str]) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i == 0 else "right")
    return table


def to_text(result: Result) -> str:
    console = Console(file=io.StringIO(), width=140, force_terminal=False, color_system=None)
    console.print(f"[bold]{result.workload}[/bold] on [bold]{result.arch}[/bold]   model: {result.model}")
    console.print(f"latency: {_num(result.latency_cycles)} cycles = {result.latency_s * 1e3:.6g} ms   "
                  f"energy: {_num(result.total_energy_pj / 1e6)} uJ   bound: {result.bound}")
    for table in _tables(result):
        console.print()
        console.print(table)
    for note in result.notes:
        console.print(f"note: {note}")
    return console.file.getvalue()


def _tables(result: Result) -> Iterator[Table]:
    if result.einsums:
        t = _table("Per Einsum", ["einsum", "unit", "ops", "compute cyc", "bandwidth cyc", "latency cyc", "bound"])
        for e in result.einsums:
            ops = ", ".join(f"{k} {_num(v)}" for k, v in e.op_counts.items()) or "no ops"
            bw = max(e.bandwidth_cycles.values(), default=0.0)
            t.add_row(e.name, e.unit or "-", ops, _num(e.compute_cycles), _num(bw), _num(e.latency_cycles), e.bound)
        yield t
    if result.traffic:
        t = _table("Traffic per memory level", ["level", "read bytes", "write bytes", "total bytes"])
        for lt in result.traffic:
            t.add_row(lt.level, _num(lt.read_bytes), _num(lt.write_bytes), _num(lt.total_bytes))
        yield t
    if result.energy_pj:
        t = _table("Energy per component", ["component", "energy pJ", "share"])
        total = result.total_energy_pj or 1.0
        for part, pj in sorted(result.energy_pj.items(), key=lambda kv: -kv[1]):
            t.add_row(part, _num(pj), f"{pj / total:.1%}")
        yield t
    if result.utilization:
        t = _table("Utilization per unit", ["unit", "utilization"])
        for unit, u in result.utilization.items():
            t.add_row(unit, f"{u:.1%}")
        yield t
    if result.metrics:
        t = _table("Metrics", ["metric", "value"])
        for key, value in result.metrics.items():
            t.add_row(key, _num(value) if isinstance(value, int | float) else str(value))
        yield t
    for name, rows in result.tables.items():
        if rows:
            yield _extra_table(name, rows)


def _extra_table(name: str, rows) -> Table:
    """A kind-specific table; long ones show their first rows (JSON/CSV carry all)."""
    cols = list(rows[0])
    hidden = max(0, len(rows) - TEXT_TABLE_ROWS)
    title = f"{name} (first {TEXT_TABLE_ROWS} of {len(rows)} rows; --format json or csv has all)" if hidden else name
    t = _table(title, cols)
    for row in rows[:TEXT_TABLE_ROWS]:
        t.add_row(*(_num(row[c]) if isinstance(row.get(c), int | float) else str(row.get(c, "")) for c in cols))
    return t
