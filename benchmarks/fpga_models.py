"""Wall time of the FPGA models: exact dense estimate, reuse-factor sweep, 12-layer Edge-MoE run.

    python benchmarks/fpga_models.py
"""

from __future__ import annotations

import time

from sim import api
from sim.fpga.datapath import DatapathConfig
from sim.fpga.hls4ml import estimate_network
from sim.fpga.layers import dense_chain
from sim.fpga.precision import FixedPoint
from sim.fpga.resources import FpgaDevice, Resources
from sim.fpga.rf_search import sweep

U250 = FpgaDevice("u250", Resources(dsp=12288, bram18=5376, uram=1280, lut=1728000, ff=3456000), 200e6, 77e9)


def _time(label: str, fn, repeat: int) -> None:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    per_call = (time.perf_counter() - start) / repeat
    print(f"{label:55s} {per_call * 1e3:9.3f} ms/call  ({repeat} calls)")


def main() -> None:
    layers = dense_chain([784, 512, 256, 10])
    config = DatapathConfig(precision=FixedPoint(16), reuse_factor=512)
    _time("estimate_network 784-512-256-10 (fixed RF)", lambda: estimate_network(layers, config, U250), 2000)
    _time("sweep 784-512-256-10 (every legal request)", lambda: sweep(layers, config, U250), 5)
    inputs = api.load_inputs("u250", "dense", {"layers": "784-512-256-10"})
    _time("sim.api.run u250 dense (auto RF, loaded specs)", lambda: api.run(inputs.arch, inputs.workload), 20)
    vit = api.load_inputs("zcu102_edge_moe", "vit_edge_moe")
    _time("sim.api.run zcu102_edge_moe vit_edge_moe (12 layers)", lambda: api.run(vit.arch, vit.workload), 20)
    _time("load + run zcu102_edge_moe vit_edge_moe", lambda: api.simulate("zcu102_edge_moe", "vit_edge_moe"), 5)


if __name__ == "__main__":
    main()
