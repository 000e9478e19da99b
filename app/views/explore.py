"""Explore page: define or load a sweep, run it with progress, see and filter the Pareto front."""

import os
import time

import streamlit as st

from app import charts, state, sweeps
from app.sources import save_upload
from app.widgets import show_error
from sim.errors import SimulationError
from specbase import SpecError

JOB = "explore_job"
SOURCES = ("Example", "Upload YAML", "Edit YAML", "Stored results")


def spec_path(source: str) -> str | None:
    examples = sweeps.example_specs()
    if source == "Upload YAML":
        upload = st.file_uploader("Sweep spec YAML", type=["yaml", "yml"], key="explore_upload")
        return None if upload is None else str(save_upload(upload.name, upload.getvalue()))
    name = st.selectbox("Example sweep", list(examples), key="explore_example")
    if source == "Example":
        return str(examples[name])
    text = st.text_area("Sweep spec YAML", examples[name].read_text(), height=300, key=f"explore_text_{name}")
    return str(save_upload("edited_sweep.yaml", text.encode()))


def spec_form(path: str) -> None:
    try:
        spec, doc = sweeps.load_spec(path)
    except SpecError as exc:
        show_error(exc)
        return
    st.subheader(spec.name)
    if spec.description:
        st.caption(spec.description)
    st.write(f"**{spec.point_count} design points**; arch {', '.join(spec.archs)}; workload "
             f"{', '.join(spec.workloads)}; mapping search: {spec.search}; Pareto over {', '.join(spec.pareto)}")
    st.dataframe(sweeps.spec_summary(spec), hide_index=True)
    cols = st.columns([3, 1])
    output = cols[0].text_input("Output folder (resumable store)", str(sweeps.default_output(spec)),
                                key=f"explore_output_{spec.fingerprint()}")
    workers = cols[1].number_input("Workers", 1, os.cpu_count() or 1, 1, key="explore_workers",
                                   help="1 runs in this process; more starts a local process pool")
    if st.button("Run sweep", type="primary", key="explore_run", disabled=_running()):
        st.session_state[JOB] = sweeps.start_sweep(spec, doc, output, int(workers))


def _running() -> bool:
    job = st.session_state.get(JOB)
    return job is not None and job.running


def follow_job() -> None:
    """Draw the progress of the background sweep until it ends, then keep its rows."""
    job = st.session_state.get(JOB)
    if job is None:
        return
    total = job.spec.point_count
    bar = st.progress(0.0, text=f"sweep {job.spec.name}: starting")
    while job.running:
        done = job.done_points
        bar.progress(min(1.0, done / total), text=f"sweep {job.spec.name}: {done}/{total} points")
        time.sleep(0.25)
    del st.session_state[JOB]
    if job.error is not None:
        bar.empty()
        if isinstance(job.error, SpecError | SimulationError):
            show_error(job.error)
        else:
            st.exception(job.error)
        return
    outcome = job.outcome
    if outcome is None:
        st.error(f"sweep {job.spec.name} ended without a result; rerun it to resume from the stored points")
        return
    bar.progress(1.0, text=f"sweep {job.spec.name}: {len(outcome.rows)}/{total} points in {outcome.seconds:.1f} s "
                           f"({outcome.computed} computed, {outcome.skipped} already stored, {outcome.failed} failed)")
    st.session_state[state.SWEEP_ROWS] = (outcome.rows, job.spec.name, str(job.output), list(job.spec.pareto))


def stored_form() -> None:
    folder = st.text_input("Sweep output folder (holds results.parquet)", key="explore_folder",
                           placeholder="e.g. sweep-teaching_sweep")
    if st.button("Load results", key="explore_load", disabled=not folder):
        try:
            rows, manifest = sweeps.read_store(folder)
        except (FileNotFoundError, OSError) as exc:
            st.error(str(exc))
            return
        st.session_state[state.SWEEP_ROWS] = (rows, manifest.get("name", folder), folder, list(sweeps.OBJECTIVES))


def results_view() -> None:
    stored = st.session_state.get(state.SWEEP_ROWS)
    if stored is None:
        return
    rows, name, output, pareto = stored
    st.divider()
    st.subheader(f"Results of {name}")
    st.caption(f"store: {output}")
    failed = rows[rows["status"] != "ok"] if "status" in rows else rows.iloc[0:0]
    if len(failed):
        with st.expander(f"{len(failed)} points failed"):
            st.dataframe(failed[["point_id", "error"]], hide_index=True)
    good = sweeps.ok_rows(rows)
    if good.empty:
        st.warning("No design point finished successfully.")
        return
    keys = sweeps.swept_keys(good)
    shown = _filtered(good, keys)
    numeric = _numeric(good)
    objectives = st.multiselect("Pareto objectives (minimized)", numeric,
                                default=[c for c in pareto if c in numeric], key="explore_objectives")
    shown = sweeps.with_front(shown, objectives)
    if st.checkbox("Pareto-optimal points only", key="explore_front_only"):
        shown = shown[shown["front"]]
    st.write(f"{len(shown)} of {len(good)} points shown, {int(shown['front'].sum())} on the front")
    if not shown.empty:
        _scatter(shown, keys, good)
        st.dataframe(sweeps.display_order(shown, keys), hide_index=True)
        _compare(shown, keys)
        _open_in_run(shown, keys, name)


def _numeric(rows) -> list[str]:
    skip = {"point_id"}
    return [c for c in rows.columns if c not in skip and rows[c].dtype.kind in "fi"
            and not c.startswith(("arch.", "workload."))]


def _filtered(rows, keys):
    with st.expander("Filter design points"):
        choices = {}
        for key in keys:
            values = sorted(rows[key].dropna().unique().tolist(), key=str)
            choices[key] = st.multiselect(key, values, default=values, key=f"explore_filter_{key}")
    return sweeps.filter_rows(rows, choices)


def _scatter(shown, keys, good) -> None:
    numeric = _numeric(good)
    cols = st.columns(5)
    x = cols[0].selectbox("x", numeric, index=numeric.index("latency_s") if "latency_s" in numeric else 0,
                          key="explore_x")
    y = cols[1].selectbox("y", numeric, index=numeric.index("energy_pj") if "energy_pj" in numeric else 0,
                          key="explore_y")
    colour_options = [*numeric, "front", "bound", *keys]
    default = "area_um2" if "area_um2" in good and good["area_um2"].nunique() > 1 else "bound"
    color = cols[2].selectbox("colour", colour_options, index=colour_options.index(default), key="explore_color")
    log = cols[3].checkbox("log axes", True, key="explore_log")
    three_d = cols[4].checkbox("3-D (area)", False, key="explore_3d")
    z = "area_um2" if three_d and "area_um2" in good else None
    st.plotly_chart(charts.pareto_scatter(shown, keys, x, y, color, log, z), key="explore_pareto")


def _compare(shown, keys) -> None:
    ids = shown["point_id"].astype(int).tolist()
    front = shown[shown["front"]]["point_id"].astype(int).tolist()
    chosen = st.multiselect("Compare points", ids, default=front[:3], key="explore_compare")
    if chosen:
        st.dataframe(sweeps.compare_points(shown, chosen, keys))
        st.altair_chart(charts.relative_bars(sweeps.relative_to_best(shown, chosen)), width="stretch")


def _open_in_run(shown, keys, name: str) -> None:
    cols = st.columns([1, 3])
    ids = shown["point_id"].astype(int).tolist()
    point_id = cols[0].selectbox("Point", ids, key="explore_open_id")
    if cols[1].button("Open this point in Run", key="explore_open"):
        row = shown[shown["point_id"] == point_id].iloc[0]
        try:
            design = sweeps.point_design(row, keys)
        except (SpecError, SimulationError) as exc:
            show_error(exc)
            return
        values = ", ".join(f"{k}={row[k]}" for k in keys)
        state.set_design(design, f"sweep {name}, point {point_id} ({values})")
        st.switch_page("views/run.py")


st.title("Explore")
st.caption("Sweep arch and workload parameters (``sim sweep`` specs), then pick designs on the Pareto front.")
source = st.radio("Sweep source", SOURCES, horizontal=True, key="explore_source")
if source == "Stored results":
    stored_form()
else:
    path = spec_path(source)
    if path is not None:
        spec_form(path)
follow_job()
results_view()
