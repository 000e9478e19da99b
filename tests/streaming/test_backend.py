"""The streaming backend: mapping files, engines and the Result it returns."""

from __future__ import annotations

import pytest

from sim.streaming import backend
from specbase import SpecError, parse_document

from .conftest import hardware, workload


def _mapping(text: str, n: int = 32, name: str = "sdpa_naive"):
    return backend.parse_mapping(parse_document(text, "map.yaml"), hardware(), workload(name, n))


def test_simpy_engine_gives_the_same_result_as_the_kernel():
    w = workload("sdpa_reordered", 24)
    fast = backend.run(hardware(), w)
    slow = backend.run(hardware(), w, _mapping("engine: simpy", 24, "sdpa_reordered"))
    assert fast.latency_cycles == slow.latency_cycles == 2 * 24 * 24 + 46
    assert fast.tables["fifos"] == slow.tables["fifos"]
    assert slow.metrics["engine"] == "simpy"


def test_mapping_resizes_a_fifo_by_name():
    m = _mapping('fifo_capacity_elements: {"SN:QK+SN->A": 10}')
    result = backend.run(hardware(), workload("sdpa_naive", 32), m)
    assert result.bound == "deadlock"
    assert any("SN:QK+SN->A" in note for note in result.notes)


def test_unknown_fifo_in_mapping_lists_the_fifos():
    with pytest.raises(SpecError) as info:
        _mapping("fifo_capacity_elements: {nope: 3}")
    assert "fifo_capacity_elements.nope" in str(info.value) and "SN:QK+SN->A" in str(info.value)


def test_bad_engine_is_reported_with_allowed_values():
    with pytest.raises(SpecError, match="numba"):
        _mapping("engine: verilator")


def test_result_breaks_time_down_per_einsum_and_unit():
    result = backend.run(hardware(), workload("sdpa_naive", 64))
    assert {e.name for e in result.einsums} == {"QK", "SN", "SD", "A", "AV"}
    assert result.metrics["ideal_cycles"] == 2 * 64 * 64
    assert result.latency_cycles >= result.metrics["ideal_cycles"]
    busiest = max(result.utilization.values())
    assert 0.9 < busiest <= 1.0
    units = {row["unit"]: row for row in result.tables["units"]}
    assert units["SD"]["busy_cycles"] == 2 * 64 * 64


@pytest.mark.parametrize("name", ["sdpa_naive", "sdpa_reordered"])
def test_memory_traffic_rereads_keys_and_values_per_row_and_covers_compulsory(name):
    n, d = 32, 4
    w = workload(name, n, d)
    result = backend.run(hardware(), w)
    (memory,) = result.traffic
    word = 4
    assert memory.read_bytes == (n * d + 2 * n * n * d) * word
    assert memory.write_bytes == n * d * word
    assert memory.total_bytes >= w.compulsory_bytes
