"""Text, JSON and CSV views of the FuseMax study."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence

from rich.console import Console
from rich.table import Table

from sim.reproduce.pareto import ParetoPoint
from sim.reproduce.study import Study, comparison


def _tokens(n: int) -> str:
    return f"{n >> 20}M" if n >= 1 << 20 and n % (1 << 20) == 0 else f"{n >> 10}K" if n % 1024 == 0 else str(n)


def _f(value: float, digits: int = 3) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}g}"


def _table(title: str, columns: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i < 2 else "right")
    return table


def point_rows(study: Study) -> Iterator[dict[str, object]]:
    """One flat record per model and length (the per-point table)."""
    for row in study.rows:
        fm = row.attention["fusemax"]
        flat = row.attention["flat"]
        rec: dict[str, object] = {
            "model": row.model.label, "tokens": row.tokens, "fusemax_latency_ms": fm.latency_s * 1e3,
            "speedup_vs_flat": row.speedup("flat"), "speedup_vs_unfused": row.speedup("unfused"),
            "cascade_vs_flat": row.speedup("flat", "cascade"),
            "architecture_vs_flat": row.speedup("flat", "architecture"),
            "energy_vs_flat": row.energy_ratio(),
            "fusemax_util2d": fm.utilization["PE2D"], "fusemax_util1d": fm.utilization["PE1D"],
            "flat_util2d": flat.utilization["PE2D"], "flat_util1d": flat.utilization["PE1D"],
            "flat_mapping": flat.mapping,
            "flat_row_tile": flat.tiles.get("R"), "fusemax_query_tile": fm.tiles.get("P1"),
        }
        if row.e2e:
            rec.update({"e2e_speedup_vs_flat": row.speedup("flat", table="e2e"),
                        "e2e_energy_vs_flat": row.energy_ratio(table="e2e")})
        yield rec


def to_text(study: Study, pareto: Sequence[ParetoPoint] = (), wall_s: float | None = None) -> str:
    console = Console(file=io.StringIO(), width=160, force_terminal=False, color_system=None)
    console.print("[bold]FuseMax vs FLAT[/bold] (MICRO 2024) reproduced on the Einsum-cascade engine; "
                  "speedups are latency ratios, energy is FuseMax / FLAT")
    e2e = bool(study.rows and study.rows[0].e2e)
    cols = ["model", "tokens", "FuseMax ms", "x FLAT", "x unfused", "+Cascade x", "+Arch x", "energy",
            "FM 2D", "FM 1D", "FLAT 2D", "FLAT 1D"] + (["e2e x FLAT", "e2e energy"] if e2e else [])
    t = _table("Attention per model and length (x: speedup over FLAT unless named)", cols)
    for rec in point_rows(study):
        cells = [str(rec["model"]), _tokens(int(rec["tokens"])), _f(rec["fusemax_latency_ms"], 4),
                 _f(rec["speedup_vs_flat"]), _f(rec["speedup_vs_unfused"]), _f(rec["cascade_vs_flat"]),
                 _f(rec["architecture_vs_flat"]), _f(rec["energy_vs_flat"]), _f(rec["fusemax_util2d"]),
                 _f(rec["fusemax_util1d"]), _f(rec["flat_util2d"]), _f(rec["flat_util1d"])]
        if e2e:
            cells += [_f(rec["e2e_speedup_vs_flat"]), _f(rec["e2e_energy_vs_flat"])]
        t.add_row(*cells)
    console.print(t)
    console.print()
    t = _table("Summary vs the paper", ["quantity", "", "paper", "measured", "rel. error"])
    for item in comparison(study.summary):
        err = item["relative_error"]
        t.add_row(str(item["quantity"]), "", _f(item["paper"]), _f(item["measured"]),
                  "n/a" if not math.isfinite(err) else f"{err:+.1%}")
    console.print(t)
    if pareto:
        console.print()
        t = _table("Pareto sweep: PE array N x N (1D: N)", ["design", "N", "area mm2", "latency s", "2D util",
                                                            "Pareto"])
        for p in pareto:
            t.add_row(p.design, str(p.array), _f(p.area_mm2, 4), _f(p.latency_s, 4), _f(p.util2d),
                      "*" if p.pareto_optimal else "")
        console.print(t)
    if wall_s is not None:
        console.print(f"wall time: {wall_s:.2f} s")
    return console.file.getvalue()


def to_markdown(study: Study, pareto: Sequence[ParetoPoint] = (), wall_s: float | None = None) -> str:
    """The same tables as :func:`to_text`, as Markdown (what docs/fusemax.md shows)."""
    e2e = bool(study.rows and study.rows[0].e2e)
    head = ["model", "tokens", "FuseMax ms", "x FLAT", "x unfused", "+Cascade x FLAT", "+Arch x FLAT",
            "energy FM/FLAT", "FM 2D", "FM 1D", "FLAT 2D", "FLAT 1D", "FLAT mapping"]
    head += ["e2e x FLAT", "e2e energy"] if e2e else []
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rec in point_rows(study):
        cells = [str(rec["model"]), _tokens(int(rec["tokens"])), _f(rec["fusemax_latency_ms"], 4)]
        cells += [_f(rec[k]) for k in ("speedup_vs_flat", "speedup_vs_unfused", "cascade_vs_flat",
                                       "architecture_vs_flat", "energy_vs_flat", "fusemax_util2d", "fusemax_util1d",
                                       "flat_util2d", "flat_util1d")]
        cells.append(str(rec["flat_mapping"]))
        if e2e:
            cells += [_f(rec["e2e_speedup_vs_flat"]), _f(rec["e2e_energy_vs_flat"])]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| quantity | paper | measured | relative error |", "|---|---|---|---|"]
    for item in comparison(study.summary):
        err = item["relative_error"]
        lines.append(f"| {item['quantity']} | {_f(item['paper'])} | {_f(item['measured'])} | "
                     f"{'n/a' if not math.isfinite(err) else f'{err:+.1%}'} |")
    if pareto:
        lines += ["", "| design | N | area mm^2 | latency s | 2D util | Pareto-optimal |", "|---|---|---|---|---|---|"]
        lines += [f"| {p.design} | {p.array} | {_f(p.area_mm2, 4)} | {_f(p.latency_s, 4)} | {_f(p.util2d)} | "
                  f"{'yes' if p.pareto_optimal else ''} |" for p in pareto]
    if wall_s is not None:
        lines += ["", f"Wall time of the run: {wall_s:.1f} s."]
    return "\n".join(lines) + "\n"


def to_json(study: Study, pareto: Sequence[ParetoPoint] = ()) -> str:
    return json.dumps({
        "points": list(point_rows(study)),
        "summary": dict(study.summary),
        "comparison": comparison(study.summary),
        "pareto": [p.__dict__ for p in pareto],
    }, indent=2, default=lambda v: None if isinstance(v, float) and not math.isfinite(v) else str(v))


def to_csv(study: Study) -> str:
    out = io.StringIO()
    records = list(point_rows(study))
    if records:
        writer = csv.DictWriter(out, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    return out.getvalue()
