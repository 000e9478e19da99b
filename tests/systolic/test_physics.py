"""Physical properties of the model (hypothesis)."""

from math import ceil

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.systolic import ConvLayer, SystolicConfig, evaluate

gemms = st.builds(ConvLayer.gemm, st.integers(1, 48), st.integers(1, 48), st.integers(1, 48))
arrays = st.tuples(st.integers(1, 12), st.integers(1, 12), st.sampled_from(["os", "ws", "is"]))
srams = st.integers(100, 4000)


def _config(array, sram, bandwidth=None):
    rows, cols, dataflow = array
    return SystolicConfig(rows, cols, dataflow, sram, sram, sram,
                          dram_bandwidth_words_per_cycle=bandwidth)


@settings(max_examples=80, deadline=None)
@given(gemms, arrays, srams)
def test_traffic_at_least_compulsory(layer, array, sram):
    report = evaluate(_config(array, sram), layer)
    assert report.dram.ifmap_reads >= layer.ifmap_words_touched
    assert report.dram.filter_reads >= layer.filter_words
    assert report.dram.ofmap_writes >= layer.ofmap_words
    assert report.sram.ifmap_reads >= report.dram.ifmap_reads
    assert report.sram.filter_reads >= report.dram.filter_reads


@settings(max_examples=80, deadline=None)
@given(gemms, arrays, srams)
def test_latency_at_least_compute_bound(layer, array, sram):
    report = evaluate(_config(array, sram), layer)
    assert report.total_cycles >= ceil(layer.macs / report.config.pes) - 1
    assert 0 < report.pe_utilization <= 1


# Cycle counts follow SCALE-Sim's 0-based "index of the last cycle", hence the - 1 below.
@settings(max_examples=60, deadline=None)
@given(gemms, arrays, srams, st.floats(0.25, 64))
def test_limited_bandwidth_bounds(layer, array, sram, bandwidth):
    free = evaluate(_config(array, sram), layer)
    limited = evaluate(_config(array, sram, bandwidth), layer)
    traffic = limited.dram.ifmap_reads + limited.dram.filter_reads + limited.dram.ofmap_writes
    assert limited.total_cycles >= free.compute_cycles
    assert limited.total_cycles >= ceil(traffic / bandwidth) - 1


@settings(max_examples=60, deadline=None)
@given(gemms, arrays, srams, st.floats(0.25, 32), st.floats(1.0, 8.0))
def test_more_bandwidth_never_slower(layer, array, sram, bandwidth, factor):
    slow = evaluate(_config(array, sram, bandwidth), layer)
    fast = evaluate(_config(array, sram, bandwidth * factor), layer)
    assert fast.total_cycles <= slow.total_cycles


@settings(max_examples=40, deadline=None)
@given(gemms, arrays, st.integers(100, 2000), st.integers(1, 4))
def test_bigger_sram_never_more_dram_reads_for_gemm_streams(layer, array, sram, factor):
    small = evaluate(_config(array, sram), layer)
    big = evaluate(_config(array, sram * 200 * factor), layer)
    assert big.dram.ifmap_reads <= small.dram.ifmap_reads
    assert big.dram.filter_reads <= small.dram.filter_reads
