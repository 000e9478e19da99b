"""The dense and ViT generators produce real Einsum cascades with the expected work."""

import pytest

import arch
import workloads
from specbase import SpecError


def test_dense_cascade():
    w = workloads.load_workload("dense", {"layers": "64-32-10", "precision": "ap_fixed<8,3>"})
    assert [e.name for e in w.einsums] == ["Y1", "A1", "Y2", "Z2"]
    assert w.einsum("Y1").op_counts == {"mac": 64 * 32}
    assert w.einsum("A1").op_counts == {"max": 32, "add": 32}
    assert w.tensor("W1").bits == 8
    assert [t.name for t in w.outputs] == ["Z2"]


def test_dense_without_bias_or_activation():
    w = workloads.load_workload("dense", {"layers": "8-4-2", "bias": 0, "activation": "none"})
    assert [e.name for e in w.einsums] == ["Y1", "Y2"]


@pytest.mark.parametrize(("name", "value"), [("layers", "64"), ("precision", "huge"), ("activation", "tanh")])
def test_dense_bad_parameters(name, value):
    with pytest.raises(SpecError, match="dense_layers"):
        workloads.load_workload("dense", {name: value})


def test_vit_layer_macs_by_hand():
    n, d, x = 129, 192, 768
    w = workloads.load_workload("vit_layer_edge_moe", {"ffn": "mlp"})
    macs = sum(e.op_counts.get("mac", 0) for e in w.einsums if not e.name.startswith(("L0_VAR",)))
    hand = 4 * n * d * d + 2 * n * n * d + 2 * n * d * x
    assert macs == hand


def test_vit_moe_layer_has_expert_products():
    w = workloads.load_workload("vit_layer_edge_moe", {"ffn": "moe"})
    he = w.einsum("L0_HE")
    assert he.op_counts["mac"] == 16 * 16 * 192 * 384
    assert w.tensor("WL0_e1").shape == (16, 192, 384)
    assert w.tensor("WL0_e1").bits == 16


def test_vit_full_inference_alternates_ffn():
    w = workloads.load_workload("vit_edge_moe")
    names = {e.name for e in w.einsums}
    assert "PE" in names and "L0_H" in names and "L1_HE" in names and "L11_HE" in names
    assert "L1_H" not in names and "L10_H" in names


def test_vit_bad_parameters():
    with pytest.raises(SpecError, match="ffn"):
        workloads.load_workload("vit_layer_edge_moe", {"ffn": "dense"})
    with pytest.raises(SpecError, match="divisible"):
        workloads.load_workload("vit_layer_edge_moe", {"heads": 5})


@pytest.mark.parametrize(("preset", "dsp", "clock"), [("u250", 12288, 200e6), ("u55c", 9024, 200e6),
                                                       ("zcu102", 2520, 200e6), ("zcu102_edge_moe", 2520, 300e6)])
def test_presets(preset, dsp, clock):
    a = arch.load_arch(preset)
    assert a.kind == "fpga"
    assert a.clock_hz == clock
    assert a.section("fpga").dsp_slices == dsp


def test_edge_moe_overlap_parameter():
    a = arch.load_arch("zcu102_edge_moe", {"overlap_weight_load": 0})
    assert a.section("fpga").edge_moe.overlap_weight_load is False


def test_cnn_cascade_uses_sliding_windows():
    w = workloads.load_workload("cnn", {"input": "8x8x2", "layers": "c4k3-d5"})
    conv = w.einsum("Y1")
    assert conv.op_counts == {"mac": 6 * 6 * 4 * 2 * 3 * 3}
    assert w.einsum("Y2").op_counts == {"mac": 6 * 6 * 4 * 5}


@pytest.mark.parametrize("layers", ["c4", "d5-c4k3", "c4k9"])
def test_cnn_bad_layers(layers):
    with pytest.raises(SpecError, match="cnn_layers"):
        workloads.load_workload("cnn", {"input": "8x8x2", "layers": layers})
