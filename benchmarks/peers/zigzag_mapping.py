"""Translate GEMM mappings between ZigZag (tpu_like) and this simulator (arch preset tpu_like).

Names: ZigZag's layer ``O[h][b][k] += I[h][b][c] * W[h][c][k]`` is our
``Z[h,m,n] = sum_k A[h,m,k] * B[h,k,n]``: H = h, B = m, K = n, C = k; operands I = A, W = B, O = Z.

Memories, innermost first. ZigZag gives every operand its own chain: O: rf_2B, sram_2MB, dram;
I: sram_2MB, dram; W: rf_128B, dram. Our tpu_like preset is one chain, outermost first,
DRAM > SRAM > WeightReg > OutputReg, where A and Z are kept in SRAM, B in WeightReg, Z in OutputReg
(the other tensors bypass each level). A temporal loop placed at one of our levels is inside the
tile of every tensor kept at that level or further out, so each of our levels stands for one
combination of ZigZag memories:

| our level | O | I | W |
|---|---|---|---|
| OutputReg | rf_2B | sram_2MB | rf_128B |
| WeightReg | sram_2MB | sram_2MB | rf_128B |
| SRAM | sram_2MB | sram_2MB | dram |
| DRAM | dram | dram | dram |

A ZigZag loop whose per-operand memories match no row (ZigZag allocates each operand on its own,
e.g. a loop kept in SRAM for I but in DRAM for O) goes to the innermost of our levels at which
no operand's tile grows beyond its ZigZag memory: the outermost level any operand asks for. Such
loops are counted as ``inexact``.
"""

from __future__ import annotations

OUR_RANK = {"H": "h", "B": "m", "K": "n", "C": "k"}
ZIGZAG_DIM = {rank: dim for dim, rank in OUR_RANK.items()}
OUR_LEVELS = ("OutputReg", "WeightReg", "SRAM", "DRAM")  # innermost first
# our levels (indices into OUR_LEVELS) consistent with each operand's ZigZag memory
ALLOWED = {
    "O": {"rf_2B": {0}, "sram_2MB": {1, 2}, "dram": {3}},
    "I": {"sram_2MB": {0, 1, 2}, "dram": {3}},
    "W": {"rf_128B": {0, 1}, "dram": {2, 3}},
}
KEEP = {"SRAM": {"keep": ["A", "Z"]}, "WeightReg": {"keep": ["B"]}, "OutputReg": {"keep": ["Z"]}}


def spatial_factors(case: dict) -> dict[str, int]:
    """ZigZag's fixed spatial mapping: K (our n) over D1 = rows, C (our k) over D2 = cols."""
    return {"n": min(case["rows"], case["N"]), "k": min(case["cols"], case["K"])}


def constraints(case: dict) -> dict:
    """Our map space restricted to ZigZag's: its spatial mapping and its operand-to-memory links."""
    spatial = {"h": 1, "m": 1, **spatial_factors(case)}
    return {"fusion": "unfused",
            "levels": {**KEEP, "PEArray": {"spatial": spatial, "spatial_axes": {"n": 0, "k": 1}}}}


def _memory_of(allocated: dict, memories: dict) -> list[dict[str, str]]:
    """Per loop of the full ordering (innermost first): the memory each operand keeps it in."""
    out: list[dict[str, str]] = []
    for operand, levels in allocated.items():
        position = 0
        for memory, loops in zip(memories[operand], levels, strict=True):
            for _ in loops:
                while len(out) <= position:
                    out.append({})
                out[position][operand] = memory
                position += 1
    return out


def ours_from_zigzag(allocated: dict, memories: dict, ordering: list, case: dict) -> tuple[dict, int]:
    """Our mapping dict for ZigZag's allocated temporal mapping, and how many loops were inexact."""
    per_loop = _memory_of(allocated, memories)
    temporal: dict[str, list[dict[str, int]]] = {name: [] for name in OUR_LEVELS}
    inexact, floor = 0, 0
    for (dim, factor), where in zip(ordering, per_loop, strict=True):
        sets = [ALLOWED[operand][memory] for operand, memory in where.items()]
        common = set.intersection(*sets)
        level = min(common) if common else max(min(s) for s in sets)
        inexact += not common or level < floor
        floor = max(floor, level)
        temporal[OUR_LEVELS[floor]].insert(0, {OUR_RANK[dim]: int(factor)})  # ours: outermost first
    spatial = spatial_factors(case)
    levels = {name: {"temporal": temporal[name], **KEEP.get(name, {})} for name in reversed(OUR_LEVELS)}
    levels["SRAM"]["spatial"] = [{"n": spatial["n"], "axis": 0}, {"k": spatial["k"], "axis": 1}]
    return {"einsums": {"Z": {"unit": "PEArray", "levels": levels}}}, inexact


def zigzag_ordering_from_ours(mapping) -> list[list]:
    """ZigZag ``temporal_ordering`` (innermost first) of our mapping's temporal loops."""
    ordering = []
    for level in reversed(mapping.einsums["Z"].levels):
        ordering += [[ZIGZAG_DIM[loop.rank], int(loop.factor)] for loop in reversed(level.temporal)
                     if loop.factor > 1]
    return ordering
