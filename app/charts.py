"""Altair charts of the dashboard's DataFrames (see :mod:`app.frames`)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from app.roofline import Roofline


def einsum_cycles(frame: pd.DataFrame) -> alt.Chart:
    """Per Einsum: compute cycles next to each level's bandwidth cycles (the largest is the bound)."""
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("einsum:N", sort=None, title=None), yOffset="limit:N",
        x=alt.X("cycles:Q", title="cycles"), color=alt.Color("limit:N", title="limit"),
        tooltip=["einsum", "limit", alt.Tooltip("cycles:Q", format=",.0f")],
    ).properties(title="Cycles per Einsum: compute vs bandwidth per level")


def einsum_latency(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("einsum:N", sort=None, title=None), x=alt.X("latency_cycles:Q", title="latency (cycles)"),
        color=alt.Color("bound:N", title="bound"),
        tooltip=["einsum", "unit", "bound", alt.Tooltip("latency_cycles:Q", format=",.0f"),
                 alt.Tooltip("compute_cycles:Q", format=",.0f"), alt.Tooltip("bandwidth_cycles:Q", format=",.0f")],
    ).properties(title="Latency per Einsum (colour: what bounds it)")


def energy_components(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("component:N", sort="-x", title=None), x=alt.X("energy_pj:Q", title="energy (pJ)"),
        color=alt.Color("kind:N", title="kind"),
        tooltip=["component", "kind", alt.Tooltip("energy_pj:Q", format=".4g"), alt.Tooltip("share:Q", format=".1%")],
    ).properties(title="Energy per component (memory levels and compute units)")


def einsum_energy(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("einsum:N", sort=None, title=None), x=alt.X("sum(energy_pj):Q", title="energy (pJ)"),
        color=alt.Color("component:N", title="component"),
        tooltip=["einsum", "component", "kind", alt.Tooltip("energy_pj:Q", format=".4g")],
    ).properties(title="Energy per Einsum, by component")


def traffic_levels(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("level:N", sort=alt.EncodingSortField("order"), title=None),
        x=alt.X("bytes:Q", title="bytes"), color=alt.Color("direction:N", title=None),
        yOffset="direction:N",
        tooltip=["level", "direction", alt.Tooltip("bytes:Q", format=",.0f")],
    ).properties(title="Traffic per memory level (outermost first)")


def einsum_traffic(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_rect().encode(
        x=alt.X("level:N", sort=None, title=None), y=alt.Y("einsum:N", sort=None, title=None),
        color=alt.Color("bytes:Q", scale=alt.Scale(type="symlog"), title="bytes"),
        tooltip=["einsum", "level", alt.Tooltip("bytes:Q", format=",.0f")],
    ).properties(title="Bytes per Einsum and memory level")


def utilization(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("unit:N", sort=None, title=None),
        x=alt.X("utilization:Q", title="utilization", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        tooltip=["unit", alt.Tooltip("utilization:Q", format=".1%")],
    ).properties(title="Utilization per unit")


def roofline(model: Roofline) -> alt.LayerChart:
    log = alt.Scale(type="log")
    x = alt.X("intensity_ops_per_byte:Q", scale=log, title=f"ops per byte at {model.level}")
    y = alt.Y("ops_per_cycle:Q", scale=log, title="ops per cycle (mac = 1 op)")
    roofs = alt.Chart(model.roofs).mark_line(strokeDash=[6, 3]).encode(
        x=x, y=y, color=alt.Color("roof:N", title="roof"))
    points = alt.Chart(model.points).mark_point(filled=True, size=120).encode(
        x=x, y=y, shape=alt.Shape("unit:N", title="unit"),
        tooltip=["name", "unit", alt.Tooltip("intensity_ops_per_byte:Q", format=".4g"),
                 alt.Tooltip("ops_per_cycle:Q", format=".4g"), alt.Tooltip("ops:Q", format=".4g"),
                 alt.Tooltip("bytes:Q", format=".4g")])
    labels = alt.Chart(model.points).mark_text(align="left", dx=8, dy=-6).encode(x=x, y=y, text="name:N")
    return (roofs + points + labels).properties(title="Roofline position", height=380)


def gantt(rows: pd.DataFrame, span: tuple[float, float] | None = None) -> alt.Chart:
    scale = alt.Scale(zero=False) if span is None else alt.Scale(domain=list(span), zero=False)
    return alt.Chart(rows).mark_bar(stroke="white", strokeWidth=1).encode(
        y=alt.Y("unit:N", title=None), x=alt.X("start_cycle:Q", title="cycle", scale=scale),
        x2="end_cycle:Q",
        color=alt.Color("einsum:N", title="Einsum"),
        tooltip=["unit", "label", alt.Tooltip("start_cycle:Q", format=",.0f"),
                 alt.Tooltip("end_cycle:Q", format=",.0f"), alt.Tooltip("duration_cycles:Q", format=",.0f")],
    ).properties(title="Tile schedule per unit", height=alt.Step(36))


def compare_bars(frame: pd.DataFrame, category: str, value: str, title: str, fmt: str = ",.4g") -> alt.Chart:
    """Grouped bars: one bar per design within each category."""
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{category}:N", sort=None, title=None), yOffset="design:N",
        x=alt.X(f"{value}:Q", title=value), color=alt.Color("design:N", title="design"),
        tooltip=["design", category, alt.Tooltip(f"{value}:Q", format=fmt)],
    ).properties(title=title)


def pareto_scatter(rows: pd.DataFrame, keys: list[str], x: str, y: str, color: str, log: bool,
                   z: str | None = None):
    """Plotly scatter of design points (2-D, or 3-D with ``z``); the front drawn as diamonds."""
    import plotly.express as px

    shown = rows.assign(on_front=rows["front"].map({True: "Pareto-optimal", False: "dominated"}))
    hover = [c for c in ["point_id", *keys, "latency_s", "energy_pj", "area_um2", "bound"] if c in shown]
    symbols = {"Pareto-optimal": "diamond", "dominated": "circle"}
    if z is not None:
        return px.scatter_3d(shown, x=x, y=y, z=z, color=color, symbol="on_front", symbol_map=symbols,
                             hover_data=hover, log_x=log, log_y=log, log_z=log, title="Design points")
    figure = px.scatter(shown, x=x, y=y, color=color, symbol="on_front", symbol_map=symbols, hover_data=hover,
                        log_x=log, log_y=log, title="Design points (diamonds: Pareto front of the shown points)")
    figure.update_traces(marker={"size": 11, "line": {"width": 0.5, "color": "white"}})
    figure.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0,
                                 "title": None})
    return figure


def relative_bars(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("objective:N", title=None), yOffset="point:N", x=alt.X("relative:Q", title="relative to the best"),
        color=alt.Color("point:N", title=None), tooltip=["point", "objective", alt.Tooltip("relative:Q", format=".3f")],
    ).properties(title="Chosen points relative to the best of them (1 = best)")
