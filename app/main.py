"""Entry point of the design-space dashboard: ``sim dashboard`` or ``streamlit run app/main.py``."""

import streamlit as st

PAGES = [
    st.Page("views/run.py", title="Run", icon=":material/play_arrow:", default=True),
    st.Page("views/explore.py", title="Explore", icon=":material/scatter_plot:"),
    st.Page("views/timeline.py", title="Timeline", icon=":material/view_timeline:"),
    st.Page("views/validation.py", title="Validation", icon=":material/fact_check:"),
    st.Page("views/compare.py", title="Compare", icon=":material/compare:"),
]

st.set_page_config(page_title="einsim dashboard", layout="wide")
st.navigation(PAGES, position="top").run()
