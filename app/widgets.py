"""Streamlit widgets shared by the pages: spec pickers, parameter editors, error boxes."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import sources
from app.problems import error_text, problem_frame
from sim.errors import SimulationError
from specbase import SpecError

MODES = ("Preset", "Upload YAML", "Edit YAML")
TITLES = {"arch": "Architecture", "workload": "Workload"}


def spec_picker(scope: str, key: str, default: str, container=st) -> str | None:
    """A preset name or the path of an uploaded/edited YAML file; None until one is given."""
    title = TITLES[scope]
    mode = container.radio(f"{title} source", MODES, horizontal=True, key=f"{key}_mode")
    names = sources.presets(scope)
    if mode == "Upload YAML":
        upload = container.file_uploader(f"{title} YAML file", type=["yaml", "yml"], key=f"{key}_upload")
        if upload is None:
            container.info(f"Upload an {title.lower()} YAML file.")
            return None
        return str(sources.save_upload(upload.name, upload.getvalue()))
    preset = container.selectbox(f"{title} preset", names, index=names.index(default) if default in names else 0,
                                 key=f"{key}_preset")
    if mode == "Preset":
        return preset
    text = container.text_area(f"{title} YAML (starts from the preset {preset})", sources.preset_text(scope, preset),
                               height=260, key=f"{key}_text_{preset}")
    return str(sources.save_upload(f"edited_{scope}_{preset}.yaml", text.encode()))


def parameter_editor(scope: str, source: str | None, key: str, container=st, per_row: int = 4) -> list[str]:
    """Text inputs for the spec's declared parameters; returns ``--set`` items for the changed ones."""
    if source is None:
        return []
    try:
        declared = sources.declared_parameters(scope, source)
    except SpecError as exc:
        show_error(exc, container)
        return []
    if not declared:
        container.caption(f"The {TITLES[scope].lower()} declares no parameters.")
        return []
    edited = {}
    columns = container.columns(min(per_row, len(declared)))
    for i, (name, value) in enumerate(declared.items()):
        edited[name] = columns[i % len(columns)].text_input(name, str(value), key=f"{key}_{scope}_{name}_{source}")
    return sources.override_items(scope, declared, edited)


def show_error(exc: Exception, container=st) -> None:
    """The same message ``sim run`` prints, plus a table of the problems for a SpecError."""
    if isinstance(exc, SpecError):
        container.error(error_text(exc))
        container.dataframe(problem_frame(exc), hide_index=True)
    else:
        container.error(f"error: {exc}")


def run_guarded(container=st, **kwargs) -> sources.Design | None:
    """``sources.run_design(**kwargs)``; a bad spec or an infeasible run becomes an error box."""
    try:
        return sources.run_design(**kwargs)
    except (SpecError, SimulationError) as exc:
        show_error(exc, container)
        return None


def mapping_picker(key: str, container=st) -> str | None:
    upload = container.file_uploader("Mapping YAML (optional; default: the model's own mapping)",
                                     type=["yaml", "yml"], key=f"{key}_mapping")
    return None if upload is None else str(sources.save_upload(upload.name, upload.getvalue()))


def source_label(source: str | None) -> str:
    return "-" if source is None else sources.display_name(source) if Path(source).suffix else source
