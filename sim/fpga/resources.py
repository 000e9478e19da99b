"""FPGA resource counts (DSP, BRAM18, URAM, LUT, FF) and whether a design fits."""

from __future__ import annotations

from dataclasses import dataclass, fields

RESOURCE_NAMES = ("dsp", "bram18", "uram", "lut", "ff")


@dataclass(frozen=True)
class Resources:
    """Counts of each FPGA resource; BRAM is counted in 18 Kb halves (BRAM18)."""

    dsp: float = 0.0
    bram18: float = 0.0
    uram: float = 0.0
    lut: float = 0.0
    ff: float = 0.0

    def __add__(self, other: Resources) -> Resources:
        return Resources(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def scaled(self, factor: float) -> Resources:
        return Resources(**{f.name: getattr(self, f.name) * factor for f in fields(self)})

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in RESOURCE_NAMES}

    @staticmethod
    def total(items) -> Resources:
        out = Resources()
        for item in items:
            out = out + item
        return out


@dataclass(frozen=True)
class FpgaDevice:
    """What the model needs of a device: resources, clock and off-chip memory."""

    name: str
    available: Resources
    clock_hz: float
    offchip_bandwidth_bytes_per_s: float
    dsp_min_multiplier_bits: int = 8
    max_unroll_multipliers: int = 4096

    def utilization(self, used: Resources) -> dict[str, float]:
        """Fraction of each resource used (0 where the device has none and none is used)."""
        out = {}
        for name in RESOURCE_NAMES:
            have, need = getattr(self.available, name), getattr(used, name)
            out[name] = need / have if have else (0.0 if need == 0 else float("inf"))
        return out

    def fits(self, used: Resources, max_fraction: float = 1.0) -> bool:
        return all(value <= max_fraction for value in self.utilization(used).values())

    def limiting_resource(self, used: Resources) -> str:
        util = self.utilization(used)
        return max(util, key=util.get)
