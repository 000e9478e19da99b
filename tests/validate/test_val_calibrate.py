from __future__ import annotations

import pytest
import yaml

import arch
from validate.calibrate import arch_document, lanes_per_core, plan_levels, write_arch


def test_levels_outermost_first_private_caches_on_one_core(host):
    levels = plan_levels(host, 2)
    assert [p.name for p in levels] == ["DRAM", "L3", "L2", "L1"]
    by_name = {p.name: p for p in levels}
    assert by_name["L1"].instances == 2 and by_name["L1"].threads == 1
    assert by_name["L1"].working_set_bytes == 16 << 10
    assert by_name["L3"].instances == 1 and by_name["L3"].threads == 2
    assert by_name["DRAM"].size_bytes is None and by_name["DRAM"].working_set_bytes >= 8 * (32 << 20)


def test_document_loads_and_reproduces_the_measured_rates(tmp_path, host, calibration):
    cal = calibration()
    path = write_arch(arch_document(cal, host, "test_cpu"), tmp_path / "cpu.yaml")
    hw = arch.load_arch(path)
    assert hw.kind == "cpu" and hw.name == "test_cpu"
    assert [s.name for s in hw.storage] == ["DRAM", "L3", "L2", "L1"]
    unit = hw.unit("VectorFMA")
    assert lanes_per_core(host) == 16 and unit.total_pes == 32
    # mac/cycle x 2 FLOP x clock = measured matmul FLOP/s, per dtype (4 significant digits kept)
    for dtype, flops in cal.matmul_flops_per_s.items():
        assert unit.throughput_per_cycle("mac", dtype) * 2 * hw.clock_hz == pytest.approx(flops, rel=1e-3)
    # exp on one core: ops/cycle/PE x 16 PEs x clock = measured exp/s
    assert unit.op("exp").ops_per_cycle * 16 * hw.clock_hz == pytest.approx(1e9, rel=1e-3)
    dram = hw.level("DRAM")
    assert dram.read_bandwidth_bytes_per_cycle * hw.clock_hz == pytest.approx(20e9, rel=1e-3)
    assert dram.write_bandwidth_bytes_per_cycle * hw.clock_hz == pytest.approx(15e9, rel=1e-3)
    assert hw.level("L2").instances == 2 and hw.level("L2").size_bytes == 512 << 10
    section = hw.section("cpu")
    assert section.calibrated and section.core_count == 2
    assert section.measured_read_bandwidth_bytes_per_s_by_level["L1"] == pytest.approx(150e9)


def test_file_is_commented_yaml(tmp_path, host, calibration):
    path = write_arch(arch_document(calibration(), host), tmp_path / "cpu.yaml")
    text = path.read_text()
    assert text.startswith("# Written by `sim calibrate`")
    assert yaml.safe_load(text)["kind"] == "cpu"


def test_committed_host_preset_is_a_calibrated_cpu():
    hw = arch.load_arch("host_cpu")
    section = hw.section("cpu")
    assert hw.kind == "cpu" and section.calibrated
    unit = hw.compute[0]
    measured = section.measured_matmul_flops_per_s_by_dtype["fp32"]
    assert unit.throughput_per_cycle("mac", "fp32") * 2 * hw.clock_hz == pytest.approx(measured, rel=2e-3)
