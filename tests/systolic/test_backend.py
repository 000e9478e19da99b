"""The systolic backend through the public API and CLI."""

import pathlib

import pytest

from sim.api import load_inputs, run, simulate
from sim.cli import main
from sim.systolic import ConvLayer, SystolicConfig, evaluate
from sim.systolic.backend import _einsum, parse_mapping
from sim.systolic.mapping import SystolicMapping
from specbase import SpecError, parse_document

GEMM_512 = {"rows": 32, "cols": 32, "dataflow": "ws", "M": 512, "N": 512, "K": 512}


def test_issue_command_matches_scalesim_reference():
    result = simulate("arch/presets/systolic.yaml", "workloads/presets/gemm.yaml", GEMM_512)
    assert result.latency_cycles == 155_135  # peers.md: 256 * 606 - 1
    assert result.metrics["ideal_cycles"] == 256 * 512
    assert result.metrics["stationary_load_cycles"] == 256 * 32
    assert result.metrics["fill_drain_cycles"] == 256 * 62
    assert result.bound.startswith("compute")
    assert result.utilization["PEArray"] == pytest.approx(512**3 / (155_136 * 1024))


def test_os_reference_and_traffic_levels():
    result = simulate("systolic", "gemm", {**GEMM_512, "dataflow": "os"})
    assert result.latency_cycles == 146_943
    dram = result.traffic_at("DRAM")
    assert dram.read_bytes == 2 * 512 * 512  # both operands fit: compulsory reads
    assert dram.write_bytes == 512 * 512
    assert set(result.energy_pj) == {"DRAM", "IfmapSRAM", "FilterSRAM", "OfmapSRAM", "PEArray"}
    assert result.energy_pj["PEArray"] == pytest.approx(512**3 * 0.2)


def test_cli_prints_the_cycles(capsys):
    code = main(["run", "arch/presets/systolic.yaml", "workloads/presets/gemm.yaml",
                 *[f"--set={k}={v}" for k, v in GEMM_512.items()], "--format", "json"])
    assert code == 0
    assert '"latency_cycles": 155135' in capsys.readouterr().out


def test_conv_preset_equals_direct_layer():
    params = {"rows": 8, "cols": 16, "dataflow": "is", "C": 3, "K": 20, "H": 15, "W": 11,
              "R": 5, "S": 3, "stride": 2}
    result = simulate("systolic", "workloads/presets/conv2d.yaml", params)
    layer = ConvLayer(ifmap_h=15, ifmap_w=11, filter_h=5, filter_w=3, channels=3,
                      num_filters=20, stride_h=2, stride_w=2)
    direct = evaluate(SystolicConfig(8, 16, "is", 1 << 20, 1 << 20, 1 << 20), layer)
    assert result.latency_cycles == direct.total_cycles
    assert result.metrics["ifmap_sram_reads"] == direct.sram.ifmap_reads


def test_batch_ranks_repeat_the_layer():
    params = {"B": 1, "H": 4, "M": 128, "P": 96, "E": 64, "F": 64}
    inputs = load_inputs("systolic", "attention_3pass", params)
    single = evaluate(SystolicConfig(32, 32, "ws", 1 << 20, 1 << 20, 1 << 20),
                      ConvLayer.gemm(96, 128, 64))
    row, lowered, _report = _einsum(inputs.arch, inputs.arch.section("systolic"), inputs.workload,
                                   0, SystolicMapping())
    assert lowered.repeats == 4
    assert row.latency_cycles == 4 * single.total_cycles


def test_non_mac_einsum_is_a_clear_error():
    with pytest.raises(SpecError, match=r"einsums\[1\].*not a two-input multiply-accumulate"):
        simulate("systolic", "attention_3pass", {"B": 1, "H": 1, "M": 64, "P": 64})


def test_bad_dataflow_names_allowed_values():
    with pytest.raises(SpecError, match="'os', 'ws' or 'is'"):
        simulate("systolic", "gemm", {"dataflow": "rs"})


def test_limited_mode_requires_bandwidth(tmp_path):
    text = pathlib.Path("arch/presets/systolic.yaml").read_text().replace(
        "  dram_bandwidth_bytes_per_cycle: dram_bandwidth_bytes_per_cycle\nsources",
        "\nsources")
    path = tmp_path / "a.yaml"
    path.write_text(text)
    with pytest.raises(SpecError, match="needs dram_bandwidth_bytes_per_cycle"):
        simulate(str(path), "gemm", {"dram_bandwidth_mode": "limited"})


def test_limited_bandwidth_stalls_and_is_monotone():
    base = {"M": 256, "N": 256, "K": 256, "dram_bandwidth_mode": "limited",
            "ifmap_sram_kib": 16}
    slow = simulate("systolic", "gemm", {**base, "dram_bandwidth_bytes_per_cycle": 4})
    fast = simulate("systolic", "gemm", {**base, "dram_bandwidth_bytes_per_cycle": 64})
    free = simulate("systolic", "gemm", {**base, "dram_bandwidth_mode": "stall_free"})
    assert slow.bound == "DRAM bandwidth"
    assert slow.latency_cycles > fast.latency_cycles >= free.latency_cycles
    dram_bytes = slow.traffic_at("DRAM").total_bytes
    assert slow.latency_cycles >= dram_bytes / 4 - 1


def _mapping(text, params=None):
    inputs = load_inputs("systolic", "gemm", params or {"M": 64, "N": 48, "K": 40})
    return inputs, parse_mapping(parse_document(text, "m.yaml"), inputs.arch, inputs.workload)


def test_mapping_sets_dataflow_and_operand_roles():
    inputs, mapping = _mapping("dataflow: os\neinsums:\n  Z: {ifmap: B}\n")
    result = run(inputs.arch, inputs.workload, mapping)
    # B (40 x 48) streams as the ifmap: the GEMM becomes M=48, N=64, K=40 (os on 32x32)
    expected = evaluate(SystolicConfig(32, 32, "os", 1 << 20, 1 << 20, 1 << 20),
                        ConvLayer.gemm(48, 64, 40))
    assert result.latency_cycles == expected.total_cycles
    assert result.tables["systolic_layers"][0]["dataflow"] == "os"


def test_mapping_errors_name_field_and_allowed_values():
    with pytest.raises(SpecError, match=r"einsums.Q: no Einsum 'Q'.*allowed: Z"):
        _mapping("einsums:\n  Q: {dataflow: ws}\n")
    with pytest.raises(SpecError, match=r"einsums.Z.ifmap.*allowed: A, B"):
        _mapping("einsums:\n  Z: {ifmap: C}\n")
    with pytest.raises(SpecError, match="dataflow"):
        _mapping("dataflow: xx\n")
    with pytest.raises(SpecError, match=r"foo: unknown field \(allowed: dataflow, einsums\)"):
        _mapping("foo: 1\n")
    with pytest.raises(SpecError, match=r"einsums.Z.bar: unknown field \(allowed: dataflow, ifmap\)"):
        _mapping("einsums:\n  Z: {bar: 1}\n")


def test_too_small_sram_is_a_spec_error():
    with pytest.raises(SpecError, match=r"systolic: .*ifmap_sram_bytes holds 64 words; at least 100"):
        simulate("systolic", "gemm", {"ifmap_sram_kib": 0.0625})
