"""Properties of the hls4ml network model outside the exact rows."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.fpga.datapath import DatapathConfig, IoType, Strategy
from sim.fpga.hls4ml import estimate_network, weight_rom_bram18
from sim.fpga.layers import LayerKind, MacLayer, dense_chain
from sim.fpga.precision import FixedPoint, dsp_per_multiplier
from sim.fpga.resources import FpgaDevice, Resources
from sim.fpga.reuse import valid_reuse_factors
from sim.fpga.rf_search import choose_reuse_factor, sweep

BIG = FpgaDevice("big", Resources(dsp=12288, bram18=5376, uram=1280, lut=1728000, ff=3456000), 200e6, 77e9)
SMALL = FpgaDevice("small", Resources(dsp=100, bram18=100, uram=0, lut=50000, ff=100000), 200e6, 19e9)

widths = st.lists(st.integers(min_value=2, max_value=40), min_size=2, max_size=4)


@settings(max_examples=40, deadline=None)
@given(widths, st.integers(min_value=1, max_value=2000), st.integers(min_value=2, max_value=18))
def test_exact_case_structure(ws, request_rf, bits):
    net = estimate_network(dense_chain(ws), DatapathConfig(precision=FixedPoint(bits), reuse_factor=request_rf), BIG)
    layers = len(ws) - 1
    assert net.latency_cycles == sum(net.reuse_factors) + 2 * layers - 1
    assert net.ii_cycles == net.latency_cycles
    expected_dsp = sum(a * b // rf for a, b, rf in zip(ws[:-1], ws[1:], net.reuse_factors, strict=True))
    assert net.resources.dsp == (expected_dsp if bits >= 8 else 0)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=2, max_value=64), st.integers(min_value=2, max_value=64))
def test_larger_rf_never_more_dsp_or_less_latency(n_in, n_out):
    layer = (MacLayer("Y1", n_in, n_out),)
    previous = None
    for rf in valid_reuse_factors(n_in, n_out):
        net = estimate_network(layer, DatapathConfig(precision=FixedPoint(16), reuse_factor=rf), BIG)
        if previous is not None:
            assert net.resources.dsp <= previous.resources.dsp
            assert net.latency_cycles > previous.latency_cycles
        previous = net


def test_dsp_mapping_of_wide_products():
    assert dsp_per_multiplier(16, 16, 8) == 1
    assert dsp_per_multiplier(32, 16, 8) == 2     # 32 > 27 bits on the wide port
    assert dsp_per_multiplier(32, 32, 8) == 4
    assert dsp_per_multiplier(7, 7, 8) == 0


def test_auto_rf_fits_and_is_fastest_that_fits():
    layers = dense_chain([64, 64, 32])
    config = DatapathConfig(precision=FixedPoint(16))
    chosen = choose_reuse_factor(layers, config, SMALL)
    assert chosen.fits
    faster = [e for e in sweep(layers, config, SMALL) if e.latency_cycles < chosen.latency_cycles]
    assert faster and not any(e.fits for e in faster)


def test_nothing_fits_reports_largest_rf():
    layers = dense_chain([256, 256])
    tiny = replace(SMALL, available=Resources(dsp=0, bram18=0, lut=10, ff=10))
    chosen = choose_reuse_factor(layers, DatapathConfig(precision=FixedPoint(16)), tiny)
    assert not chosen.fits
    assert chosen.reuse_factors == (256 * 256,)


def test_unroll_limit_blocks_fit():
    net = estimate_network(dense_chain([128, 64]), DatapathConfig(precision=FixedPoint(4), reuse_factor=1), BIG)
    assert net.resources.dsp == 0
    assert not net.unroll_ok and not net.fits
    assert any("refuses" in note for note in net.notes)


def test_latency_strategy_and_stream_are_marked_estimates():
    base = DatapathConfig(precision=FixedPoint(16), reuse_factor=4)
    for config in (replace(base, strategy=Strategy.LATENCY), replace(base, io_type=IoType.STREAM)):
        net = estimate_network(dense_chain([16, 8, 4]), config, BIG)
        assert not net.exact
        assert net.ii_cycles <= net.latency_cycles
        assert any("estimates" in note for note in net.notes)


def test_latency_strategy_pipelines_network_at_max_rf():
    config = DatapathConfig(strategy=Strategy.LATENCY, precision=FixedPoint(16), reuse_factor=4)
    net = estimate_network(dense_chain([16, 8, 4]), config, BIG)
    assert net.ii_cycles == max(net.reuse_factors)
    assert net.resources.bram18 == 0


def test_conv_layer_scales_with_output_pixels():
    conv = MacLayer("C", n_in=27, n_out=16, positions=30 * 30, kind=LayerKind.CONV)
    config = DatapathConfig(precision=FixedPoint(16), reuse_factor=27)
    one = estimate_network((conv,), config, BIG)
    two = estimate_network((conv,), replace(config, parallelization_factor=2), BIG)
    assert not one.exact
    assert one.latency_cycles > 900 * 27
    assert two.latency_cycles < one.latency_cycles
    assert two.resources.dsp == 2 * one.resources.dsp


def test_bram_packing_by_hand():
    # depth 1024, 156 bits: 1Kx18 config -> 9 blocks; 512x36 -> 2*5 = 10; best is 9.
    assert weight_rom_bram18(1024, 156) == 9
    assert weight_rom_bram18(960, 16) == 1


@pytest.mark.parametrize("bad", [0, -3])
def test_bad_rf_rejected(bad):
    with pytest.raises(ValueError, match="reuse"):
        DatapathConfig(reuse_factor=bad)


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=20, max_value=3000), st.floats(min_value=1.0, max_value=8.0))
def test_bigger_device_never_slower_auto_choice(dsp, factor):
    layers = dense_chain([64, 48, 16])
    config = DatapathConfig(precision=FixedPoint(16))
    small = replace(SMALL, available=Resources(dsp=dsp, bram18=2000, lut=10**6, ff=10**6))
    big = replace(small, available=small.available.scaled(factor))
    assert (choose_reuse_factor(layers, config, big).latency_cycles
            <= choose_reuse_factor(layers, config, small).latency_cycles)
