from __future__ import annotations

import pytest

from validate.cases import FAMILIES
from validate.suites import suite


@pytest.mark.parametrize("device", ["cpu", "cuda"])
@pytest.mark.parametrize("size", ["quick", "default", "full"])
def test_every_suite_covers_every_family(device, size):
    assert {c.family for c in suite(device, size)} == set(FAMILIES)


def test_default_cpu_suite_has_the_issue_shapes():
    cases = suite("cpu")
    matmuls = [c.params for c in cases if c.family == "matmul"]
    assert any(p["m"] == p["n"] == p["k"] for p in matmuls), "square"
    assert any(p["m"] > 4 * p["n"] for p in matmuls), "tall"
    assert any(p["m"] <= 8 for p in matmuls), "flat decode-shaped"
    assert {c.dtype for c in cases if c.family == "matmul"} >= {"fp32", "bf16", "fp16"}
    prefill = [c.params for c in cases if c.family == "sdpa_prefill"]
    assert {p["head_dim"] for p in prefill} == {64, 128}
    assert {p["causal"] for p in prefill} == {0, 1}
    assert len({p["seq"] for p in prefill}) >= 3
    decode = [c.params for c in cases if c.family == "decode_attention"]
    assert all(p["kv_len"] >= 8192 for p in decode)


def test_names_are_unique_and_full_extends_default():
    for device in ("cpu", "cuda"):
        full = [c.name for c in suite(device, "full")]
        assert len(full) == len(set(full))
        assert set(c.name for c in suite(device)) <= set(full)


def test_family_filter_and_errors():
    assert {c.family for c in suite("cpu", "quick", ("softmax",))} == {"softmax"}
    with pytest.raises(ValueError, match="allowed: quick, default, full"):
        suite("cpu", "huge")
    with pytest.raises(ValueError, match="allowed: cpu, cuda"):
        suite("tpu")
    with pytest.raises(ValueError, match="unknown kernel families"):
        suite("cpu", "quick", ("conv",))
