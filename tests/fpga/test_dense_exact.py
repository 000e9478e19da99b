"""The exact hls4ml dense model against every synthesized example in the reference sheet.

Rows: reference sheet fpga.md section 4 (wa-hls4ml subset; Vitis HLS 2023.2, U250, 5 ns,
Resource strategy, io_parallel, ap_fixed<P,1>). Each row: widths, precision bits, requested
RF, legal RFs, latency (= II) in cycles, DSP.
"""

import pytest

from sim import api
from sim.fpga.datapath import DatapathConfig
from sim.fpga.hls4ml import estimate_network
from sim.fpga.layers import dense_chain
from sim.fpga.precision import FixedPoint
from sim.fpga.resources import FpgaDevice, Resources

ROWS = [
    ("80-24-120", 8, 1024, (960, 960), 1923, 5),
    ("40-88-112", 10, 1024, (880, 1232), 2115, 12),
    ("104-64-128", 8, 1024, (832, 1024), 1859, 16),
    ("104-64-128", 2, 1024, (832, 1024), 1859, 0),
    ("128-104-24", 12, 1024, (1024, 832), 1859, 16),
    ("80-24-120", 10, 4093, (1920, 2880), 4803, 2),
    ("104-64-120", 16, 4093, (3328, 3840), 7171, 4),
    ("56-56-96", 16, 4093, (3136, 5376), 8515, 2),
    ("32-24-80-104", 16, 1024, (768, 960, 1040), 2773, 11),
    ("32-24-72-8", 16, 4093, (768, 1728, 576), 3077, 3),
    ("32-24-80-120", 12, 2047, (768, 1920, 1920), 4613, 7),
    ("104-48-104-104", 4, 4093, (4992, 4992, 5408), 15397, 0),
]

U250 = FpgaDevice("u250", Resources(dsp=12288, bram18=5376, uram=1280, lut=1728000, ff=3456000), 200e6, 77e9)


@pytest.mark.parametrize(("layers", "bits", "requested", "rfs", "latency", "dsp"), ROWS)
def test_library_reproduces_row(layers, bits, requested, rfs, latency, dsp):
    widths = [int(w) for w in layers.split("-")]
    config = DatapathConfig(precision=FixedPoint(bits), reuse_factor=requested)
    net = estimate_network(dense_chain(widths), config, U250)
    assert net.reuse_factors == rfs
    assert net.latency_cycles == latency
    assert net.ii_cycles == latency
    assert net.resources.dsp == dsp
    assert net.exact


@pytest.mark.parametrize(("layers", "bits", "requested", "rfs", "latency", "dsp"), ROWS)
def test_sim_run_reproduces_row(layers, bits, requested, rfs, latency, dsp):
    result = api.simulate("u250", "dense", {"layers": layers, "precision": bits, "reuse_factor": requested})
    assert result.latency_cycles == latency
    assert result.metrics["ii_cycles"] == latency
    assert result.metrics["dsp"] == dsp
    assert result.metrics["reuse_factors"] == "-".join(map(str, rfs))
    assert result.metrics["latency_dsp_exact"] is True
    assert [row["reuse_factor"] for row in result.tables["layers"]] == list(rfs)


def test_latency_formula_by_hand():
    # 64-32-10 at RF 128: layer 1 keeps 128 (multiple of 64 dividing 2048); layer 2 (32x10=320)
    # legalizes 128 -> 160. Latency = 128 + 160 + 2*2 - 1 = 291; DSP = 2048/128 + 320/160 = 18.
    net = estimate_network(dense_chain([64, 32, 10]), DatapathConfig(precision=FixedPoint(16), reuse_factor=128),
                           U250)
    assert net.reuse_factors == (128, 160)
    assert net.latency_cycles == 291
    assert net.resources.dsp == 18
