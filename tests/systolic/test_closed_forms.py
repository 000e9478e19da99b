"""Hand-derived cycle and access counts for small cases."""

import pytest

from sim.systolic import ConvLayer, SystolicConfig, evaluate
from sim.systolic.folds import FoldPlan

BIG = 1 << 20


def config(rows, cols, dataflow, sram=BIG):
    return SystolicConfig(rows, cols, dataflow, sram, sram, sram)


def test_output_stationary_non_square():
    # M=10, N=7, K=5 on 4x3: folds = ceil(10/4) * ceil(7/3) = 3 * 3 = 9, each K + R + C - 2 = 10.
    report = evaluate(config(4, 3, "os"), ConvLayer.gemm(10, 7, 5))
    assert report.plan.folds == 9
    assert report.compute_cycles == 9 * 10 - 1
    assert report.cycles.ideal_cycles == 9 * 5
    assert report.cycles.fill_drain_cycles == 9 * 5
    # ifmap (10x5) read once per column fold, filter (5x7) once per row fold.
    assert report.sram.ifmap_reads == 50 * 3
    assert report.sram.filter_reads == 35 * 3
    assert report.sram.ofmap_writes == 70
    assert report.sram.ofmap_writes_scalesim == 70 + 9 * (4 + 3)


def test_weight_stationary_non_square():
    # Sr = K = 5 -> 2 row folds of 4, Sc = N = 7 -> 3 column folds; T = M = 10.
    # Each fold: R (load) + T + R + C - 2 = 4 + 10 + 5 = 19 cycles.
    report = evaluate(config(4, 3, "ws"), ConvLayer.gemm(10, 7, 5))
    assert report.plan.folds == 6
    assert report.compute_cycles == 6 * 19 - 1
    assert report.cycles.stationary_load_cycles == 6 * 4
    assert report.sram.filter_reads == 35
    assert report.sram.ifmap_reads == 50 * 3
    assert report.sram.ofmap_writes == 70 * 2  # partial sums once per K fold


def test_input_stationary_swaps_roles():
    # Sr = K = 5 (2 folds), Sc = M = 10 (4 folds of 3), T = N = 7: 8 folds of 4 + 7 + 5.
    report = evaluate(config(4, 3, "is"), ConvLayer.gemm(10, 7, 5))
    assert report.plan.folds == 8
    assert report.compute_cycles == 8 * 16 - 1
    assert report.sram.ifmap_reads == 50
    assert report.sram.filter_reads == 35 * 4


def test_conv_lowering_dimensions():
    layer = ConvLayer(ifmap_h=9, ifmap_w=7, filter_h=3, filter_w=3, channels=2, num_filters=5,
                      stride_h=2, stride_w=2)
    assert (layer.ofmap_h, layer.ofmap_w) == (4, 3)
    assert layer.window == 18 and layer.macs == 12 * 18 * 5
    # rows 0..8 and cols 0..6 are all covered (stride 2 <= filter 3)
    assert layer.ifmap_words_touched == 9 * 7 * 2
    sparse = ConvLayer(ifmap_h=9, ifmap_w=9, filter_h=2, filter_w=2, channels=1, num_filters=1,
                       stride_h=4, stride_w=4)
    assert sparse.ifmap_words_touched == 4 * 4  # rows {0,1,4,5} x cols {0,1,4,5}
    assert sparse.ofmap_h == 2


@pytest.mark.parametrize("dataflow", ["os", "ws", "is"])
def test_dram_reads_are_compulsory_when_operands_fit(dataflow):
    layer = ConvLayer.gemm(33, 21, 17)
    report = evaluate(config(8, 4, dataflow), layer)
    assert report.dram.ifmap_reads == 33 * 17
    assert report.dram.filter_reads == 17 * 21


def test_small_sram_refetches_per_fold():
    # os, 4x4, M=N=K=64: the ifmap (4096 words) is streamed once per column fold (16 folds).
    # A 1000-word SRAM keeps a 500-word working set, too small to hold it between passes,
    # so every pass refetches all of it.
    report = evaluate(config(4, 4, "os", sram=1000), ConvLayer.gemm(64, 64, 64))
    assert report.dram.ifmap_reads == 16 * 4096


def test_fold_plan_edges():
    plan = FoldPlan.of(config(8, 8, "os"), ConvLayer.gemm(17, 9, 3))
    assert (plan.row_folds, plan.col_folds) == (3, 2)
    assert [plan.rows_used(i) for i in range(3)] == [8, 8, 1]
    assert [plan.cols_used(i) for i in range(2)] == [8, 1]


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="dataflow"):
        SystolicConfig(4, 4, "xs", BIG, BIG, BIG)
    with pytest.raises(ValueError, match="ifmap_sram_words"):
        SystolicConfig(4, 4, "os", 50, BIG, BIG)
    with pytest.raises(ValueError, match="filter"):
        ConvLayer(ifmap_h=2, ifmap_w=2, filter_h=3, filter_w=1, channels=1, num_filters=1)


@pytest.mark.parametrize("dataflow", ["os", "ws", "is"])
def test_fast_write_count_keeps_everything_but_the_line_quirk(dataflow):
    layer = ConvLayer.gemm(37, 45, 29)
    exact = evaluate(config(8, 4, dataflow, sram=300), layer)
    fast = evaluate(SystolicConfig(8, 4, dataflow, 300, 300, 300, scalesim_write_lines=False),
                    layer)
    assert fast.compute_cycles == exact.compute_cycles
    assert fast.dram.ofmap_writes == fast.dram.ofmap_writes_scalesim == exact.dram.ofmap_writes
    assert (fast.dram.ifmap_reads, fast.dram.filter_reads) == (exact.dram.ifmap_reads,
                                                                exact.dram.filter_reads)
    assert exact.dram.ofmap_writes_scalesim >= exact.dram.ofmap_writes
    assert fast.stalls.stall_cycles == 0
