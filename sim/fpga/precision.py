"""Fixed-point precision ``ap_fixed<W,I>`` and how wide multipliers map onto DSP slices."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_AP_FIXED = re.compile(r"^\s*ap_(u?)fixed\s*<\s*(\d+)\s*,\s*(-?\d+)\s*(?:,[^>]*)?>\s*$")
_AP_INT = re.compile(r"^\s*ap_(u?)int\s*<\s*(\d+)\s*>\s*$")

DSP_A_BITS = 27
"""Width of the wide multiplier port of a DSP48E2 (signed 27 x 18)."""
DSP_B_BITS = 18
"""Width of the narrow multiplier port of a DSP48E2."""


@dataclass(frozen=True)
class FixedPoint:
    """``ap_fixed<width_bits, integer_bits>``; a bare integer P means ``ap_fixed<P,1>``."""

    width_bits: int
    integer_bits: int = 1
    signed: bool = True

    def __post_init__(self) -> None:
        if self.width_bits < 1:
            raise ValueError(f"fixed-point width must be >= 1 bit, got {self.width_bits}")

    @property
    def text(self) -> str:
        prefix = "ap_fixed" if self.signed else "ap_ufixed"
        return f"{prefix}<{self.width_bits},{self.integer_bits}>"

    @classmethod
    def parse(cls, value: object) -> FixedPoint:
        """Accept ``16``, ``"16"``, ``"ap_fixed<16,6>"``, ``"ap_ufixed<8,0>"`` or ``"ap_int<8>"``."""
        if isinstance(value, FixedPoint):
            return value
        if isinstance(value, bool):
            raise ValueError(f"precision must be a bit width or ap_fixed<W,I>, got {value!r}")
        if isinstance(value, int | float) and float(value).is_integer():
            return cls(int(value))
        text = str(value)
        if text.strip().isdigit():
            return cls(int(text))
        match = _AP_FIXED.match(text)
        if match:
            return cls(int(match.group(2)), int(match.group(3)), signed=not match.group(1))
        match = _AP_INT.match(text)
        if match:
            width = int(match.group(2))
            return cls(width, width, signed=not match.group(1))
        raise ValueError(f"precision must be a bit width or ap_fixed<W,I>, got {value!r}")


def dsp_per_multiplier(a_bits: int, b_bits: int, min_bits: int) -> int:
    """DSP slices one a x b multiplier takes; 0 when it is narrow enough to go into LUTs.

    Vitis maps a product onto DSPs when its operands are at least ``min_bits`` wide
    (8 in the wa-hls4ml Vitis 2023.2 data; hls4ml's own estimator uses 9). Wider
    products tile over 27 x 18 slices.
    """
    wide, narrow = max(a_bits, b_bits), min(a_bits, b_bits)
    if wide < min_bits:
        return 0
    return math.ceil(wide / DSP_A_BITS) * math.ceil(narrow / DSP_B_BITS)


def lut_per_multiplier(a_bits: int, b_bits: int) -> int:
    """LUT6s of a soft (LUT-built) a x b multiplier: about one LUT per two partial-product bits."""
    return max(1, math.ceil(a_bits * b_bits / 2))
