"""Kernel cases: one real kernel at one shape and dtype, with its work counted.

A case is pure data: the family it belongs to, its shape parameters and dtype. The
work it does (FLOPs under a stated convention, compulsory bytes) is derived here so
that measured and simulated times can also be read as rates.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

FAMILIES = ("matmul", "softmax", "layernorm", "sdpa_prefill", "decode_attention")

DTYPE_BYTES = {"fp32": 4, "fp16": 2, "bf16": 2, "fp8": 1}

REQUIRED_PARAMS = {
    "matmul": ("m", "n", "k"),
    "softmax": ("rows", "cols"),
    "layernorm": ("rows", "cols"),
    "sdpa_prefill": ("batch", "heads", "seq", "head_dim", "causal"),
    "decode_attention": ("batch", "q_heads", "kv_heads", "kv_len", "head_dim"),
}


@dataclass(frozen=True)
class KernelCase:
    """One kernel at one shape: ``params`` holds integer sizes (``causal`` is 0 or 1).

    fp8 appears only in published figures; the torch suites time fp32, fp16 and bf16.
    """

    family: str
    params: Mapping[str, int] = field(default_factory=dict)
    dtype: str = "fp32"

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"unknown kernel family {self.family!r}; allowed: {', '.join(FAMILIES)}")
        if self.dtype not in DTYPE_BYTES:
            raise ValueError(f"unknown dtype {self.dtype!r}; allowed: {', '.join(DTYPE_BYTES)}")
        missing = [p for p in REQUIRED_PARAMS[self.family] if p not in self.params]
        if missing:
            raise ValueError(f"{self.family} case lacks parameters {missing}")
        order = [*REQUIRED_PARAMS[self.family], *sorted(set(self.params) - set(REQUIRED_PARAMS[self.family]))]
        object.__setattr__(self, "params", MappingProxyType({k: int(self.params[k]) for k in order}))

    @property
    def name(self) -> str:
        """Stable identifier, e.g. ``matmul_m512_n512_k512_fp32``."""
        parts = "_".join(f"{_short(k)}{v}" for k, v in self.params.items())
        return f"{self.family}_{parts}_{self.dtype}"

    @property
    def shape_label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.params.items())

    @property
    def element_bytes(self) -> int:
        return DTYPE_BYTES[self.dtype]

    def params_json(self) -> str:
        return json.dumps(dict(self.params), sort_keys=True)

    @property
    def flops(self) -> float:
        """Useful FLOPs (a multiply-add counts 2; causal attention counts half the score matrix)."""
        return _FLOPS[self.family](self.params)

    @property
    def compulsory_bytes(self) -> float:
        """Bytes every implementation must move: each input read once, each output written once."""
        return _ELEMENTS[self.family](self.params) * self.element_bytes


def case_from_row(family: str, params_json: str, dtype: str) -> KernelCase:
    """Rebuild a case from the stored columns."""
    return KernelCase(family, json.loads(params_json), dtype)


def _short(name: str) -> str:
    return {"head_dim": "d", "kv_len": "kv", "q_heads": "hq", "kv_heads": "hkv", "batch": "b",
            "heads": "h", "rows": "r", "cols": "c", "seq": "s", "causal": "causal"}.get(name, name)


def _matmul_flops(p: Mapping[str, int]) -> float:
    return 2.0 * p["m"] * p["n"] * p["k"]


def _rowwise_flops(per_element: float):
    return lambda p: per_element * p["rows"] * p["cols"]


def _prefill_flops(p: Mapping[str, int]) -> float:
    full = 4.0 * p["batch"] * p["heads"] * p["seq"] * p["seq"] * p["head_dim"]
    return full / 2 if p["causal"] else full


def _decode_flops(p: Mapping[str, int]) -> float:
    return 4.0 * p["batch"] * p["q_heads"] * p["kv_len"] * p["head_dim"]


def _matmul_elements(p: Mapping[str, int]) -> float:
    return float(p["m"] * p["k"] + p["k"] * p["n"] + p["m"] * p["n"])


def _softmax_elements(p: Mapping[str, int]) -> float:
    return 2.0 * p["rows"] * p["cols"]


def _layernorm_elements(p: Mapping[str, int]) -> float:
    return 2.0 * p["rows"] * p["cols"] + 2.0 * p["cols"]


def _prefill_elements(p: Mapping[str, int]) -> float:
    return 4.0 * p["batch"] * p["heads"] * p["seq"] * p["head_dim"]


def _decode_elements(p: Mapping[str, int]) -> float:
    kv = 2.0 * p["batch"] * p["kv_heads"] * p["kv_len"] * p["head_dim"]
    return kv + 2.0 * p["batch"] * p["q_heads"] * p["head_dim"]


_FLOPS = {
    "matmul": _matmul_flops,
    "softmax": _rowwise_flops(5.0),
    "layernorm": _rowwise_flops(8.0),
    "sdpa_prefill": _prefill_flops,
    "decode_attention": _decode_flops,
}

_ELEMENTS = {
    "matmul": _matmul_elements,
    "softmax": _softmax_elements,
    "layernorm": _layernorm_elements,
    "sdpa_prefill": _prefill_elements,
    "decode_attention": _decode_elements,
}


def arithmetic_intensity(case: KernelCase) -> float:
    """FLOPs per compulsory byte."""
    return case.flops / case.compulsory_bytes if case.compulsory_bytes else math.inf
