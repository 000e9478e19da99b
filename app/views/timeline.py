"""Timeline page: the tile schedule of a run as a Gantt chart per unit, a window at a time."""

import math

import streamlit as st

from app import charts, schedule, state
from app.widgets import run_guarded, spec_picker

MAX_ROWS = 2000

st.title("Timeline")
design = state.current_design()
with st.expander("Run a design here", expanded=design is None):
    left, right = st.columns(2)
    arch_source = spec_picker("arch", "timeline_arch", "fusemax", left)
    workload_source = spec_picker("workload", "timeline_workload", "attention_1pass", right)
    if st.button("Run", key="timeline_run", disabled=arch_source is None or workload_source is None):
        ran = run_guarded(arch_source=arch_source, workload_source=workload_source)
        if ran is not None:
            state.set_design(ran, "Timeline page")
            design = ran
if design is None:
    st.info("Run a design (here or on the Run page) to see its tile schedule.")
    st.stop()

result = design.result
st.caption(f"{result.workload} on {result.arch}: {st.session_state.get(state.DESIGN_ORIGIN, '')}")
chart_data = schedule.gantt(result)
if not chart_data.available:
    st.warning(f"No timeline for this run: {chart_data.reason}.")
    st.stop()

rows = chart_data.rows
walked, total = result.metrics.get("tasks_walked"), result.metrics.get("tasks_total")
cols = st.columns(4)
cols[0].metric("intervals recorded", f"{len(rows):,}")
cols[1].metric("units", rows["unit"].nunique())
cols[2].metric("run latency", f"{result.latency_cycles:,.0f} cycles")
cols[3].metric("last recorded end", f"{rows['end_cycle'].max():,.0f} cycles")
if walked is not None and total is not None and walked < total:
    st.caption(f"The engine walked {walked:,} of {total:,} tile tasks and extrapolated the periodic steady state; "
               "the chart shows the walked tasks (the recorded window of the schedule).")
lo, hi = int(rows["start_cycle"].min()), math.ceil(rows["end_cycle"].max())
first, last = schedule.default_window(rows)
span = (st.slider("Window (cycles)", lo, hi, (int(first), math.ceil(last)), key="timeline_window")
        if hi > lo else (lo, hi))
limit = st.number_input("Most intervals drawn", 10, 100_000, MAX_ROWS, step=100, key="timeline_limit")
shown = schedule.window(rows, span[0], span[1], int(limit))
st.altair_chart(charts.gantt(shown, span), width="stretch")
st.caption(f"{len(shown):,} intervals in the window (of {len(rows):,} recorded), source table: {chart_data.source}")
st.dataframe(schedule.busy_by_unit(shown), hide_index=True)
with st.expander("Intervals"):
    st.dataframe(shown, hide_index=True)
