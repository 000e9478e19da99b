"""Run page: pick or upload an architecture and a workload, set parameters, see the result."""

import streamlit as st

from app import state
from app.result_view import show_result
from app.widgets import mapping_picker, parameter_editor, run_guarded, spec_picker
from sim.api import MODELS

with st.sidebar:
    st.header("Design")
    arch_source = spec_picker("arch", "run_arch", "teaching_array")
    workload_source = spec_picker("workload", "run_workload", "gemm")
    with st.expander("Parameters", expanded=True):
        items = (parameter_editor("arch", arch_source, "run", per_row=2)
                 + parameter_editor("workload", workload_source, "run", per_row=2))
        if items:
            st.caption("Overrides: " + "  ".join(f"`--set {i}`" for i in items))
    model = st.selectbox("Model", MODELS, key="run_model",
                         help="'auto' picks the model for the arch kind; 'first-order' forces the roofline model")
    mapping_source = mapping_picker("run")
    ready = arch_source is not None and workload_source is not None
    clicked = st.button("Run", type="primary", disabled=not ready, key="run_button", width="stretch")

st.title("Run")
if clicked:
    with st.spinner("Simulating..."):
        design = run_guarded(arch_source=arch_source, workload_source=workload_source, items=items,
                             mapping_source=mapping_source, model=model)
    if design is None:
        state.clear_design()
    else:
        state.set_design(design, "Run form")
design = state.current_design()
if design is None:
    if not clicked:
        st.info("Choose an architecture and a workload in the sidebar (a preset, an uploaded YAML file or an "
                "edited copy of a preset), set parameters, then press Run.")
else:
    origin = st.session_state.get(state.DESIGN_ORIGIN, "")
    if origin:
        st.caption(f"Showing: {origin}")
    show_result(design, "run")
