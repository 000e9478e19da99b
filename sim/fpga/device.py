"""Build the model's :class:`FpgaDevice` from an architecture's ``fpga`` section."""

from __future__ import annotations

from arch import Architecture
from sim.errors import SimulationError
from sim.fpga.resources import FpgaDevice, Resources


def fpga_section(arch: Architecture):
    try:
        return arch.section("fpga")
    except KeyError:
        raise SimulationError(f"architecture {arch.name!r} ({arch.file}) has kind 'fpga' but no 'fpga:' "
                              "section; add one with part, dsp_slices, bram18_blocks, lut_count, ff_count "
                              "and offchip_bandwidth_bytes_per_s") from None


def device_from_arch(arch: Architecture) -> FpgaDevice:
    """Resources scaled by the section's usable fraction."""
    sec = fpga_section(arch)
    available = Resources(dsp=sec.dsp_slices, bram18=sec.bram18_blocks, uram=sec.uram_blocks,
                          lut=sec.lut_count, ff=sec.ff_count).scaled(sec.usable_fraction)
    return FpgaDevice(name=arch.name, available=available, clock_hz=arch.clock_hz,
                      offchip_bandwidth_bytes_per_s=sec.offchip_bandwidth_bytes_per_s,
                      dsp_min_multiplier_bits=sec.dsp_min_multiplier_bits,
                      max_unroll_multipliers=sec.max_unroll_multipliers)
