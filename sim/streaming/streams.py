"""Element streams for the source units of a lowered pipeline, from whole tensors.

A per-row tensor (e.g. ``Q[e,p]``) streams one vector per row; a per-key tensor
(``K[e,m]``) streams one vector per key and is re-read for every row.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.streaming.graph import Pipeline
from sim.streaming.patterns import find_ranks
from workloads import Workload


def source_streams(pipeline: Pipeline, w: Workload, arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Stream per source unit; ``arrays[name]`` has the tensor's (non-batch) ranks as axes."""
    if w.batch_size != 1:
        raise ValueError("numeric streams are built for one batch element; use batch size 1")
    ranks, _ = find_ranks(w)
    rows = w.ranks[ranks.row]
    out = {}
    for unit in pipeline.units:
        if unit.op != "source":
            continue
        tensor = w.tensor(unit.params["tensor"])
        names = [r for r in tensor.ranks if r not in w.batch_ranks]
        along = ranks.row if unit.params["per"] == "row" else ranks.stream
        data = np.moveaxis(np.asarray(arrays[tensor.name], dtype=float), names.index(along), 0)
        data = data.reshape(data.shape[0], -1)
        out[unit.name] = data if unit.params["per"] == "row" else np.tile(data, (rows, 1))
    return out


def sink_output(run_outputs: Mapping[str, np.ndarray], tensor: str) -> np.ndarray:
    """The rows a sink received, stacked: one row per query."""
    values = run_outputs[f"write {tensor}"]
    return np.stack([np.atleast_1d(v) for v in values])
