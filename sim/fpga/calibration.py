"""LUT/FF cost per layer port, fitted on synthesized wa-hls4ml networks.

Only latency and DSP have an exact model. LUT and FF are estimated as a cost per layer
port (each of a layer's n_in inputs and n_out outputs gets registers and select/accumulate
logic) plus a cost per multiplier. The per-port costs are least-squares fits, through
the origin, over the twelve Vitis HLS 2023.2 rows (Resource strategy, io_parallel,
U250, 5 ns) listed in the reference sheet, section 4 (wa-hls4ml, arXiv 2511.05615;
CSV subset in the repository jdweitz/wa-hls4ml). ``fit_port_costs`` re-derives them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.fpga.precision import lut_per_multiplier


@dataclass(frozen=True)
class SynthesisRow:
    """One synthesized network: widths, precision bits, legal RFs and reported LUT/FF."""

    widths: tuple[int, ...]
    precision_bits: int
    reuse_factors: tuple[int, ...]
    lut: int
    ff: int


WA_HLS4ML_ROWS: tuple[SynthesisRow, ...] = (
    SynthesisRow((80, 24, 120), 8, (960, 960), 15198, 10011),
    SynthesisRow((40, 88, 112), 10, (880, 1232), 26519, 15344),
    SynthesisRow((104, 64, 128), 8, (832, 1024), 23451, 15357),
    SynthesisRow((104, 64, 128), 2, (832, 1024), 22061, 15428),
    SynthesisRow((128, 104, 24), 12, (1024, 832), 18462, 16431),
    SynthesisRow((80, 24, 120), 10, (1920, 2880), 14938, 9981),
    SynthesisRow((104, 64, 120), 16, (3328, 3840), 25495, 15098),
    SynthesisRow((56, 56, 96), 16, (3136, 5376), 18443, 11758),
    SynthesisRow((32, 24, 80, 104), 16, (768, 960, 1040), 30915, 16562),
    SynthesisRow((32, 24, 72, 8), 16, (768, 1728, 576), 14135, 11895),
    SynthesisRow((32, 24, 80, 120), 12, (768, 1920, 1920), 27333, 17167),
    SynthesisRow((104, 48, 104, 104), 4, (4992, 4992, 5408), 33102, 24173),
)


@dataclass(frozen=True)
class PortCosts:
    """Fitted LUT and FF per layer port (input or output)."""

    lut_per_port: float
    ff_per_port: float


def multiplier_lut(multipliers: int, precision_bits: int, soft: bool) -> float:
    """Accumulate adder (2P bits) per multiplier, plus the multiplier itself when LUT-built."""
    own = lut_per_multiplier(precision_bits, precision_bits) if soft else 0
    return multipliers * (2 * precision_bits + own)


def multiplier_ff(multipliers: int, precision_bits: int) -> float:
    """One 2P-bit product register per multiplier."""
    return multipliers * 2 * precision_bits


def row_terms(row: SynthesisRow, dsp_min_bits: int = 8) -> tuple[int, float, float]:
    """(ports, multiplier LUT, multiplier FF) of a row, as the model counts them."""
    ports, mult_lut, mult_ff = 0, 0.0, 0.0
    soft = row.precision_bits < dsp_min_bits
    for n_in, n_out, rf in zip(row.widths[:-1], row.widths[1:], row.reuse_factors, strict=True):
        mults = n_in * n_out // rf
        ports += n_in + n_out
        mult_lut += multiplier_lut(mults, row.precision_bits, soft)
        mult_ff += multiplier_ff(mults, row.precision_bits)
    return ports, mult_lut, mult_ff


def fit_port_costs(rows: tuple[SynthesisRow, ...] = WA_HLS4ML_ROWS) -> PortCosts:
    """Least-squares per-port LUT and FF (through the origin) after the multiplier terms."""
    if not rows:
        raise ValueError("need at least one synthesized row to fit port costs")
    terms = [row_terms(row) for row in rows]
    denom = sum(ports * ports for ports, _, _ in terms)
    lut = sum(ports * (row.lut - mult_lut) for row, (ports, mult_lut, _) in zip(rows, terms, strict=True))
    ff = sum(ports * (row.ff - mult_ff) for row, (ports, _, mult_ff) in zip(rows, terms, strict=True))
    return PortCosts(lut_per_port=lut / denom, ff_per_port=ff / denom)


DEFAULT_PORT_COSTS = PortCosts(lut_per_port=68.0, ff_per_port=45.0)
"""``fit_port_costs()`` rounded to whole LUT/FF (the test suite checks the rounding)."""
