"""Plots of a validation report (altair): measured vs estimated, error per case, MAPE per family.

HTML is always written; it embeds the Vega libraries when ``vl-convert-python`` is
installed (then it works offline) and links them from a CDN otherwise. PNG files need
``vl-convert-python`` and are skipped without it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import altair as alt
import pandas as pd


def has_png_export() -> bool:
    return importlib.util.find_spec("vl_convert") is not None


def scatter(comparison: pd.DataFrame) -> alt.Chart:
    data = comparison.dropna(subset=["estimated_s"]).assign(
        measured_ms=lambda f: f["measured_s"] * 1e3, estimated_ms=lambda f: f["estimated_s"] * 1e3)
    lo = float(min(data["measured_ms"].min(), data["estimated_ms"].min())) if len(data) else 1e-3
    hi = float(max(data["measured_ms"].max(), data["estimated_ms"].max())) if len(data) else 1.0
    diagonal = alt.Chart(pd.DataFrame({"x": [lo, hi], "y": [lo, hi]})).mark_line(
        color="gray", strokeDash=[4, 4]).encode(x="x:Q", y="y:Q")
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(
        x=alt.X("measured_ms:Q", scale=alt.Scale(type="log"), title="measured (ms)"),
        y=alt.Y("estimated_ms:Q", scale=alt.Scale(type="log"), title="simulated (ms)"),
        color=alt.Color("family:N"), shape=alt.Shape("source:N"),
        tooltip=["case", "shape", "dtype", "source", "measured_ms", "estimated_ms",
                 alt.Tooltip("rel_error:Q", format="+.1%"), "bound", "notes"])
    return (diagonal + points).properties(title="Simulated vs measured latency (dashed: equal)",
                                          width=520, height=420)


def error_bars(comparison: pd.DataFrame) -> alt.Chart:
    data = comparison.dropna(subset=["rel_error"])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("rel_error:Q", title="relative error (simulated − measured) / measured", axis=alt.Axis(format="%")),
        y=alt.Y("case:N", sort=None, title=None, axis=alt.Axis(labelLimit=420)), color="family:N",
        tooltip=["case", "source", alt.Tooltip("rel_error:Q", format="+.1%"), "noisy", "notes"],
    ).properties(title="Error per case", width=520)


def mape_bars(summary: pd.DataFrame) -> alt.Chart:
    data = summary.dropna(subset=["mape"])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("family:N", title=None, axis=alt.Axis(labelAngle=0)), xOffset="source:N",
        y=alt.Y("mape:Q", title="MAPE", axis=alt.Axis(format="%")),
        color="source:N", tooltip=["family", "source", "cases", alt.Tooltip("mape:Q", format=".1%")],
    ).properties(title="Mean absolute percentage error per kernel family", width=520, height=260)


def write_plots(report, out_dir: str | Path) -> dict[str, Path]:
    """report.html (all charts) and, with vl-convert, one PNG per chart."""
    out = Path(out_dir)
    charts = {"scatter": scatter(report.comparison), "mape": mape_bars(report.summary),
              "errors": error_bars(report.comparison)}
    combined = alt.vconcat(charts["scatter"], charts["mape"], charts["errors"])
    files = {"html": out / "report.html"}
    png = has_png_export()
    combined.save(files["html"], inline=png)
    if png:
        for name, chart in charts.items():
            files[f"png_{name}"] = out / f"{name}.png"
            chart.save(files[f"png_{name}"], scale_factor=1.5)
    return files
