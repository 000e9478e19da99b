"""Kind-specific sections of an architecture file.

Each section is a frozen pydantic model in its own module, registered here by the
top-level key it is written under. New hardware kinds add a line; nothing else in
the schema changes.
"""

from __future__ import annotations

import importlib

from pydantic import BaseModel

SECTIONS: dict[str, str] = {
    "streaming": "arch.streaming:StreamingSection",
    "fpga": "arch.fpga:FpgaSection",
    "systolic": "arch.systolic:SystolicSection",
    "gpu": "arch.gpu:GpuSection",
    "cpu": "arch.cpu:CpuSection",
}


def section_model(name: str) -> type[BaseModel]:
    """The pydantic model registered for section ``name``."""
    module_name, _, attr = SECTIONS[name].partition(":")
    return getattr(importlib.import_module(module_name), attr)
