import math

import pytest
import yaml

import arch
from arch.schema import ArchSpec
from specbase import SpecError

from .conftest import GEMM_ARCH


@pytest.mark.parametrize("name", ["h100", "a100", "h200", "fusemax", "flat", "teaching_array", "tpu_like"])
def test_foundation_presets_load(name):
    hardware = arch.load_arch(name)
    assert hardware.name == name and hardware.storage and hardware.compute


def test_tpu_like_mirrors_zigzags_design():
    # zigzag-dse 3.9.1 tpu_like.yaml: rf_128B (W), rf_2B (O) per PE, sram_2MB (16777216 bits), 64-bit DRAM port
    tpu = arch.load_arch("tpu_like", {"rows": 32, "cols": 32})
    sizes = {level.name: (level.size_bytes, level.instances) for level in tpu.storage}
    assert sizes == {"DRAM": (None, 1), "SRAM": (2 * 1024 * 1024, 1), "WeightReg": (128, 1024),
                     "OutputReg": (2, 1024)}
    assert tpu.level("SRAM").read_energy_pj_per_byte == pytest.approx(416.16 / 256)
    assert tpu.level("DRAM").write_energy_pj_per_byte == pytest.approx(750 / 8)
    assert tpu.unit("PEArray").spatial_reduction
    assert not arch.load_arch("teaching_array").unit("PEArray").spatial_reduction


def test_h100_peak_matches_datasheet():
    h100 = arch.load_arch("h100")
    tc = h100.unit("TensorCore")
    peak_flops = 2 * tc.throughput_per_cycle("mac", "bf16") * h100.clock_hz
    assert peak_flops == pytest.approx(989.4e12, rel=1e-3)
    assert 2 * tc.throughput_per_cycle("mac", "fp8") * h100.clock_hz == pytest.approx(1979e12, rel=1e-3)
    assert h100.unit("SFU").throughput_per_cycle("exp") * h100.clock_hz == pytest.approx(3.9e12, rel=0.01)


def test_fusemax_exp_costs_six_macs_and_an_add():
    pe = arch.load_arch("fusemax").unit("PE2D")
    assert pe.op("exp").ops_per_cycle == pytest.approx(1 / 7)
    assert pe.energy_pj("exp") == pytest.approx(6 * 17.16 + 8.34)
    assert pe.total_pes == 65536


def test_bandwidth_per_second_converts_to_cycles():
    fusemax = arch.load_arch("fusemax")
    assert fusemax.level("DRAM").read_bandwidth_bytes_per_cycle == pytest.approx(400 * 2**30 / 940e6)
    assert math.isinf(fusemax.level("DRAM").total_size_bytes)


def test_parameter_overrides(write_yaml):
    hardware = arch.load_arch(write_yaml(GEMM_ARCH), {"rows": 32})
    assert hardware.unit("PE").mesh == (32, 16)


def test_schema_round_trip(write_yaml, tmp_path):
    first = arch.load_arch(write_yaml(GEMM_ARCH))
    spec = ArchSpec.model_validate(GEMM_ARCH, context={"params": dict(first.parameters)})
    dumped = spec.model_dump(exclude_none=True)
    again = arch.load_arch(write_yaml(dumped, "again.yaml"))
    assert again.storage == first.storage and again.compute == first.compute


def test_frozen_objects():
    hardware = arch.load_arch("teaching_array")
    with pytest.raises(AttributeError):
        hardware.clock_hz = 1
    with pytest.raises(TypeError):
        hardware.unit("PEArray").ops["mac"] = None


def _problems(write_yaml, data) -> list:
    with pytest.raises(SpecError) as info:
        arch.load_arch(write_yaml(data))
    return info.value.problems


def test_all_errors_reported_at_once_with_paths_and_lines(write_yaml):
    bad = yaml.safe_load(yaml.safe_dump(GEMM_ARCH))
    bad["kind"] = "quantum"
    bad["storage"][1]["size_bytes"] = -5
    bad["compute"][0]["storage"] = "L7"
    bad["storage"][0]["colour"] = "red"
    problems = _problems(write_yaml, bad)
    paths = {p.path for p in problems}
    assert {"kind", "storage[1].size_bytes", "storage[0].colour"} <= paths
    kind = next(p for p in problems if p.path == "kind")
    assert "spatial" in kind.allowed and "gpu" in kind.allowed and kind.line is not None


def test_cross_field_errors(write_yaml):
    bad = yaml.safe_load(yaml.safe_dump(GEMM_ARCH))
    bad["compute"][0]["storage"] = "L7"
    bad["compute"][1]["ops"]["exp"] = {"implemented_as": {"fma": 6}}
    bad["storage"][1]["bandwidth_bytes_per_s"] = 1e9
    problems = _problems(write_yaml, bad)
    by_path = {p.path: p for p in problems}
    assert by_path["compute[0].storage"].allowed == "DRAM, Buffer"
    assert "fma" in by_path["compute[1].ops.exp.implemented_as"].message
    assert "not both" in by_path["storage[1]"].allowed


def test_unknown_top_level_key_lists_allowed(write_yaml):
    bad = dict(GEMM_ARCH, colour="red")
    problem = _problems(write_yaml, bad)[0]
    assert problem.path == "colour" and "storage" in problem.allowed and "fpga" in problem.allowed


def test_bad_expression_names_field(write_yaml):
    bad = yaml.safe_load(yaml.safe_dump(GEMM_ARCH))
    bad["compute"][0]["mesh"] = ["rowz", 16]
    problem = _problems(write_yaml, bad)[0]
    assert problem.path == "compute[0].mesh[0]" and "rowz" in problem.message


def test_missing_file_and_unknown_preset():
    with pytest.raises(SpecError, match="no such architecture file or preset") as info:
        arch.load_arch("no_such_design")
    assert "fusemax" in info.value.problems[0].allowed
