"""Tile-size candidates that fill the ``${...}`` slots of the FuseMax reproduction mappings.

Each rule lists candidate settings, best first; the runner keeps the first one the engine
accepts (its capacity and fan-out checks), so tile sizes follow from the buffer sizes and the
engine's footprint model, not from numbers in the paper. The paper's own rule for the on-chip
P tile is not in the reference sheet.

- 1-pass mappings (FuseMax, +Architecture, +Cascade): P1, the on-chip query tile, from the
  largest power of two that divides P and whose per-query state (Q column, running max,
  denominator and numerator) fits in half the buffer, halving down to one array width.
- Unfused: the softmax phase takes blocks of R = 256, 64, 16, 4 or 1 query rows (whole rows of M
  scores) into the buffer, largest first.
- FLAT: head granularity (one row tile holds all P queries), then row tiles of R = 1024, 512,
  256 queries whose R x M score block stays on chip, then, when none fits, R = 256 with the
  scores spilled to DRAM (``flat_spill.yaml``) and key tiles of one array height.
- GEMMs: row blocks of M_TILE = 1024, 512, 256 rows of A kept in the buffer and reused across
  column tiles, first with all of k on chip, then with k split in 2, 4, 8 blocks; the first that
  every compared design accepts, so all run the same mapping.
"""

from __future__ import annotations

from collections.abc import Mapping

from arch import Architecture

WORD_BYTES = 2
ROW_TILES = (1024, 512, 256)
GEMM_ROW_TILES = (1024, 512, 256)
SOFTMAX_ROWS = (256, 64, 16, 4, 1)
GEMM_K_SPLITS = (1, 2, 4, 8)


def array_params(hardware: Architecture) -> dict[str, int]:
    """Mesh sizes of the 2D and 1D arrays, named as the mapping templates use them."""
    rows, cols = hardware.unit("PE2D").mesh
    (lanes,) = hardware.unit("PE1D").mesh
    return {"PE_ROWS": rows, "PE_COLS": cols, "PE_1D": lanes}


def buffer_bytes(hardware: Architecture) -> float:
    return hardware.level("GlobalBuffer").total_size_bytes


def _powers_of_two_down(start: int, stop: int, divides: int) -> list[int]:
    """Powers of two from the largest <= ``start`` down to ``stop`` that divide ``divides``."""
    value = 1
    while value * 2 <= start:
        value *= 2
    out = []
    while value >= stop:
        if divides % value == 0:
            out.append(value)
        value //= 2
    return out


def unfused_candidates(hardware: Architecture, shape: Mapping[str, int]) -> list[dict]:
    """Softmax row blocks of R = 256, 64, 16, 4, 1 query rows (ROW_TILES = P / R), largest first."""
    arrays = array_params(hardware)
    queries = shape["P"]
    rows = [r for r in SOFTMAX_ROWS if r <= queries and queries % r == 0]
    return [{**arrays, "R": r, "ROW_TILES": queries // r} for r in rows]


def one_pass_candidates(hardware: Architecture, shape: Mapping[str, int]) -> list[dict]:
    """P1 (on-chip query tile) and P2 = P / P1, largest first."""
    arrays = array_params(hardware)
    tokens = shape["P"]
    per_query = WORD_BYTES * (shape["E"] + 2 * shape["F"] + 8)
    limit = min(tokens, int(buffer_bytes(hardware) / 2 / per_query))
    sizes = _powers_of_two_down(limit, min(arrays["PE_COLS"], tokens), tokens) or [tokens]
    return [{**arrays, "P1": p1, "P2": tokens // p1} for p1 in sizes]


def flat_candidates(hardware: Architecture, shape: Mapping[str, int]) -> list[dict]:
    """Head granularity, then on-chip row tiles, then the spill mapping."""
    arrays = array_params(hardware)
    keys, queries = shape["M"], shape["P"]
    out = [{**arrays, "R": queries, "ROW_TILES": 1, "KEY_TILES": 1, "SPILL": False}]
    for rows in ROW_TILES:
        if rows < queries and queries % rows == 0 and rows >= arrays["PE_COLS"]:
            out.append({**arrays, "R": rows, "ROW_TILES": queries // rows, "KEY_TILES": 1, "SPILL": False})
    rows = min(arrays["PE_COLS"], queries)
    key_tile = min(arrays["PE_ROWS"], keys)
    out.append({**arrays, "R": rows, "ROW_TILES": queries // rows, "KEY_TILES": keys // key_tile, "SPILL": True})
    return out


def gemm_candidates(hardware: Architecture, shape: Mapping[str, int]) -> list[dict]:
    """Row blocks of A kept on chip, largest first; then the same with k split in 2, 4, 8 blocks."""
    arrays = array_params(hardware)
    rows, depth = shape["M"], shape["K"]
    tiles = [t for t in GEMM_ROW_TILES if rows % t == 0 and t >= arrays["PE_ROWS"]] or [arrays["PE_ROWS"]]
    splits = [s for s in GEMM_K_SPLITS if depth % s == 0]
    return [{**arrays, "M_TILE": t, "M_TILES": rows // t, "K_TILES": s} for s in splits for t in tiles]
