"""Numbers as an architect reads them: SI prefixes, a few significant digits."""

from __future__ import annotations

import math

PREFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"),
            (1e-12, "p"))


def si(value: float, unit: str, digits: int = 4) -> str:
    """``si(0.012584, "s") == "12.58 ms"``; zero, NaN and infinity are written plainly."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g} {unit}"
    for scale, prefix in PREFIXES:
        if abs(value) >= scale * (1 - 1e-12):
            return f"{value / scale:.{digits}g} {prefix}{unit}"
    scale, prefix = PREFIXES[-1]
    return f"{value / scale:.{digits}g} {prefix}{unit}"
