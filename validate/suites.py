"""The validation suites: which cases run, per device and size.

``quick`` is a smoke run (seconds), ``default`` covers every family with several
shapes and stays under a minute on a 2-core CPU, ``full`` adds shapes and dtypes.
GPU suites use production-sized shapes; CPU suites are scaled down so a run stays short.
"""

from __future__ import annotations

from validate.cases import FAMILIES, KernelCase

SIZES = ("quick", "default", "full")


def _mm(m: int, n: int, k: int, dtype: str = "fp32") -> KernelCase:
    return KernelCase("matmul", {"m": m, "n": n, "k": k}, dtype)


def _rows(family: str, rows: int, cols: int, dtype: str = "fp32") -> KernelCase:
    return KernelCase(family, {"rows": rows, "cols": cols}, dtype)


def _prefill(seq: int, head_dim: int, causal: bool, heads: int = 8, batch: int = 1,
             dtype: str = "fp32") -> KernelCase:
    params = {"batch": batch, "heads": heads, "seq": seq, "head_dim": head_dim, "causal": int(causal)}
    return KernelCase("sdpa_prefill", params, dtype)


def _decode(kv_len: int, head_dim: int = 128, q_heads: int = 32, kv_heads: int = 8, batch: int = 1,
            dtype: str = "fp32") -> KernelCase:
    params = {"batch": batch, "q_heads": q_heads, "kv_heads": kv_heads, "kv_len": kv_len, "head_dim": head_dim}
    return KernelCase("decode_attention", params, dtype)


def _cpu_quick() -> list[KernelCase]:
    return [
        _mm(512, 512, 512), _mm(4, 2048, 2048),
        _rows("softmax", 1024, 1024), _rows("layernorm", 1024, 1024),
        _prefill(256, 64, False), _decode(4096),
    ]


def _cpu_default() -> list[KernelCase]:
    return [
        _mm(512, 512, 512), _mm(1024, 1024, 1024), _mm(4096, 256, 256), _mm(256, 4096, 256),
        _mm(1, 4096, 4096), _mm(8, 4096, 4096), _mm(256, 256, 256, "bf16"), _mm(256, 256, 256, "fp16"),
        _rows("softmax", 4096, 1024), _rows("softmax", 64, 65536), _rows("softmax", 256, 256),
        _rows("layernorm", 4096, 1024), _rows("layernorm", 256, 256),
        _prefill(256, 64, False), _prefill(512, 64, True), _prefill(512, 128, False), _prefill(1024, 128, True),
        _decode(8192), _decode(16384, head_dim=64),
    ]


def _cpu_full() -> list[KernelCase]:
    extra = [
        _mm(2048, 2048, 2048), _mm(16384, 128, 128), _mm(128, 128, 16384), _mm(1, 8192, 8192),
        _mm(512, 512, 512, "bf16"), _mm(512, 512, 512, "fp16"),
        _rows("softmax", 16384, 4096), _rows("softmax", 8, 1 << 20), _rows("layernorm", 16384, 4096),
        _rows("layernorm", 4096, 1024, "bf16"),
        _prefill(1024, 64, False), _prefill(2048, 64, True), _prefill(2048, 128, False), _prefill(256, 128, True),
        _decode(32768), _decode(65536, q_heads=8, kv_heads=8), _decode(8192, batch=4),
    ]
    return _cpu_default() + extra


def _gpu_default() -> list[KernelCase]:
    cases = [
        _mm(8192, 8192, 8192, "bf16"), _mm(4096, 4096, 4096, "fp16"), _mm(4096, 4096, 4096, "fp32"),
        _mm(65536, 1024, 1024, "bf16"), _mm(1, 8192, 8192, "bf16"), _mm(16, 8192, 8192, "bf16"),
        _rows("softmax", 65536, 4096, "bf16"), _rows("softmax", 4096, 65536, "fp32"),
        _rows("layernorm", 65536, 4096, "bf16"), _rows("layernorm", 16384, 8192, "fp32"),
    ]
    for seq in (1024, 4096, 16384):
        for head_dim in (64, 128):
            for causal in (False, True):
                cases.append(_prefill(seq, head_dim, causal, heads=16, batch=max(1, 16384 // seq),
                                      dtype="bf16"))
    cases += [_decode(32768, batch=16, q_heads=64, kv_heads=8, dtype="bf16"),
              _decode(131072, batch=4, q_heads=64, kv_heads=8, dtype="bf16")]
    return cases


def _gpu_quick() -> list[KernelCase]:
    return [_mm(4096, 4096, 4096, "bf16"), _mm(1, 8192, 8192, "bf16"),
            _rows("softmax", 16384, 4096, "bf16"), _rows("layernorm", 16384, 4096, "bf16"),
            _prefill(4096, 128, True, heads=16, batch=4, dtype="bf16"),
            _decode(32768, batch=16, q_heads=64, kv_heads=8, dtype="bf16")]


def _gpu_full() -> list[KernelCase]:
    extra = [_mm(16384, 16384, 16384, "bf16"), _mm(8192, 8192, 8192, "fp16"), _mm(64, 8192, 8192, "bf16")]
    extra += [_prefill(32768, 128, True, heads=16, dtype="bf16"),
              _decode(262144, batch=1, q_heads=64, kv_heads=8, dtype="bf16")]
    return _gpu_default() + extra


_SUITES = {
    ("cpu", "quick"): _cpu_quick, ("cpu", "default"): _cpu_default, ("cpu", "full"): _cpu_full,
    ("cuda", "quick"): _gpu_quick, ("cuda", "default"): _gpu_default, ("cuda", "full"): _gpu_full,
}


def suite(device: str, size: str = "default", families: tuple[str, ...] | None = None) -> list[KernelCase]:
    """The cases of one suite, optionally restricted to some families."""
    if size not in SIZES:
        raise ValueError(f"unknown suite size {size!r}; allowed: {', '.join(SIZES)}")
    key = ("cuda" if device.startswith("cuda") else device, size)
    if key not in _SUITES:
        raise ValueError(f"no suite for device {device!r}; allowed: cpu, cuda")
    wanted = families or FAMILIES
    unknown = [f for f in wanted if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown kernel families {unknown}; allowed: {', '.join(FAMILIES)}")
    return [c for c in _SUITES[key]() if c.family in wanted]
