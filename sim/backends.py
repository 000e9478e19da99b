"""Which model simulates which kind of hardware.

A backend module exposes ``run(arch, workload, mapping=None) -> Result`` and
``parse_mapping(doc, arch, workload)`` which turns a mapping document into the
backend's frozen mapping object.
"""

from __future__ import annotations

import importlib
from types import ModuleType

BACKENDS: dict[str, str] = {
    "spatial": "sim.engine.backend",
    "cpu": "sim.engine.backend",
    "gpu": "sim.gpu.backend",
    "streaming": "sim.streaming.backend",
    "fpga": "sim.fpga.backend",
    "systolic": "sim.systolic.backend",
}

FIRST_ORDER = "sim.firstorder"


def backend_module(kind: str) -> ModuleType | None:
    """The backend for ``kind``, or None if that backend is not installed."""
    name = BACKENDS.get(kind, FIRST_ORDER)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise
