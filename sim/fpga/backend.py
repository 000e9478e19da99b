"""The ``fpga`` backend: ``run`` and ``parse_mapping`` for architectures of kind ``fpga``.

``fpga.datapath`` in the architecture picks the model: ``hls4ml`` (sim.fpga.hls4ml_backend)
or ``edge_moe`` (sim.fpga.edge_moe_backend).
"""

from __future__ import annotations

from arch import Architecture
from sim.fpga.device import fpga_section
from sim.fpga.edge_moe_backend import run_edge_moe
from sim.fpga.hls4ml_backend import run_hls4ml
from sim.fpga.mapping import FpgaMapping, parse_mapping_document
from sim.result import Result
from specbase import Document
from workloads import Workload


def parse_mapping(doc: Document, arch: Architecture, workload: Workload) -> FpgaMapping:
    del arch
    return parse_mapping_document(doc, {e.name for e in workload.einsums}, {t.name for t in workload.inputs})


def run(arch: Architecture, workload: Workload, mapping: FpgaMapping | None = None) -> Result:
    mapping = mapping or FpgaMapping()
    if fpga_section(arch).datapath == "edge_moe":
        return run_edge_moe(arch, workload, mapping)
    return run_hls4ml(arch, workload, mapping)
