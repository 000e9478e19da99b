"""Validation page: measured (or published) vs simulated latency, error per kernel family."""

from pathlib import Path

import streamlit as st

from app import state, validation_data
from app.sources import save_upload
from app.widgets import show_error
from specbase import SpecError
from validate import plots

SOURCES = ("Stored in the repository", "Upload measurements", "Report folder")

st.title("Validation")
st.caption("Each measurement is simulated again with the current model (``sim validate --from FILE``).")
source = st.radio("Results", SOURCES, horizontal=True, key="validation_source")
path = folder = None
if source == SOURCES[0]:
    files = validation_data.stored_files()
    if not files:
        st.warning(f"No stored validation results in {validation_data.DATA_DIR}.")
        st.stop()
    path = files[st.selectbox("Measurement file", list(files), key="validation_file")]
elif source == SOURCES[1]:
    upload = st.file_uploader("Measurement file (measurements.csv or .parquet)", type=["csv", "parquet"],
                              key="validation_upload")
    path = None if upload is None else save_upload(upload.name, upload.getvalue())
else:
    folder = st.text_input("Folder written by sim validate", "validation-report", key="validation_folder")
if st.button("Load and compare", type="primary", key="validation_load", disabled=path is None and not folder):
    try:
        with st.spinner("Simulating the stored cases..."):
            report = validation_data.score(path) if path is not None else validation_data.read_report_folder(folder)
        st.session_state[state.VALIDATION] = (str(path or folder), report)
    except SpecError as exc:
        show_error(exc)
    except (FileNotFoundError, OSError) as exc:
        st.error(str(exc))
loaded = st.session_state.get(state.VALIDATION)
if loaded is None:
    st.stop()
name, report = loaded
st.subheader(f"Error per kernel family ({Path(name).name})")
st.dataframe(validation_data.headline(report), hide_index=True,
             column_config={c: st.column_config.NumberColumn(format="percent")
                            for c in ("mape", "median_ape", "max_ape", "mean_signed_error")})
st.caption("Signed error > 0: the simulator is slower than the measurement.")
st.altair_chart(plots.mape_bars(report.summary), width="stretch")
st.altair_chart(plots.scatter(report.comparison), width="stretch")
st.altair_chart(plots.error_bars(report.comparison), width="stretch")
with st.expander("Cases"):
    st.dataframe(report.comparison, hide_index=True)
