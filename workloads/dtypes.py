"""Element types and their widths."""

from __future__ import annotations

import re

BITS = {
    "fp64": 64, "fp32": 32, "tf32": 32, "fp16": 16, "bf16": 16, "fp8": 8, "fp4": 4,
    "int64": 64, "int32": 32, "int16": 16, "int8": 8, "int4": 4,
}
_SIZED = re.compile(r"^(u?int|fixed)(\d+)$")
ALLOWED = ", ".join([*BITS, "intN", "uintN", "fixedN"])


def dtype_bits(dtype: str) -> int:
    """Width in bits; raises ValueError naming the allowed types."""
    if dtype in BITS:
        return BITS[dtype]
    match = _SIZED.match(dtype)
    if match and 1 <= int(match.group(2)) <= 64:
        return int(match.group(2))
    raise ValueError(f"unknown dtype {dtype!r}")
