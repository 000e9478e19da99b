"""Small architectures and workloads for engine tests."""

from __future__ import annotations

import pytest
import yaml

import arch
import workloads
from specbase import parse_document

TRI = {
    "name": "tri",
    "kind": "spatial",
    "clock_hz": 1e9,
    "parameters": {"dram_bw": 8, "glb_bytes": 4096, "glb_bw": 32, "mac_cycles": 1, "vec_cycles": 1},
    "storage": [
        {"name": "DRAM", "word_bits": 16, "access_bits": 64, "read_bandwidth_bytes_per_cycle": "dram_bw",
         "read_energy_pj": 64},
        {"name": "GLB", "size_bytes": "glb_bytes", "word_bits": 16, "read_bandwidth_bytes_per_cycle": "glb_bw",
         "read_energy_pj": 2, "area_um2": 1000},
        {"name": "RF", "size_bytes": 64, "instances": 4, "word_bits": 16, "read_bandwidth_bytes_per_cycle": 4,
         "read_energy_pj": 0.5, "area_um2": 10},
    ],
    "compute": [
        {"name": "PE", "kind": "pe_array", "mesh": [2, 2], "storage": "RF", "pe_area_um2": 100,
         "ops": {"mac": {"cycles_per_op": "mac_cycles", "energy_pj": 1.0}}},
        {"name": "VEC", "kind": "vector", "mesh": [4], "storage": "GLB", "pe_area_um2": 50,
         "ops": {"add": {"cycles_per_op": "vec_cycles", "energy_pj": 0.5},
                 "max": {"cycles_per_op": "vec_cycles", "energy_pj": 0.1},
                 "mac": {"cycles_per_op": 1, "energy_pj": 1.0}, "exp": {"implemented_as": {"mac": 6, "add": 1}},
                 "div": {"cycles_per_op": 4, "energy_pj": 3.0}, "mul": {"cycles_per_op": 1, "energy_pj": 1.0}}},
    ],
}


def load_arch_dict(data: dict, overrides: dict | None = None) -> arch.Architecture:
    return arch.load_arch(parse_document(yaml.safe_dump(data), f"{data['name']}.yaml"), overrides)


def load_workload_dict(data: dict) -> workloads.Workload:
    return workloads.load_workload(parse_document(yaml.safe_dump(data), f"{data['name']}.yaml"))


@pytest.fixture
def tri() -> arch.Architecture:
    return load_arch_dict(TRI)


def gemm(m: int, n: int, k: int) -> workloads.Workload:
    return workloads.load_workload("gemm", {"M": m, "N": n, "K": k})
