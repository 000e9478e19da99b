"""The torch kernels compute what their family names (small shapes on CPU)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from validate.cases import KernelCase  # noqa: E402
from validate.kernels import build  # noqa: E402


def test_matmul_and_rowwise_shapes():
    assert tuple(build(torch, KernelCase("matmul", {"m": 3, "n": 5, "k": 7}), "cpu")().shape) == (3, 5)
    out = build(torch, KernelCase("softmax", {"rows": 4, "cols": 16}), "cpu")()
    assert torch.allclose(out.sum(-1), torch.ones(4))
    ln = build(torch, KernelCase("layernorm", {"rows": 4, "cols": 16}, "bf16"), "cpu")()
    assert ln.dtype == torch.bfloat16 and tuple(ln.shape) == (4, 16)


def test_prefill_causal_differs_from_full():
    params = {"batch": 1, "heads": 2, "seq": 8, "head_dim": 4}
    full = build(torch, KernelCase("sdpa_prefill", {**params, "causal": 0}), "cpu")()
    causal = build(torch, KernelCase("sdpa_prefill", {**params, "causal": 1}), "cpu")()
    assert tuple(full.shape) == (1, 2, 8, 4)
    assert torch.allclose(full[:, :, -1], causal[:, :, -1], atol=1e-6), "last query sees every key"
    assert not torch.allclose(full[:, :, 0], causal[:, :, 0])


def test_decode_gqa_matches_explicit_attention():
    case = KernelCase("decode_attention", {"batch": 1, "q_heads": 4, "kv_heads": 2, "kv_len": 16, "head_dim": 8})
    out = build(torch, case, "cpu", seed=3)()
    gen = torch.Generator().manual_seed(3)
    q = torch.randn(1, 4, 1, 8, generator=gen)
    k = torch.randn(1, 2, 16, 8, generator=gen)
    v = torch.randn(1, 2, 16, 8, generator=gen)
    k, v = k.repeat_interleave(2, dim=1), v.repeat_interleave(2, dim=1)
    ref = torch.softmax(q @ k.transpose(-1, -2) / 8 ** 0.5, dim=-1) @ v
    assert torch.allclose(out, ref, atol=1e-5)
