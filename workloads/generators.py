"""Registry of workload generators.

A workload file with ``generate: NAME`` is expanded by the registered function,
``fn(params: dict) -> dict``, into an ordinary workload document before validation.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

GENERATORS: dict[str, str] = {
    "dense_layers": "workloads.dense:dense_layers",
    "cnn_layers": "workloads.conv:cnn_layers",
    "vit_edge_moe": "workloads.vit_edge_moe:vit_layers",
}


def generator(name: str) -> Callable[[dict], dict]:
    module_name, _, attr = GENERATORS[name].partition(":")
    return getattr(importlib.import_module(module_name), attr)
