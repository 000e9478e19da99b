"""Compare page: two architectures on the same workload, side by side."""

import streamlit as st

from app import charts, frames, state
from app.result_view import headline
from app.widgets import parameter_editor, run_guarded, spec_picker

st.title("Compare")
st.caption("Two architectures on the same workload: headline numbers and every breakdown side by side.")
left, right = st.columns(2)
with left:
    st.subheader("Design A")
    arch_a = spec_picker("arch", "compare_a", "flat")
    items_a = parameter_editor("arch", arch_a, "compare_a")
with right:
    st.subheader("Design B")
    arch_b = spec_picker("arch", "compare_b", "fusemax")
    items_b = parameter_editor("arch", arch_b, "compare_b")
workload = spec_picker("workload", "compare_workload", "attention_1pass")
with st.expander("Workload parameters"):
    workload_items = parameter_editor("workload", workload, "compare")
ready = None not in (arch_a, arch_b, workload)
if st.button("Run both", type="primary", key="compare_run", disabled=not ready):
    designs = {}
    for label, arch_source, items in (("A", arch_a, items_a), ("B", arch_b, items_b)):
        design = run_guarded(arch_source=arch_source, workload_source=workload, items=items + workload_items)
        if design is not None:
            designs[f"{label}: {design.result.arch}"] = design
    st.session_state[state.COMPARE] = designs if len(designs) == 2 else None
designs = st.session_state.get(state.COMPARE)
if not designs:
    st.stop()

results = {label: d.result for label, d in designs.items()}
st.divider()
columns = st.columns(2)
for column, (label, design) in zip(columns, designs.items(), strict=True):
    with column:
        st.markdown(f"**{label}**")
        headline(design)
summary = frames.compare_summary(results)
st.dataframe(summary)
ratios = frames.compare_ratios(summary)
if not ratios.empty:
    st.dataframe(ratios, hide_index=True)
per_einsum = frames.compare_frame(results, frames.einsum_frame)
if not per_einsum.empty:
    st.altair_chart(charts.compare_bars(per_einsum, "einsum", "latency_cycles", "Latency per Einsum"),
                    width="stretch")
energy = frames.compare_frame(results, frames.energy_frame)
if not energy.empty:
    st.altair_chart(charts.compare_bars(energy, "component", "energy_pj", "Energy per component"), width="stretch")
traffic = frames.compare_frame(results, frames.traffic_frame)
if not traffic.empty:
    totals = traffic.groupby(["design", "level"], sort=False, as_index=False)["bytes"].sum()
    st.altair_chart(charts.compare_bars(totals, "level", "bytes", "Traffic per memory level (read + write)"),
                    width="stretch")
util = frames.compare_frame(results, frames.utilization_frame)
if not util.empty:
    st.altair_chart(charts.compare_bars(util, "unit", "utilization", "Utilization per unit", ".1%"), width="stretch")
