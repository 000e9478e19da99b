"""The fusemax and flat architecture presets: costs, energies and the iso-area design point."""

import math

import pytest

import arch

MAC, ADD, MAX, EXP_FLAT, DIV = 17.16, 8.34, 0.028, 94.65, 36.25


def test_array_shapes_clock_and_dram():
    for name in ("fusemax", "flat"):
        hw = arch.load_arch(name)
        assert hw.unit("PE2D").mesh == (256, 256) and hw.unit("PE1D").mesh == (256,)
        assert hw.clock_hz == 940e6
        assert hw.level("DRAM").read_bandwidth_bytes_per_cycle * hw.clock_hz == pytest.approx(400 * 2**30)
    assert arch.load_arch("fusemax").level("GlobalBuffer").size_bytes == 16 * 2**20
    assert arch.load_arch("flat").level("GlobalBuffer").size_bytes == 32 * 2**20


def test_fusemax_has_no_exp_unit_anywhere():
    hw = arch.load_arch("fusemax")
    for unit in ("PE2D", "PE1D"):
        exp = hw.unit(unit).op("exp")
        assert dict(exp.implemented_as) == {"mac": 6, "add": 1}
        assert 1 / exp.ops_per_cycle == pytest.approx(7)
        assert exp.energy_pj == pytest.approx(6 * MAC + ADD)


def test_flat_two_d_pes_only_mac_and_one_d_has_exp_unit():
    hw = arch.load_arch("flat")
    assert set(hw.unit("PE2D").ops) == {"mac"}
    exp = hw.unit("PE1D").op("exp")
    assert exp.ops_per_cycle == 1 and exp.energy_pj == EXP_FLAT and not exp.implemented_as
    assert hw.unit("PE1D").energy_pj("div") == DIV


def test_fusemax_two_d_pes_run_the_softmax_ops():
    pe = arch.load_arch("fusemax").unit("PE2D")
    assert {"mac", "add", "max", "exp"} <= set(pe.ops) and "div" not in pe.ops
    assert pe.energy_pj("max") == MAX


def test_buffer_row_energy_follows_the_documented_sqrt_law():
    """4096-bit row from one of 32 banks: 4096 * (10/64 pJ/bit) * sqrt(bank / 8 KiB)."""
    for name, size in (("fusemax", 16 * 2**20), ("flat", 32 * 2**20)):
        glb = arch.load_arch(name).level("GlobalBuffer")
        assert glb.access_bits == 4096
        expected = 4096 * (10 / 64) * math.sqrt(size / 32 / 8192)
        assert glb.read_energy_pj == pytest.approx(expected)
    per_word = {n: arch.load_arch(n).level("GlobalBuffer").read_energy_pj_per_byte * 2 for n in ("fusemax", "flat")}
    assert per_word["flat"] / per_word["fusemax"] == pytest.approx(math.sqrt(2))
    dram_word = arch.load_arch("fusemax").level("DRAM").read_energy_pj_per_byte * 2
    assert per_word["flat"] < dram_word, "an on-chip word must cost less than a DRAM word"


def test_law_agrees_with_the_artifacts_cacti_point_within_a_third():
    """Monolithic 32 MiB, 64-bit port: CACTI (artifact, stale) 485 pJ per read."""
    law = 64 * (10 / 64) * math.sqrt(32 * 2**20 / 8192)
    assert abs(law - 485) / 485 < 0.33


def test_register_files_are_per_pe_levels_under_the_buffer():
    hw = arch.load_arch("fusemax")
    assert hw.unit("PE2D").storage == "PE2D_RF" and hw.unit("PE1D").storage == "PE1D_RF"
    assert hw.level("PE2D_RF").instances == 65536 and hw.level("PE2D_RF").size_bytes == 32
    assert hw.level("PE1D_RF").instances == 256 and hw.level("PE1D_RF").size_bytes == 64
    assert hw.level("PE2D_RF").read_energy_pj < hw.level("GlobalBuffer").read_energy_pj / 256


def test_iso_area_fusemax_is_6_4_percent_smaller():
    fusemax, flat = arch.load_arch("fusemax"), arch.load_arch("flat")
    assert 1 - fusemax.total_area_um2 / flat.total_area_um2 == pytest.approx(0.064, abs=0.002)


def test_array_size_overrides_scale_area():
    small = arch.load_arch("fusemax", {"pe_rows": 16, "pe_cols": 16, "pe_1d": 16})
    full = arch.load_arch("fusemax")
    assert small.unit("PE2D").total_pes == 256
    assert small.level("PE2D_RF").instances == 256
    assert small.total_area_um2 < full.total_area_um2
    assert small.area_breakdown_um2()["GlobalBuffer"] == full.area_breakdown_um2()["GlobalBuffer"]
