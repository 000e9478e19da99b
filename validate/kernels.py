"""Real torch kernels for each case: inputs are allocated once, the returned callable runs the kernel.

The callables are what ``validate.timing.measure`` times; they run under
``torch.inference_mode`` so no autograd bookkeeping is measured.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from validate.cases import KernelCase

TORCH_DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}


def build(torch: Any, case: KernelCase, device: str, seed: int = 0) -> Callable[[], Any]:
    """Allocate the inputs of ``case`` on ``device`` and return a zero-argument kernel call."""
    gen = torch.Generator(device="cpu").manual_seed(seed)
    dtype = getattr(torch, TORCH_DTYPES[case.dtype])

    def randn(*shape: int) -> Any:
        return torch.randn(*shape, generator=gen, dtype=torch.float32).to(device=device, dtype=dtype)

    kernel = _BUILDERS[case.family](torch, case.params, randn)

    def call() -> Any:
        with torch.inference_mode():
            return kernel()

    return call


def _matmul(torch: Any, p: dict, randn: Callable) -> Callable[[], Any]:
    a, b = randn(p["m"], p["k"]), randn(p["k"], p["n"])
    out = torch.empty(p["m"], p["n"], dtype=a.dtype, device=a.device)
    return lambda: torch.mm(a, b, out=out)


def _softmax(torch: Any, p: dict, randn: Callable) -> Callable[[], Any]:
    x = randn(p["rows"], p["cols"])
    return lambda: torch.softmax(x, dim=-1)


def _layernorm(torch: Any, p: dict, randn: Callable) -> Callable[[], Any]:
    x, weight, bias = randn(p["rows"], p["cols"]), randn(p["cols"]), randn(p["cols"])
    return lambda: torch.nn.functional.layer_norm(x, (p["cols"],), weight, bias)


def _sdpa_prefill(torch: Any, p: dict, randn: Callable) -> Callable[[], Any]:
    shape = (p["batch"], p["heads"], p["seq"], p["head_dim"])
    q, k, v = randn(*shape), randn(*shape), randn(*shape)
    causal = bool(p["causal"])
    return lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)


def _decode_attention(torch: Any, p: dict, randn: Callable) -> Callable[[], Any]:
    q = randn(p["batch"], p["q_heads"], 1, p["head_dim"])
    k = randn(p["batch"], p["kv_heads"], p["kv_len"], p["head_dim"])
    v = randn(p["batch"], p["kv_heads"], p["kv_len"], p["head_dim"])
    gqa = p["q_heads"] != p["kv_heads"]
    return lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=gqa)


_BUILDERS = {
    "matmul": _matmul,
    "softmax": _softmax,
    "layernorm": _layernorm,
    "sdpa_prefill": _sdpa_prefill,
    "decode_attention": _decode_attention,
}
