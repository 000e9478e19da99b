"""The SimPy pipeline carries values: its output equals numpy SDPA on random inputs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.streaming.engine import simulate_events
from sim.streaming.lowering import lower
from sim.streaming.streams import sink_output, source_streams

from .conftest import hardware, workload


def numpy_sdpa(q, k, v):
    """Q[e,p], K[e,m], V[f,m] -> AV as [p, f] (scale folded into Q)."""
    s = q.T @ k
    p = np.exp(s - s.max(axis=1, keepdims=True))
    return (p / p.sum(axis=1, keepdims=True)) @ v.T


@pytest.mark.parametrize("name", ["sdpa_naive", "sdpa_3pass", "sdpa_reordered"])
@pytest.mark.parametrize(("n", "d", "seed"), [(12, 1, 0), (16, 4, 1), (9, 8, 2)])
def test_pipeline_output_equals_numpy(name, n, d, seed):
    rng = np.random.default_rng(seed)
    q, k, v = (rng.standard_normal((d, n)) for _ in range(3))
    w = workload(name, n, d)
    p = lower(hardware(), w)
    run = simulate_events(p, source_streams(p, w, {"Q": q, "K": k, "V": v}))
    np.testing.assert_allclose(sink_output(run.outputs, "AV"), numpy_sdpa(q, k, v), rtol=1e-12, atol=1e-12)


def test_reordered_is_stable_where_naive_overflows():
    rng = np.random.default_rng(3)
    n = 8
    q, k, v = rng.standard_normal((1, n)) * 40, rng.standard_normal((1, n)) * 40, rng.standard_normal((1, n))
    ref = numpy_sdpa(q, k, v)
    out = {}
    for name in ("sdpa_naive", "sdpa_reordered"):
        w = workload(name, n)
        p = lower(hardware(), w)
        with np.errstate(over="ignore", invalid="ignore"):
            out[name] = sink_output(simulate_events(p, source_streams(p, w, {"Q": q, "K": k, "V": v})).outputs,
                                    "AV")
    np.testing.assert_allclose(out["sdpa_reordered"], ref, rtol=1e-9)
    assert not np.all(np.isfinite(out["sdpa_naive"]))
