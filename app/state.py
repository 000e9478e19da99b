"""Session-state keys shared between pages."""

from __future__ import annotations

import streamlit as st

from app.sources import Design

DESIGN = "run_design"
DESIGN_ORIGIN = "run_design_origin"
SWEEP_ROWS = "explore_rows"
VALIDATION = "validation_report"
COMPARE = "compare_designs"


def current_design() -> Design | None:
    return st.session_state.get(DESIGN)


def set_design(design: Design, origin: str) -> None:
    st.session_state[DESIGN] = design
    st.session_state[DESIGN_ORIGIN] = origin


def clear_design() -> None:
    st.session_state.pop(DESIGN, None)
    st.session_state.pop(DESIGN_ORIGIN, None)
