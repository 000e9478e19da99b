"""How one result is shown: headline numbers, breakdown charts, tables and downloads."""

from __future__ import annotations

import re

import streamlit as st

from app import charts, frames
from app.roofline import roofline
from app.sources import Design
from app.units import si
from sim.report import render

TABS = ("Per Einsum", "Energy", "Memory", "Utilization", "Roofline", "Tables", "Download")


def headline(design: Design) -> None:
    result = design.result
    row = st.container(horizontal=True, gap="medium")
    row.metric("latency", si(result.latency_s, "s"), width="content")
    row.metric("cycles", f"{result.latency_cycles:,.0f}", width="content")
    row.metric("energy", si(result.total_energy_pj * 1e-12, "J") if result.energy_pj else "not modelled",
               width="content")
    row.metric("area", f"{result.total_area_um2 / 1e6:.3g} mm²" if result.total_area_um2 else "not modelled",
               width="content")
    row.metric("bound", result.bound, width="content")
    st.caption(f"{result.workload} on {result.arch} ({design.hardware.kind}); bound: {result.bound}; "
               f"model: {result.model}")
    for note in result.notes:
        st.caption(f"note: {note}")


def show_result(design: Design, key: str) -> None:
    headline(design)
    tabs = st.tabs(list(TABS))
    with tabs[0]:
        _per_einsum(design)
    with tabs[1]:
        _energy(design)
    with tabs[2]:
        _memory(design)
    with tabs[3]:
        _utilization(design)
    with tabs[4]:
        _roofline(design)
    with tabs[5]:
        _tables(design)
    with tabs[6]:
        _downloads(design, key)


def _per_einsum(design: Design) -> None:
    table = frames.einsum_frame(design.result)
    if table.empty:
        st.info("This model reports no per-Einsum breakdown.")
        return
    st.altair_chart(charts.einsum_latency(table), width="stretch")
    st.altair_chart(charts.einsum_cycles(frames.einsum_cycles_long(design.result)), width="stretch")
    st.dataframe(table, hide_index=True)
    st.caption("Per compute unit")
    st.dataframe(frames.unit_latency_frame(design.result), hide_index=True)


def _energy(design: Design) -> None:
    energy = frames.energy_frame(design.result, design.hardware)
    if energy.empty:
        st.info(f"The {_model_name(design)} model does not estimate energy.")
        return
    st.altair_chart(charts.energy_components(energy), width="stretch")
    per_einsum = frames.einsum_energy_long(design.result, design.hardware)
    if not per_einsum.empty:
        st.altair_chart(charts.einsum_energy(per_einsum), width="stretch")
    st.dataframe(energy, hide_index=True)


def _memory(design: Design) -> None:
    traffic = frames.traffic_frame(design.result)
    if traffic.empty:
        st.info(f"The {_model_name(design)} model reports no memory traffic.")
        return
    st.altair_chart(charts.traffic_levels(traffic), width="stretch")
    per_einsum = frames.einsum_traffic_long(design.result)
    if not per_einsum.empty:
        st.altair_chart(charts.einsum_traffic(per_einsum), width="stretch")
    st.dataframe(traffic.drop(columns="order"), hide_index=True)


def _utilization(design: Design) -> None:
    util = frames.utilization_frame(design.result)
    if util.empty:
        st.info(f"The {_model_name(design)} model reports no utilization.")
        return
    st.altair_chart(charts.utilization(util), width="stretch")
    st.dataframe(util, hide_index=True)


def _roofline(design: Design) -> None:
    model = roofline(design.result, design.hardware, design.workload)
    if not model.available:
        st.info(f"No roofline: {model.reason}.")
        return
    st.altair_chart(charts.roofline(model), width="stretch")
    st.caption(f"Memory roof: {model.level} read bandwidth {model.bandwidth_bytes_per_cycle:,.4g} B/cycle; "
               "compute roofs: each unit's peak of its main op at the workload's dtype.")
    st.dataframe(model.points, hide_index=True)


def _tables(design: Design) -> None:
    st.dataframe(frames.metrics_frame(design.result), hide_index=True)
    for name, rows in design.result.tables.items():
        if rows:
            st.caption(f"table: {name} ({len(rows)} rows)")
            st.dataframe(frames.table_frame(rows), hide_index=True)


def _downloads(design: Design, key: str) -> None:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{design.result.workload}_on_{design.result.arch}")
    st.download_button("Download JSON", render(design.result, "json"), f"{stem}.json", "application/json",
                       key=f"{key}_json")
    st.download_button("Download CSV", render(design.result, "csv"), f"{stem}.csv", "text/csv", key=f"{key}_csv")


def _model_name(design: Design) -> str:
    return design.result.model.split(" (")[0]
