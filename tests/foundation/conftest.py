from pathlib import Path

import pytest
import yaml


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write a dict (or raw text) as a YAML file and return its path."""

    def write(data, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
        return path

    return write


GEMM_ARCH = {
    "name": "tiny",
    "kind": "spatial",
    "clock_hz": 1e9,
    "parameters": {"rows": 16, "cols": 16, "dram_bw": 16},
    "storage": [
        {"name": "DRAM", "access_bits": 64, "read_bandwidth_bytes_per_cycle": "dram_bw", "read_energy_pj": 256},
        {"name": "Buffer", "size_bytes": 65536, "read_bandwidth_bytes_per_cycle": 64, "read_energy_pj": 8},
    ],
    "compute": [
        {"name": "PE", "kind": "pe_array", "mesh": ["rows", "cols"], "storage": "Buffer",
         "ops": {"mac": {"cycles_per_op": 1, "energy_pj": 2.0}}},
        {"name": "Vec", "kind": "vector", "mesh": [4], "storage": "Buffer",
         "ops": {"add": {"ops_per_cycle": 1, "energy_pj": 1.0}, "max": {"ops_per_cycle": 1, "energy_pj": 0.5},
                 "mac": {"ops_per_cycle": 1, "energy_pj": 2.0},
                 "exp": {"implemented_as": {"mac": 6, "add": 1}}, "div": {"cycles_per_op": 4, "energy_pj": 9}}},
    ],
}
